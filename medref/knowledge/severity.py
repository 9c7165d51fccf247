"""The severity, evidence and review-status scales now live in `medref.domain.severity`; this
module keeps the old import path working for the apps that use it."""

from medref.domain.severity import Evidence, ReviewStatus, Severity, most_severe

__all__ = ["Evidence", "ReviewStatus", "Severity", "most_severe"]
