"""Topic text as plain words: the first paragraph anyone may see (a locked topic page shows this
and no more, and so does a search snippet of a topic the reader's meter has not opened), and the
whole body for the search index, so that snippets never show Markdown ("**", "|", "#")."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

_CITATIONS = re.compile(r"\s*\[\d+(?:\s*[,\u2013-]\s*\d+)*\]")
# The same dialect the pages render with (medref.reference.markdown), so what counts as a table
# or as emphasis here matches what readers see.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _inline_text(children) -> str:
    parts = []
    for token in children or ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_inline_text(token.children))
    return "".join(parts)


def plain_text(markdown: str) -> str:
    """The words of a Markdown text with its markup removed: one space between blocks (headings,
    paragraphs, list items, table cells), emphasis and link syntax dropped, link text kept."""
    blocks = []
    for token in _md.parse(markdown):
        if token.type == "inline":
            blocks.append(_inline_text(token.children))
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content)
    return " ".join(" ".join(text.split()) for text in blocks if text.strip())


def first_paragraph(body: str) -> str:
    """The first prose paragraph of a topic, as plain text (headings, lists, quotes and tables
    skipped)."""
    tokens = _md.parse(body)
    for n, token in enumerate(tokens):
        # level 0: a paragraph of its own, not one inside a list item or a quote
        if token.type == "paragraph_open" and token.level == 0:
            text = " ".join(_inline_text(tokens[n + 1].children).split())
            return _CITATIONS.sub("", text)
    return ""
