"""French detection and translation keys (medref.domain.language)."""

from medref.domain.language import looks_french, text_key


def test_looks_french_flags_ansm_text_and_passes_english_clinical_prose():
    assert looks_french("Contrôle plus fréquent de l'INR. Adaptation éventuelle de la posologie")
    assert looks_french("Majoration du risque hémorragique avec les AINS")
    assert not looks_french("Monitor the INR more often and adjust the warfarin dose.")
    assert not looks_french("Risk of torsades de pointes; patients on concentrations above...")


def test_text_key_ignores_line_wrapping_only():
    assert text_key("Risque de\n  saignement.") == text_key("Risque de saignement.")
    assert text_key("Risque de saignement.") != text_key("Risque de saignement!")
    assert len(text_key("x")) == 12
