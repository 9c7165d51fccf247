"""The part of a topic anyone may see: its first paragraph. A locked topic page shows this and no
more, and so does a search snippet of a topic the reader's meter has not opened."""

from __future__ import annotations

import re

_CITATIONS = re.compile(r"\s*\[\d+(?:\s*[,\u2013-]\s*\d+)*\]")


def first_paragraph(body: str) -> str:
    """The first prose paragraph of a topic, as plain text (headings, lists and tables skipped)."""
    for block in body.split("\n\n"):
        text = block.strip()
        if text and not text.startswith(("#", "-", "*", "|", ">")) and not re.match(r"\d+\.", text):
            return _CITATIONS.sub("", " ".join(text.split()))
    return ""
