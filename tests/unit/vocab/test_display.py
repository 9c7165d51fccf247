"""Names in running text: lower case mid-sentence, a capital only where a sentence starts."""

from __future__ import annotations

import pytest

from medref.vocab.display import at_start, in_sentence


@pytest.mark.parametrize(
    ("stored", "mid", "start"),
    [
        ("abatacept", "abatacept", "Abatacept"),
        ("Abatacept", "abatacept", "Abatacept"),  # title case from an older import
        ("ABATACEPT", "abatacept", "Abatacept"),
        ("Cholic Acid", "cholic acid", "Cholic acid"),
        ("BCG vaccine (live)", "BCG vaccine (live)", "BCG vaccine (live)"),
        ("St John's wort", "St John's wort", "St John's wort"),
        ("protein C", "protein C", "Protein C"),
    ],
)
def test_display_names_keep_deliberate_capitals_and_lose_title_case(stored, mid, start):
    assert in_sentence(stored) == mid
    assert at_start(stored) == start
