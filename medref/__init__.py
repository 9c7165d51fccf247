"""medref: an open-source drug-interaction checker and clinical reference."""

__version__ = "0.1.0"
