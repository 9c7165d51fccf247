"""Topic bodies: Markdown to sanitised HTML with in-text citations linked to the reference list."""

from __future__ import annotations

import re
from urllib.parse import quote

from medref.reference.markdown import render_markdown

_CITATION = re.compile(r"\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\](?!\()")


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*,\s*", group):
        bounds = re.split(r"\s*[\u2013-]\s*", part)
        out += list(range(int(bounds[0]), int(bounds[-1]) + 1)) if len(bounds) == 2 else [int(part)]
    return out


def render_topic_body(body: str, reference_count: int) -> str:
    """Render Markdown, then turn [1] / [1, 2] / [3-5] into superscript links to #ref-N."""
    html = render_markdown(body)

    def link(match: re.Match) -> str:
        numbers = [n for n in _numbers(match.group(1)) if 1 <= n <= reference_count]
        if not numbers:
            return match.group(0)
        links = ", ".join(f'<a href="#ref-{n}">{n}</a>' for n in numbers)
        return f"<sup>[{links}]</sup>"

    return _CITATION.sub(link, html)


def reference_links(ref: dict) -> list[tuple[str, str]]:
    """Outbound links for a reference: PubMed for a PMID, doi.org for a DOI, or its URL."""
    links = []
    if ref.get("pmid"):
        links.append(
            ("PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{quote(str(ref['pmid']), safe='')}/")
        )
    if ref.get("doi"):
        links.append(("DOI", f"https://doi.org/{quote(str(ref['doi']), safe='/')}"))
    if str(ref.get("url", "")).startswith(("https://", "http://")):
        links.append(("Link", str(ref["url"])))  # the template escapes it
    return links
