"""How an ingredient's name is cased in running text. Django-free.

Ingredient names are common nouns in English, so they are lower case in the middle of a sentence
("avoid taking abatacept and natalizumab") and take a capital only where the sentence or title
starts. Every page builds its sentences through these two functions, so a name that reached the
vocabulary in title case ("Abatacept", from an older import) reads the same as the others, and
a name with a deliberate capital ("St John's wort", "BCG vaccine (live)") keeps it.
"""

from __future__ import annotations

import functools

from medref.vocab.inn import english_case


def _all_title_case(name: str) -> bool:
    words = [w for w in name.split() if any(c.isalpha() for c in w)]
    return bool(words) and all(w[:1].isupper() and w[1:] == w[1:].lower() for w in words)


@functools.lru_cache(maxsize=8192)  # pure, and called for every finding on the checker's hot path
def in_sentence(name: str) -> str:
    """The name as it reads mid-sentence. Only a name written wholly in title or upper case is
    lowered: a mix ("St John's wort") was cased on purpose by whoever wrote it."""
    name = " ".join(name.split())
    if name.isupper() or _all_title_case(name):
        return english_case(name)
    return name


@functools.lru_cache(maxsize=8192)
def at_start(name: str) -> str:
    """The name as it reads at the start of a sentence or title: only its first letter raised
    (str.capitalize() would also lower the rest, turning "BCG vaccine" into "Bcg vaccine")."""
    name = in_sentence(name)
    return name[:1].upper() + name[1:]
