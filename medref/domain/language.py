"""Tell whether a text still holds French, so no French sentence reaches an English reader.

A small stop-word detector: French function words that never occur in English clinical prose
("le", "des", "avec", "risque"...), plus French-only accented letters. Used by the tests and by
`medref kb audit` on every English text that came from a French source.
"""

from __future__ import annotations

import re

# Function words and clinical words that are French and not English. Words that are also English
# ("a", "pour" as in pour, "on", "ce" as in CE-marked, "an", "sur" as in surgery) are left out.
FRENCH_WORDS = frozenset(
    """
    le la les des du une et est avec dans chez sans lors entre aux ou au
    risque majoration traitement plasmatiques effet effets associe deconseillee
    emploi prendre compte contre apres avant arret sujet toxicite hypokaliemie
    allongement intervalle sauf voie orale cutanee medicament medicaments moins tres ainsi
    que qui dont leur leurs cette ces sa ses eviter necessaire eventuelle eventuellement
    clinique biologique jours semaines heures posologie
    """.split()
)
_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ]+", re.IGNORECASE)
_FRENCH_LETTERS = re.compile(r"[àâçèêëîïôùûüÿœæ]", re.IGNORECASE)


def _fold(word: str) -> str:
    table = str.maketrans("àâäçéèêëîïôöùûüÿ", "aaaceeeeiioouuuy")
    return word.lower().translate(table)


def french_words(text: str) -> list[str]:
    """The French words found in `text` (empty when it reads as English)."""
    words = [_fold(w) for w in _WORD.findall(text or "")]
    return [w for w in words if w in FRENCH_WORDS]


def looks_french(text: str) -> bool:
    """True when the text has two or more French function words, or a French-only accent
    outside a proper name. One stray word (a quoted brand) is not enough."""
    if not text:
        return False
    hits = french_words(text)
    if len(hits) >= 2:
        return True
    return bool(hits) and bool(_FRENCH_LETTERS.search(text))


def text_key(text: str) -> str:
    """The key of a source text in content/translations: the first 12 hex digits of the SHA-256
    of the text with its whitespace collapsed, so re-wrapped text keeps its key."""
    import hashlib

    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]
