"""The knowledge base's identity at one moment, as one string."""

from __future__ import annotations

import datetime as dt


def stamp_of(version: int, changed_at: dt.datetime | str | None) -> str:
    """Version plus change time in UTC: unique even if a version number is reused (a restored
    backup, a rolled-back test). The same string whether the time comes from Django, sqlite3 (a
    naive UTC text) or psycopg (an aware datetime in the session's time zone)."""
    if changed_at is None:
        return str(version)
    if isinstance(changed_at, str):
        changed_at = dt.datetime.fromisoformat(changed_at)
    if changed_at.tzinfo is None:
        changed_at = changed_at.replace(tzinfo=dt.UTC)
    return f"{version}@{changed_at.astimezone(dt.UTC).isoformat()}"
