"""One pair, one key, whichever order its sides come in and whichever form the caller holds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medref.domain.sides import (
    Side,
    SideKind,
    class_side,
    ingredient_side,
    pair_key,
    ref_pair_key,
    split_ref,
)

sides = st.builds(Side, st.sampled_from(list(SideKind)), st.integers(min_value=1, max_value=10**9))


@given(sides, sides)
def test_pair_key_ignores_order(a, b):
    assert pair_key(a, b) == pair_key(b, a)


@given(sides, sides, sides, sides)
def test_different_pairs_get_different_keys(a, b, c, d):
    if {a, b} != {c, d}:
        assert pair_key(a, b) != pair_key(c, d)


@given(sides)
def test_the_int_code_round_trips_and_keeps_kinds_apart(side):
    assert Side.from_code(side.code) == side
    fast = class_side(side.id) if side.is_class else ingredient_side(side.id)
    assert fast == side.code


def test_an_ingredient_and_a_class_with_the_same_id_are_different_sides():
    assert Side.ingredient(3).key == "i3" and Side.drug_class(3).key == "c3"
    assert pair_key(Side.ingredient(12), Side.drug_class(3)) == "c3|i12"


def test_a_row_side_needs_exactly_one_column():
    assert Side.of(None, 4) == Side.drug_class(4)
    with pytest.raises(ValueError):
        Side.of(None, None)
    with pytest.raises(ValueError):
        Side.of(1, 2)


def test_file_refs_have_an_order_free_key():
    assert ref_pair_key("warfarin", "class:nsaids") == ref_pair_key("class:nsaids", "warfarin")


def test_file_refs_split_into_kind_and_slug():
    assert split_ref("class:nsaids") == (SideKind.CLASS, "nsaids")
    assert split_ref("warfarin") == (SideKind.INGREDIENT, "warfarin")
