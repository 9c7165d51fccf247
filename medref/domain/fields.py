"""What a monograph and a topic are made of, and the one validator every write path uses.

Content import, the editorial actions (start, edit, approve, publish), the admin and the API all
call `validate_monograph` / `validate_topic`, so a value the checker cannot read (a severity of
"catastrophic", references that are not a list) is refused with the field named, before it is
stored, whichever door it came through. Django-free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from medref.domain.severity import Evidence, ReviewStatus, Severity

MONOGRAPH_TEXT = (
    "mechanism",
    "consequence",
    "management",
    "patient_mechanism",
    "patient_management",
)
MONOGRAPH_FIELDS = ("severity", "evidence", "onset", *MONOGRAPH_TEXT, "references")
TOPIC_FIELDS = ("title", "specialty", "authors", "body", "references")
ONSETS = ("rapid", "delayed", "unspecified")
DOCUMENT_STATUSES = ("published", "retired")  # a monograph's public state
TOPIC_STATUSES = ("draft", "in_review", "published", "retired")
MAX_TEXT = 10_000  # characters in one monograph text field
MAX_BODY = 200_000  # characters in a topic body
MAX_LINE = 300  # a title, specialty or authors line
REFERENCE_KEYS = ("text", "pmid", "doi", "url")
_PMID = re.compile(r"\d{1,9}")


class FieldError(ValueError):
    """A value that may not be stored; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _choice(field: str, value: object, allowed: tuple[str, ...], *, blank: bool = False) -> str:
    if value is None and blank:
        return ""
    if not isinstance(value, str):
        raise FieldError(field, f"must be text, one of {', '.join(allowed)}")
    value = value.strip().lower()
    if blank and not value:
        return ""
    if value not in allowed:
        raise FieldError(field, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _text(field: str, value: object, *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(field, "must be text")
    if "\x00" in value:
        raise FieldError(field, "contains a NUL character")
    value = value.strip()
    if required and not value:
        raise FieldError(field, "is required")
    if len(value) > limit:
        raise FieldError(field, f"is {len(value):,} characters; the limit is {limit:,}")
    return value


def validate_references(
    value: Any, *, required: bool, field: str = "references"
) -> list[dict[str, str]]:
    if value is None:
        value = []
    if not isinstance(value, list):
        raise FieldError(field, "must be a list of {text, pmid, doi, url}")
    if required and not value:
        raise FieldError(field, "at least one reference is required")
    out = []
    for n, ref in enumerate(value, start=1):
        where = f"{field}[{n}]"
        if not isinstance(ref, Mapping):
            raise FieldError(where, "must be a mapping with at least a 'text'")
        unknown = set(ref) - set(REFERENCE_KEYS) - {"__line__"}
        if unknown:
            raise FieldError(where, f"unknown keys {', '.join(sorted(unknown))}")
        clean = {"text": _text(f"{where}.text", ref.get("text"), limit=2_000, required=True)}
        for key in ("pmid", "doi", "url"):
            if ref.get(key) not in (None, ""):
                item = _text(f"{where}.{key}", str(ref[key]), limit=500, required=True)
                if key == "pmid" and not _PMID.fullmatch(item):
                    raise FieldError(f"{where}.pmid", f"{item!r} is not a PubMed id")
                if key == "url" and not item.startswith(("https://", "http://")):
                    raise FieldError(f"{where}.url", "must start with https:// or http://")
                clean[key] = item
        out.append(clean)
    return out


def validate_monograph(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The monograph fields in `values`, checked and normalised. `partial`: only the fields
    given are checked (an edit); otherwise every field must be present and valid."""
    unknown = set(values) - set(MONOGRAPH_FIELDS)
    if unknown:
        raise FieldError(sorted(unknown)[0], "is not a monograph field")
    out: dict[str, Any] = {}
    for name in MONOGRAPH_FIELDS:
        if name not in values:
            if partial:
                continue
            if name in ("evidence", "onset"):
                out[name] = ""
                continue
        value = values.get(name)
        if name == "severity":
            out[name] = Severity(_choice(name, value, tuple(s.value for s in Severity))).value
        elif name == "evidence":
            out[name] = _choice(name, value, tuple(e.value for e in Evidence), blank=True)
        elif name == "onset":
            out[name] = _choice(name, value, ONSETS, blank=True)
        elif name == "references":
            out[name] = validate_references(value, required=True)
        else:
            out[name] = _text(name, value, limit=MAX_TEXT, required=True)
    return out


def validate_topic(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    unknown = set(values) - set(TOPIC_FIELDS)
    if unknown:
        raise FieldError(sorted(unknown)[0], "is not a topic field")
    out: dict[str, Any] = {}
    for name in TOPIC_FIELDS:
        if name not in values and partial:
            continue
        value = values.get(name)
        if name == "references":
            out[name] = validate_references(value, required=True)
        elif name == "body":
            out[name] = _text(name, value, limit=MAX_BODY, required=True)
        else:
            limit = 100 if name == "specialty" else MAX_LINE  # the columns' widths
            out[name] = _text(name, value, limit=limit, required=name != "specialty")
    return out


def validate_review_status(value: Any) -> str:
    return _choice("review_status", value, tuple(r.value for r in ReviewStatus))


def validate_status(value: Any, *, topic: bool = False) -> str:
    return _choice("status", value, TOPIC_STATUSES if topic else DOCUMENT_STATUSES)
