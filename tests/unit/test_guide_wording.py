"""Guide wording: never implies safety, always ends with the prescriber advice."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medref.guides.wording import ALWAYS_END, CAN_I_TAKE, NONE, QUICK_ANSWER, cut_at_word, faq

LEVELS = ["contraindicated", "major", "moderate", "minor", "unknown", NONE]


@pytest.mark.parametrize("severity", ["unknown", NONE])
def test_wording_for_unknown_and_none_never_implies_safety(severity):
    for text in (QUICK_ANSWER[severity], CAN_I_TAKE[severity]):
        lowered = text.lower()
        assert (
            "safe" not in lowered
            or "not proof that they are safe" in lowered
            or "does not prove they are safe" in lowered
        )
        assert "pharmacist" in lowered


@pytest.mark.parametrize("severity", LEVELS)
def test_faq_has_three_questions_and_the_last_answer_ends_with_the_advice(severity):
    questions = faq(
        severity,
        "warfarin",
        "aspirin",
        label="Major",
        action="avoid or monitor closely",
        patient_management="",
    )
    assert [q for q, _ in questions][0] == "Can I take warfarin and aspirin together?"
    assert len(questions) == 3
    assert questions[2][1].endswith(ALWAYS_END)


@given(
    st.text(
        alphabet=st.characters(whitelist_categories=("Ll", "Lu"), max_codepoint=0x24F)
        | st.just(" "),
        min_size=0,
        max_size=400,
    )
)
def test_cut_at_word_is_short_and_ends_with_an_ellipsis_when_cut(text):
    out = cut_at_word(text, 120)
    assert len(out) <= 121
    if len(" ".join(text.split())) > 120:
        assert out.endswith("\u2026")
        assert " ".join(text.split()).startswith(out[:-1])
