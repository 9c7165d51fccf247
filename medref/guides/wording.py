"""Plain-language wording for guide pages, chosen by severity. Django-free.

The wording for "unknown" and for "no interaction recorded" never implies the medicines are safe
together, and the answer about being prescribed both always ends by sending the reader to the
prescriber and telling them not to stop a medicine on their own.
"""

from __future__ import annotations

NONE = "none"  # no interaction recorded in any source checked

QUICK_ANSWER = {
    "contraindicated": "Do not take {a} and {b} together: the combination is contraindicated because it can cause serious harm.",
    "major": "Avoid taking {a} and {b} together unless your doctor specifically tells you to, and then only with extra checks.",
    "moderate": "{A} and {b} can affect each other, so take them together only with care: your doctor may adjust a dose or check on you more often.",
    "minor": "{A} and {b} affect each other only slightly; usually nothing needs to change, but make sure your pharmacist knows you take both.",
    "unknown": "A source records an interaction between {a} and {b} but does not say how serious it is, so it is not known to be harmless: ask your pharmacist.",
    NONE: "No interaction between {a} and {b} is recorded in the sources medref checked. That does not prove they are safe together, so check with your pharmacist.",
}

CAN_I_TAKE = {
    "contraindicated": "No. {A} and {b} should not be used together, because the combination can cause serious harm. Your doctor will usually choose a different medicine for one of them.",
    "major": "Usually not. The combination is best avoided. A doctor may still prescribe both when the benefit is worth the risk, with a plan for extra checks.",
    "moderate": "Often yes, but with care. Your doctor may change a dose, space the doses apart or check on you more closely while you take both.",
    "minor": "Usually yes. The interaction is small and rarely needs any change, but your pharmacist should know you take both.",
    "unknown": "It is not known. A source lists an interaction without saying how serious it is, so ask your pharmacist before taking them together.",
    NONE: "medref has no record of an interaction between them, but that is not proof that they are safe together. Ask your pharmacist, who can check your full list of medicines.",
}

SEVERITY_MEANING = {
    "contraindicated": "the medicines should not be used together",
    "major": "the combination can cause serious harm and is best avoided",
    "moderate": "the combination may need a dose change or closer monitoring",
    "minor": "the effect is small and usually needs no change",
    "unknown": "a source records the interaction without a severity",
}

IF_PRESCRIBED_BOTH = {
    "contraindicated": "Contact the prescriber or your pharmacist before you take the next dose, so they can check whether both medicines are really meant to be taken together.",
    "major": "Ask the prescriber why both are needed and what checks you should have, and watch for the warning signs they tell you about.",
    "moderate": "Follow the dosing you were given, keep any blood tests or check-ups, and report new symptoms.",
    "minor": "Take them as prescribed and mention any new symptoms to your pharmacist.",
    "unknown": "Ask your pharmacist to look at this combination for you.",
    NONE: "Ask your pharmacist to check your full list of medicines.",
}

ALWAYS_END = "Always speak to the prescriber or your pharmacist first, and do not stop taking a medicine on your own."


def _fill(template: str, a: str, b: str) -> str:
    return template.format(a=a, b=b, A=a[:1].upper() + a[1:])


def quick_answer(severity: str, a: str, b: str) -> str:
    return _fill(QUICK_ANSWER[severity], a, b)


def faq(
    severity: str, a: str, b: str, *, label: str, action: str, patient_management: str
) -> list[tuple[str, str]]:
    """The three questions and their answers, generated from the facts of the page."""
    A, B = a[:1].upper() + a[1:], b[:1].upper() + b[1:]
    if severity == NONE:
        severity_answer = "No severity is given because no source medref checked records an interaction between them."
    else:
        severity_answer = f"{label}: {action}. This means {SEVERITY_MEANING[severity]}."
    advice = patient_management.strip() or _fill(IF_PRESCRIBED_BOTH[severity], a, b)
    return [
        (f"Can I take {A} and {B} together?", _fill(CAN_I_TAKE[severity], a, b)),
        ("What is the severity of this interaction?", severity_answer),
        (f"What should I do if I'm prescribed both {a} and {b}?", f"{advice} {ALWAYS_END}"),
    ]


def cut_at_word(text: str, limit: int = 120) -> str:
    """About `limit` characters, cut at a word boundary and ending in an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return f"{cut}\u2026"
