"""Build the in-memory NameIndex from the database."""

from __future__ import annotations

from medref.vocab.models import Ingredient, Name, Product
from medref.vocab.resolve import NameIndex


def load_name_index() -> NameIndex:
    products: dict[int, tuple[str, str, list[int]]] = {}
    for pid, display, normalized, ing in Product.objects.values_list(
        "id", "name", "normalized", "ingredients__id"
    ):
        products.setdefault(pid, (display, normalized, []))[2].append(ing)
    return NameIndex.build(
        ingredients=Ingredient.objects.values_list("id", "name").iterator(),
        names=Name.objects.values_list("ingredient_id", "name", "normalized", "kind").iterator(
            chunk_size=5000
        ),
        products=[(d, n, tuple(ids)) for d, n, ids in products.values()],
    )
