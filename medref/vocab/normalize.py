"""Normalise what a person types into the key we index names by.

Case-, accent- and whitespace-insensitive; trademark signs and most punctuation dropped, so
"Tysabri®", "  TYSABRI " and "tysabri" share one key. Django-free.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Keep letters, digits, spaces and the few marks that carry meaning in drug names
# ("co-codamol", "st john's wort" -> apostrophes are dropped, hyphens become spaces).
_DROP = re.compile(r"[^\w\s]", re.UNICODE)


_MARKS = str.maketrans(
    "", "", "\u2122\u00ae\u00a9\u2120"
)  # TM, (R), (C), SM: NFKD would spell them out


# ASCII fast path, equivalent to the full path below for ASCII input: apostrophes vanish, every
# other punctuation mark (and "_") becomes a space, letters are lower-cased.
_ASCII_TABLE = {ord(c): " " for c in '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'}
_ASCII_TABLE[ord("'")] = None


def normalize(text: str) -> str:
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_TABLE).split())
    text = unicodedata.normalize("NFKD", text.translate(_MARKS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("'", "").replace("\u2019", "")
    text = text.replace("-", " ").replace("/", " ").replace("+", " ")
    text = _DROP.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _SLUG_DROP.sub("-", normalize(text)).strip("-")[:110] or "x"
