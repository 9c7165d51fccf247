"""Plain-language wording for guide pages, chosen by severity. Django-free.

The wording for "unknown" and for "no interaction recorded" never implies the medicines are safe
together, and the answer about being prescribed both always ends by sending the reader to the
prescriber and telling them not to stop a medicine on their own.
"""

from __future__ import annotations

from medref.domain.kinds import IngredientKind
from medref.vocab.display import at_start, in_sentence

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

# A source's review status in the Sources table, in words rather than the stored code; "starter
# content" would be wrong for imported data, which is also "unreviewed" until a clinician checks.
REVIEW = {
    "reviewed": "Clinically reviewed by medref",
    "external": "Reviewed by its publisher, not by medref",
    "unreviewed": "Not yet reviewed by medref",
}

ALWAYS_END = "Always speak to the prescriber or your pharmacist first, and do not stop taking a medicine on your own."


# --- a food, drink or herbal product with a medicine ------------------------------------------
# When one side is not a medicine the advice is about the food or drink ("avoid grapefruit juice
# while you take simvastatin"), never "choose a different medicine for one of them". {f} is the
# food, drink or herbal product, {m} the medicine, {have} the verb that fits it.

Kinds = tuple[str, str]
MEDICINES: Kinds = (IngredientKind.MEDICINE.value, IngredientKind.MEDICINE.value)
TITLE_WORD = {
    IngredientKind.FOOD: "food",
    IngredientKind.DRINK: "drink",
    IngredientKind.HERBAL: "herb",
}

FOOD_QUICK_ANSWER = {
    "contraindicated": "Do not {have} {f} while you take {m}: together they can cause serious harm.",
    "major": "Avoid {f} while you take {m}, unless your doctor or pharmacist has told you it is safe for you.",
    "moderate": "{F} can affect {m}, so take care: ask your pharmacist how much {f}, if any, is safe while you take {m}.",
    "minor": "{F} affects {m} only slightly; usually nothing needs to change, but make sure your pharmacist knows.",
    "unknown": "A source records an interaction between {f} and {m} but does not say how serious it is, so it is not known to be harmless: ask your pharmacist.",
    NONE: "No interaction between {f} and {m} is recorded in the sources medref checked. That does not prove they are safe together, so check with your pharmacist.",
}

FOOD_CAN_I = {
    "contraindicated": "No. Do not {have} {f} at all while you take {m}, because together they can cause serious harm.",
    "major": "Usually not. It is best to avoid {f} while you take {m}. If you are not sure, ask your doctor or pharmacist.",
    "moderate": "Sometimes, with care. How much {f} is safe, and when, can depend on your dose of {m}: ask your pharmacist.",
    "minor": "Usually yes. The effect is small, but your pharmacist should know if you {have} {f} often.",
    "unknown": "It is not known. A source lists an interaction without saying how serious it is, so ask your pharmacist before you {have} {f} while you take {m}.",
    NONE: "medref has no record of an interaction between them, but that is not proof that they are safe together. Ask your pharmacist, who can check everything you take.",
}

FOOD_IF_HAD = {
    "contraindicated": "Do not {have} any more {f}, and contact your pharmacist or doctor before your next dose of {m}.",
    "major": "Do not {have} any more {f} for now, and ask your pharmacist or doctor whether you need any checks.",
    "moderate": "Ask your pharmacist how much {f}, if any, is safe with your dose of {m}, and report any new symptoms.",
    "minor": "Mention it to your pharmacist and report any new symptoms.",
    "unknown": "Ask your pharmacist to look at this combination for you.",
    NONE: "Ask your pharmacist to check everything you take, including foods, drinks and herbal remedies.",
}

FOOD_SEVERITY_MEANING = {
    **SEVERITY_MEANING,
    "contraindicated": "the two should not be used together",
}


def _a(kind: str) -> str:
    noun = IngredientKind(kind).noun
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _food_and_medicine(a: str, b: str, kinds: Kinds) -> tuple[str, str, IngredientKind] | None:
    """(the food, drink or herbal product, the medicine, its kind) when exactly one side is not
    a medicine; None otherwise (two medicines, or two foods: the general wording fits those)."""
    ka, kb = (IngredientKind.parse(k) for k in kinds)
    medicine = IngredientKind.MEDICINE
    if ka != medicine and kb == medicine:
        return a, b, ka
    if kb != medicine and ka == medicine:
        return b, a, kb
    return None


def _fill_food(template: str, f: str, m: str, kind: IngredientKind) -> str:
    f, m = in_sentence(f), in_sentence(m)
    herbal = kind == IngredientKind.HERBAL  # a remedy is taken; a food or drink is had
    return template.format(
        f=f, m=m, F=at_start(f), have="take" if herbal else "have", had="taken" if herbal else "had"
    )


