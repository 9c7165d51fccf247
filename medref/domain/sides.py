"""A side of a pair, and the one key of a pair, defined once.

A rating is about two sides; each side is an ingredient or a drug class. The same pair must get
the same key whichever order its sides come in, or one interaction is stored twice and one of the
copies is missed. Three forms exist because three places need different things, and all three
are built here:

- `Side`: the typed value (kind and database id); `Side.key` is its text form, "i12" or "c3".
- `pair_key(a, b)`: the order-free key of two sides, "c3|i12", stored on each rating row and
  unique per source.
- `Side.code`: a single int for the checker's hot path, 2*id for an ingredient and 2*id+1 for a
  class, so both kinds share one key space. The engine reads it back inline on its hot path
  (`code % 2` is 1 for a class, `code // 2` is the id), as `Side.from_code` does.

Content files name sides by slug instead ("warfarin", "class:nsaids"); `ref_pair_key` gives
their order-free key.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

CLASS_PREFIX = "class:"  # how a content file names a class side: "class:nsaids"


class SideKind(enum.StrEnum):
    INGREDIENT = "ingredient"
    CLASS = "class"


@dataclass(frozen=True, slots=True, order=True)
class Side:
    kind: SideKind
    id: int

    @classmethod
    def ingredient(cls, ingredient_id: int) -> Side:
        return cls(SideKind.INGREDIENT, ingredient_id)

    @classmethod
    def drug_class(cls, class_id: int) -> Side:
        return cls(SideKind.CLASS, class_id)

    @classmethod
    def of(cls, ingredient_id: int | None, class_id: int | None) -> Side:
        """The side a rating row's two nullable columns describe; exactly one must be set."""
        if (ingredient_id is None) == (class_id is None):
            raise ValueError("a side is an ingredient or a class, not both and not neither")
        if ingredient_id is not None:
            return cls.ingredient(ingredient_id)
        assert class_id is not None
        return cls.drug_class(class_id)

    @classmethod
    def from_code(cls, code: int) -> Side:
        return cls(SideKind.CLASS if code % 2 else SideKind.INGREDIENT, code // 2)

    @property
    def is_class(self) -> bool:
        return self.kind is SideKind.CLASS

    @property
    def key(self) -> str:
        return f"{'c' if self.is_class else 'i'}{self.id}"

    @property
    def code(self) -> int:
        return self.id * 2 + self.is_class


def ingredient_side(ingredient_id: int) -> int:
    """`Side.ingredient(i).code`, without building a Side (the checker calls this per rule)."""
    return ingredient_id * 2


def class_side(class_id: int) -> int:
    """`Side.drug_class(c).code`, without building a Side."""
    return class_id * 2 + 1


def pair_key(a: Side, b: Side) -> str:
    """The order-free key of a pair: pair_key(a, b) == pair_key(b, a)."""
    first, second = sorted((a.key, b.key))
    return f"{first}|{second}"


def split_ref(ref: str) -> tuple[SideKind, str]:
    """What a content file's side names: ("class", "nsaids") for "class:nsaids", else a drug."""
    if ref.startswith(CLASS_PREFIX):
        return SideKind.CLASS, ref[len(CLASS_PREFIX) :]
    return SideKind.INGREDIENT, ref


def ref_pair_key(a: str, b: str) -> str:
    """The order-free key of a pair as content files name it ("warfarin", "class:nsaids")."""
    first, second = sorted((a, b))
    return f"{first}|{second}"
