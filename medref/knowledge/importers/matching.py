"""Match a data source's drug to one of our ingredients, or create it.

Order: a code we already hold (DDInter ID, RxCUI, DrugBank ID...), then an exact normalised name
(INN, US, UK, synonym, salt or another source's name; brand names and misspellings are never used
to merge). A new ingredient is created only when nothing matches. The source's own name and codes
are recorded against the ingredient so the next import matches at once.
"""

from __future__ import annotations

from collections import defaultdict

from medref.knowledge.importers.base import Summary
from medref.sources.models import Source
from medref.vocab.inn import english_case
from medref.vocab.models import Code, Ingredient, Name, NameKind
from medref.vocab.normalize import normalize, slugify

_MERGE_KINDS = {
    NameKind.INN,
    NameKind.US,
    NameKind.UK,
    NameKind.SYNONYM,
    NameKind.SALT,
    NameKind.SOURCE,
}
# Prefer the ingredient whose canonical name this is, then national names, then the rest.
_KIND_RANK = {
    NameKind.INN: 0,
    NameKind.US: 1,
    NameKind.UK: 1,
    NameKind.SYNONYM: 2,
    NameKind.SALT: 3,
    NameKind.SOURCE: 4,
}


class IngredientMatcher:
    def __init__(
        self,
        *,
        source: Source,
        summary: Summary,
        create: bool = True,
        ignore_source_names_in: frozenset[str] = frozenset(),
    ) -> None:
        """`ignore_source_names_in`: languages whose sources' own names (kind "source") this
        import must not merge on. An English source spelling a drug like a French one
        ("isosorbide") may mean another substance than the one the French source did."""
        self.source = source
        self.summary = summary
        self.create = create
        self.by_code: dict[tuple[str, str], int] = {}
        self.codes_held: set[tuple[int, str, str]] = set()
        for system, value, ing in Code.objects.order_by("id").values_list(
            "system", "value", "ingredient_id"
        ):
            self.by_code.setdefault((system, value), ing)
            self.codes_held.add((ing, system, value))
        self.by_name: dict[str, dict[int, int]] = defaultdict(dict)
        self.names_held: set[tuple[int, str, str]] = set()
        ignored = set(
            Source.objects.filter(language__in=ignore_source_names_in).values_list("id", flat=True)
        )
        for ing, normalized, kind, source_id in Name.objects.values_list(
            "ingredient_id", "normalized", "kind", "source_id"
        ):
            if kind == NameKind.SOURCE and source_id in ignored and source_id != source.id:
                continue
            if kind in _MERGE_KINDS:
                rank = _KIND_RANK[NameKind(kind)]
                self.by_name[normalized][ing] = min(rank, self.by_name[normalized].get(ing, 99))
            if source_id == source.id:
                self.names_held.add((ing, normalized, kind))
        self.slugs = set(Ingredient.objects.values_list("slug", flat=True))
        self.new_names: list[Name] = []
        self.new_codes: list[Code] = []

    def find(
        self, *, name: str, codes: list[tuple[str, str]] = (), exclude: set[int] = frozenset()
    ) -> int | None:
        return self.find_ranked(name=name, codes=codes, exclude=exclude)[1]

    def find_ranked(
        self, *, name: str, codes: list[tuple[str, str]] = (), exclude: set[int] = frozenset()
    ) -> tuple[int, int | None]:
        """(how strong the match is, ingredient id); lower is stronger, -1 for a code match."""
        for code in codes:
            if code in self.by_code and self.by_code[code] not in exclude:
                return -1, self.by_code[code]
        candidates = {
            i: r for i, r in self.by_name.get(normalize(name), {}).items() if i not in exclude
        }
        if not candidates:
            return 99, None
        best = min(candidates.values())
        winners = sorted(ing for ing, rank in candidates.items() if rank == best)
        if len(winners) > 1:
            self.summary.skipped[
                ("drug names", "ambiguous name; matched the oldest ingredient")
            ] += 1
        return best, winners[0]

    def match_or_create(
        self,
        *,
        name: str,
        code: tuple[str, str] | None = None,
        extra_codes: list[tuple[str, str]] = (),
        exclude: set[int] = frozenset(),
        force: int | None = None,
    ) -> int | None:
        """The matching ingredient (never one in `exclude`), created when nothing matches.
        `force`: the caller has already identified it; record the name and codes on it."""
        codes = [c for c in [code, *extra_codes] if c]
        ingredient_id = (
            force if force is not None else self.find(name=name, codes=codes, exclude=exclude)
        )
        if ingredient_id is None:
            if not self.create:
                return None
            slug = slugify(name)
            if slug in self.slugs:
                slug = f"{slug}-{self.source.key}"
            n = 2
            base = slug
            while slug in self.slugs:
                slug, n = f"{base}-{n}", n + 1
            self.slugs.add(slug)
            display = english_case(name)
            ingredient_id = Ingredient.objects.create(
                slug=slug, name=display, source=self.source
            ).id
            self.summary.added["drugs"] += 1
        else:
            self.summary.unchanged["drugs"] += 1
        normalized = normalize(name)
        if (ingredient_id, normalized, NameKind.SOURCE) not in self.names_held:
            self.names_held.add((ingredient_id, normalized, NameKind.SOURCE))
            self.new_names.append(
                Name(
                    ingredient_id=ingredient_id,
                    name=name.strip(),
                    normalized=normalized,
                    kind=NameKind.SOURCE,
                    source=self.source,
                )
            )
            self.by_name[normalized].setdefault(ingredient_id, _KIND_RANK[NameKind.SOURCE])
        for system, value in codes:
            if (ingredient_id, system, value) not in self.codes_held:
                self.codes_held.add((ingredient_id, system, value))
                self.by_code.setdefault((system, value), ingredient_id)
                self.new_codes.append(
                    Code(
                        ingredient_id=ingredient_id, system=system, value=value, source=self.source
                    )
                )
        return ingredient_id

    def add_name(self, ingredient_id: int, name: str, kind: str) -> None:
        normalized = normalize(name)[:300]  # the column's width; checked after cutting
        if not normalized or (ingredient_id, normalized, kind) in self.names_held:
            return
        self.names_held.add((ingredient_id, normalized, kind))
        self.new_names.append(
            Name(
                ingredient_id=ingredient_id,
                name=name.strip()[:300],
                normalized=normalized,
                kind=kind,
                source=self.source,
            )
        )

    def add_name_if_free(self, ingredient_id: int, name: str, kind: str) -> bool:
        """Record a name unless it already names another ingredient: a vocabulary that lists an
        enantiomer's or a salt's parent name as a synonym ("citalopram" for escitalopram) must
        not make that name ambiguous."""
        normalized = normalize(name)[:300]
        holders = self.by_name.get(normalized, {})
        if any(other != ingredient_id for other in holders):
            self.summary.skipped[("names", "already the name of another ingredient")] += 1
            return False
        self.add_name(ingredient_id, name, kind)
        self.by_name[normalized].setdefault(ingredient_id, _KIND_RANK.get(NameKind(kind), 4))
        return True

    def add_code(self, ingredient_id: int, system: str, value: str) -> None:
        if (ingredient_id, system, value) in self.codes_held:
            return
        self.codes_held.add((ingredient_id, system, value))
        self.new_codes.append(
            Code(ingredient_id=ingredient_id, system=system, value=value, source=self.source)
        )

    def flush(self) -> None:
        Name.objects.bulk_create(self.new_names, batch_size=5000, ignore_conflicts=True)
        Code.objects.bulk_create(self.new_codes, batch_size=5000, ignore_conflicts=True)
        self.summary.added["names"] += len(self.new_names)
        self.summary.added["codes"] += len(self.new_codes)
        self.new_names, self.new_codes = [], []
