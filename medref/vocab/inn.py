"""French to English spelling rules for international non-proprietary names (INN).

The French and English INNs of a substance differ in regular ways: accents ("furosémide"),
a final "e" ("amoxicilline" / "amoxicillin", "aldesleukine" / "aldesleukin"), acids written
the other way round ("acide alendronique" / "alendronic acid"), salts ("sodique" / "sodium") and
word order ("toxine botulique" / "botulinum toxin"). `english_candidates` turns one French name
into the English spellings it may stand for; the caller accepts a match only when exactly one
ingredient answers to them. Django-free; normalised text in, normalised text out.
"""

from __future__ import annotations

from medref.vocab.normalize import normalize

# Whole-word French terms with a fixed English equivalent.
_WORDS = {
    "acide": "acid",
    "sodique": "sodium",
    "potassique": "potassium",
    "calcique": "calcium",
    "magnesique": "magnesium",
    "disodique": "disodium",
    "chlorhydrate": "hydrochloride",
    "sulfate": "sulfate",
    "phosphate": "phosphate",
    "toxine": "toxin",
    "botulique": "botulinum",
    "vaccin": "vaccine",
    "vaccins": "vaccines",
    "vivant": "live",
    "vivants": "live",
    "attenue": "attenuated",
    "attenues": "attenuated",
    "fer": "iron",
    "sels": "salts",
    "de": "",
    "d": "",
}
# Suffix rewrites, tried in order on the last word (and on every word for multi-word names).
_SUFFIXES = (
    ("ique", "ic"),  # alendronique -> alendronic
    ("ine", "in"),  # amoxicilline -> amoxicillin (also tried: "ine" kept)
    ("ide", "ide"),
    ("ate", "ate"),
    ("ole", "ole"),
    ("one", "one"),
    ("e", ""),  # aldesleukine handled above; ciclosporine -> ciclosporin; "-le" -> "-l"
    ("é", "e"),
)


def _word_forms(word: str) -> set[str]:
    forms = {word}
    if word in _WORDS:
        forms.add(_WORDS[word])
        return forms
    if word.endswith("illine"):  # penicilline -> penicillin
        forms.add(word[:-1])
    for french, english in _SUFFIXES:
        if word.endswith(french) and len(word) > len(french) + 2:
            forms.add(word[: -len(french)] + english)
    if word.endswith("ine"):
        forms.add(word[:-1])  # morphine stays, codeine stays; both forms offered
    if word.endswith("e") and not word.endswith(("ide", "ate", "ole", "one", "ine", "ene", "ane")):
        forms.add(word[:-1])
    if "ph" not in word and "f" in word:
        pass  # French keeps "ph" in INNs (amphotericine); no f/ph rewrite needed
    if word.endswith("ique"):
        forms.add(word[:-4] + "ic")
    return {f for f in forms if f}


def english_candidates(french: str) -> list[str]:
    """Normalised English spellings a French INN may stand for, the likeliest first. Includes
    the name itself (accents already removed by normalisation)."""
    base = normalize(french)
    if not base:
        return []
    words = base.split()
    out: list[str] = [base]

    def add(candidate: str) -> None:
        candidate = " ".join(candidate.split())
        if candidate and candidate not in out:
            out.append(candidate)

    # "acide X-ique" -> "X-ic acid"; "X sodique" -> "X sodium"
    if len(words) >= 2 and words[0] == "acide":
        rest = words[1:]
        last = rest[-1]
        stem_forms = _word_forms(last)
        for form in sorted(stem_forms, key=len):
            add(" ".join([*rest[:-1], form, "acid"]))
    # Single-word and multi-word names: rewrite each word, keep order, then try reversed order
    # for two-word names ("toxine botulique" -> "botulinum toxin").
    per_word = [
        sorted(_word_forms(w), key=lambda f: (f != _WORDS.get(w, f), len(f))) for w in words
    ]
    if len(words) == 1:
        for form in sorted(per_word[0], key=lambda f: (f == words[0], -len(f))):
            add(form)
    else:
        import itertools

        combos = list(itertools.islice(itertools.product(*per_word), 64))
        for combo in combos:
            add(" ".join(combo))
            if len(combo) == 2:
                add(" ".join(reversed(combo)))
    return out


def english_case(name: str) -> str:
    """INNs are common nouns in English: "Abemaciclib", "ABEMACICLIB" and "Cholic Acid" become
    lower case, while a one-letter word or an inner capital keeps its case ("protein C",
    "vitamin D", "peg-interferon alfa-2a" stays as it is)."""
    name = " ".join(name.split())
    if name.isupper():
        return name.lower()
    words = []
    for word in name.split(" "):
        if len(word) > 1 and word[0].isupper() and word[1:] == word[1:].lower():
            word = word.lower()
        words.append(word)
    return " ".join(words)
