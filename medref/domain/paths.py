"""Public addresses built outside a request (the engine, the sitemap, search), defined once.
They must match medref/guides/urls.py; a test says so."""

from __future__ import annotations

PAIR_SEPARATOR = "-and-"


def guide_path(slug_a: str, slug_b: str) -> str:
    """The interaction guide of two ingredients, slugs in alphabetical order."""
    first, second = sorted((slug_a, slug_b))
    return f"/interactions/{first}{PAIR_SEPARATOR}{second}/"


def drug_path(slug: str) -> str:
    """The page of one ingredient: its names, brands and every interaction recorded for it."""
    return f"/drugs/{slug}/"
