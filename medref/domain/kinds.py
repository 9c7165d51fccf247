"""What kind of thing an ingredient is: a medicine, or a food, drink or herbal product that
interacts with medicines. Django-free: the content loader validates it and the guide wording
uses it, so that a page about grapefruit juice says "drink", not "medicine"."""

from __future__ import annotations

import enum


class IngredientKind(enum.StrEnum):
    MEDICINE = "medicine"
    FOOD = "food"
    DRINK = "drink"
    HERBAL = "herbal"

    @property
    def noun(self) -> str:
        """The word a sentence uses for one of these ("a herbal remedy and a medicine")."""
        return _NOUN[self]

    @property
    def label(self) -> str:
        return _LABEL[self]

    @classmethod
    def parse(cls, raw: object) -> IngredientKind:
        try:
            return cls(str(raw).strip().lower())
        except ValueError:
            allowed = ", ".join(k.value for k in cls)
            raise ValueError(f"{raw!r} is not a kind of ingredient; use one of {allowed}") from None

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(k.value, k.label) for k in cls]


_NOUN = {
    IngredientKind.MEDICINE: "medicine",
    IngredientKind.FOOD: "food",
    IngredientKind.DRINK: "drink",
    IngredientKind.HERBAL: "herbal remedy",
}
_LABEL = {
    IngredientKind.MEDICINE: "Medicine",
    IngredientKind.FOOD: "Food",
    IngredientKind.DRINK: "Drink",
    IngredientKind.HERBAL: "Herbal product",
}
