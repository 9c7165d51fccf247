"""Import errors, kept free of Django so the CLI can name them before Django starts."""

from __future__ import annotations

from pathlib import Path


class ImportFailed(Exception):
    """Validation failed; the message names the file, line and field. Nothing was written."""


def fail(path: Path | str, line: int | None, field_name: str, message: str) -> ImportFailed:
    where = f"{path}:{line}" if line else str(path)
    return ImportFailed(f"{where}: field '{field_name}': {message}")
