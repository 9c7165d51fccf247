"""Guide wording when one side is a food, drink or herbal product: about that, not "medicines"."""

from __future__ import annotations

import pytest

from medref.domain.kinds import IngredientKind
from medref.guides import wording

DRINK = ("drink", "medicine")
HERBAL_SECOND = ("medicine", "herbal")


def test_guide_title_names_the_kind_of_interaction():
    assert (
        wording.guide_title("grapefruit juice", "simvastatin", kinds=DRINK)
        == "Grapefruit juice and simvastatin: drink-drug interaction guide"
    )
    assert (
        wording.guide_title("ciclosporin", "St John's wort", kinds=HERBAL_SECOND)
        == "Ciclosporin and St John's wort: herb-drug interaction guide"
    )
    assert (
        wording.guide_title("cheese", "phenelzine", kinds=("food", "medicine"))
        == "Cheese and phenelzine: food-drug interaction guide"
    )


def test_guide_title_two_medicines_unchanged():
    assert wording.guide_title("paracetamol", "warfarin") == (
        "Paracetamol and warfarin: drug interaction guide"
    )


@pytest.mark.parametrize("severity", ["contraindicated", "major", "moderate", "minor"])
def test_quick_answer_for_a_food_puts_the_food_first_and_keeps_the_medicine(severity):
    text = wording.quick_answer(severity, "ciclosporin", "St John's wort", kinds=HERBAL_SECOND)
    assert "St John's wort" in text and "ciclosporin" in text
    assert "medicines" not in text


def test_quick_answer_herbal_is_taken_food_is_had():
    assert wording.quick_answer(
        "contraindicated", "ciclosporin", "St John's wort", kinds=HERBAL_SECOND
    ).startswith("Do not take St John's wort while you take ciclosporin")
    assert wording.quick_answer(
        "contraindicated", "grapefruit juice", "lercanidipine", kinds=DRINK
    ).startswith("Do not have grapefruit juice while you take lercanidipine")


def test_faq_for_a_drink_never_suggests_changing_the_other_medicine():
    questions = wording.faq(
        "contraindicated",
        "grapefruit juice",
        "lercanidipine",
        label="Contraindicated",
        action="do not use together",
        patient_management="",
        kinds=DRINK,
    )
    text = " ".join(q + " " + a for q, a in questions)
    assert questions[0][0] == "Can I have grapefruit juice while I take lercanidipine?"
    assert "different medicine" not in text and "the medicines should not" not in text
    assert "What should I do if I have had grapefruit juice while taking lercanidipine?" in text


def test_what_is_known_names_the_kinds():
    known, not_known = wording.what_is_known(
        "unknown",
        "alcohol",
        "amoxicillin",
        sources=["DDInter"],
        label="Unknown",
        action="",
        kinds=DRINK,
    )
    assert known == "DDInter lists alcohol and amoxicillin as a drink and a medicine that interact."


def test_two_foods_use_the_general_wording():
    text = wording.quick_answer("minor", "alcohol", "caffeine", kinds=("drink", "drink"))
    assert text == wording.quick_answer("minor", "alcohol", "caffeine")


def test_ingredient_kind_parse_refuses_an_unknown_kind():
    assert IngredientKind.parse(" Herbal ") is IngredientKind.HERBAL
    with pytest.raises(ValueError, match="medicine, food, drink, herbal"):
        IngredientKind.parse("beverage")
