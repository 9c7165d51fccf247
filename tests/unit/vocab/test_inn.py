"""French-to-English INN spelling rules (medref.vocab.inn)."""

import pytest

from medref.vocab.inn import english_candidates, english_case


@pytest.mark.parametrize(
    ("french", "english"),
    [
        ("Amoxicilline", "amoxicillin"),
        ("Acide alendronique", "alendronic acid"),
        ("Aldesleukine", "aldesleukin"),
        ("Alitrétinoïne", "alitretinoin"),
        ("furosémide", "furosemide"),
        ("Ciclosporine", "ciclosporin"),
        ("toxine botulique", "botulinum toxin"),
        ("ibuprofène", "ibuprofen"),
        ("acide valproïque", "valproic acid"),
        ("valproate de sodium", "valproate sodium"),
    ],
)
def test_english_candidates_include_the_english_inn(french, english):
    assert english in english_candidates(french)


def test_english_candidates_start_with_the_name_itself_without_accents():
    assert english_candidates("Paracétamol")[0] == "paracetamol"
    assert english_candidates("") == []


def test_english_case_lowers_common_nouns_and_keeps_proper_capitals():
    assert english_case("ABEMACICLIB") == "abemaciclib"
    assert english_case("Abemaciclib") == "abemaciclib"
    assert english_case("Cholic Acid") == "cholic acid"
    assert english_case("Protein C") == "protein C"