def _food_faq(
    severity: str, f: str, m: str, kind: IngredientKind, *, label: str, action: str, advice: str
) -> list[tuple[str, str]]:
    if severity == NONE:
        severity_answer = "No severity is given because no source medref checked records an interaction between them."
    else:
        severity_answer = f"{label}: {action}. This means {FOOD_SEVERITY_MEANING[severity]}."
    advice = advice.strip() or _fill_food(FOOD_IF_HAD[severity], f, m, kind)
    return [
        (
            _fill_food("Can I {have} {f} while I take {m}?", f, m, kind),
            _fill_food(FOOD_CAN_I[severity], f, m, kind),
        ),
        ("What is the severity of this interaction?", severity_answer),
        (
            _fill_food("What should I do if I have {had} {f} while taking {m}?", f, m, kind),
            f"{advice} {ALWAYS_END}",
        ),
    ]


def _fill(template: str, a: str, b: str) -> str:
    a, b = in_sentence(a), in_sentence(b)
    return template.format(a=a, b=b, A=at_start(a))


def quick_answer(severity: str, a: str, b: str, *, kinds: Kinds = MEDICINES) -> str:
    food = _food_and_medicine(a, b, kinds)
    if food:
        return _fill_food(FOOD_QUICK_ANSWER[severity], *food)
    return _fill(QUICK_ANSWER[severity], a, b)


def guide_title(a: str, b: str, *, kinds: Kinds = MEDICINES) -> str:
    """ "Grapefruit juice and simvastatin: drink-drug interaction guide": the page says what
    kind of interaction it is about, as readers search for it."""
    food = _food_and_medicine(a, b, kinds)
    what = f"{TITLE_WORD[food[2]]}-drug" if food else "drug"
    return f"{at_start(a)} and {in_sentence(b)}: {what} interaction guide"


def faq(
    severity: str,
    a: str,
    b: str,
    *,
    label: str,
    action: str,
    patient_management: str,
    kinds: Kinds = MEDICINES,
) -> list[tuple[str, str]]:
    """The three questions and their answers, generated from the facts of the page."""
    food = _food_and_medicine(a, b, kinds)
    if food:
        return _food_faq(severity, *food, label=label, action=action, advice=patient_management)
    a, b = in_sentence(a), in_sentence(b)
    if severity == NONE:
        severity_answer = "No severity is given because no source medref checked records an interaction between them."
    else:
        severity_answer = f"{label}: {action}. This means {SEVERITY_MEANING[severity]}."
    advice = patient_management.strip() or _fill(IF_PRESCRIBED_BOTH[severity], a, b)
    return [
        (f"Can I take {a} and {b} together?", _fill(CAN_I_TAKE[severity], a, b)),
        ("What is the severity of this interaction?", severity_answer),
        (f"What should I do if I'm prescribed both {a} and {b}?", f"{advice} {ALWAYS_END}"),
    ]


def _joined(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names) or "A source"
    return ", ".join(names[:-1]) + " and " + names[-1]


def what_is_known(
    severity: str,
    a: str,
    b: str,
    *,
    sources: list[str],
    label: str,
    action: str,
    kinds: Kinds = MEDICINES,
) -> tuple[str, str]:
    """For a pair that its sources rate without explaining: what is known and what is not, each
    said once, in plain words. A source that gives no severity is not also said to give one."""
    a, b = in_sentence(a), in_sentence(b)
    who = _joined(sources)
    plural = len(sources) > 1
    medicines = tuple(kinds) == MEDICINES
    things = "medicines" if medicines else f"{_a(kinds[0])} and {_a(kinds[1])}"
    two = "the two medicines" if medicines else "they"
    meaning = (SEVERITY_MEANING if medicines else FOOD_SEVERITY_MEANING)[severity]
    if severity == "unknown":
        known = f"{who} {'list' if plural else 'lists'} {a} and {b} as {things} that interact."
        not_known = f"How serious the interaction is, how it happens and what to do about it: {who} {'do' if plural else 'does'} not say."
    else:
        known = f"{who} {'rate' if plural else 'rates'} the combination of {a} and {b} as {label.lower()} ({action}): {meaning}."
        not_known = f"How {two} affect each other and what to do about it: {who} {'give' if plural else 'gives'} a severity only."
    return known, not_known


def cut_at_word(text: str, limit: int = 120) -> str:
    """About `limit` characters, cut at a word boundary and ending in an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return f"{cut}\u2026"
