"""`medref kb audit`: is every drug one thing, and does every English reader get English?

Finds likely duplicate ingredients (one code on two ingredients; names that are equal once the
French-to-English INN spelling rules are applied), substances each source could not match to an
ingredient we already knew, ingredients whose English name was only guessed, classes without an
English name, and foreign-language rule texts without an English version.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from medref.domain.language import text_key
from medref.vocab.inn import english_candidates

# Systems where one value must denote one ingredient. ATC is left out: one ATC code may cover a
# salt and its base, and combination codes name several ingredients on purpose.
UNIQUE_CODE_SYSTEMS = ("rxcui", "drugbank", "unii")
_MERGE_KINDS = ("inn", "us", "uk", "synonym", "salt", "source")


@dataclass
class Audit:
    duplicates: list[dict] = field(default_factory=list)
    created_per_source: dict[str, int] = field(default_factory=dict)
    identified_per_source: dict[str, dict[str, int]] = field(default_factory=dict)
    unmatched: dict[str, list[str]] = field(default_factory=dict)
    guessed_names: list[str] = field(default_factory=list)
    classes_without_english: list[str] = field(default_factory=list)
    untranslated_texts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.duplicates

    def as_dict(self) -> dict:
        return {**asdict(self), "duplicate_count": len(self.duplicates), "ok": self.ok}


def run_audit() -> Audit:
    from medref.knowledge.models import Interaction, Translation
    from medref.sources.models import Source
    from medref.vocab.models import Code, DrugClass, IdentityLink, Ingredient, Name

    audit = Audit()
    names = dict(Ingredient.objects.values_list("id", "name"))
    slugs = dict(Ingredient.objects.values_list("id", "slug"))

    def label(i: int) -> str:
        return f"{names[i]} ({slugs[i]})"

    seen_groups: set[frozenset[int]] = set()

    def report(ids: set[int], why: str) -> None:
        group = frozenset(ids)
        if len(group) > 1 and group not in seen_groups:
            seen_groups.add(group)
            audit.duplicates.append({"ingredients": sorted(label(i) for i in group), "why": why})

    by_code: dict[tuple[str, str], set[int]] = defaultdict(set)
    for system, value, ingredient in Code.objects.filter(
        system__in=UNIQUE_CODE_SYSTEMS
    ).values_list("system", "value", "ingredient_id"):
        by_code[(system, value)].add(ingredient)
    for (system, value), ids in sorted(by_code.items()):
        report(ids, f"same {system} code {value}")

    french_sources = set(Source.objects.exclude(language="en").values_list("id", flat=True))
    # A French name a reviewed mapping assigned to an ingredient is a decision, not evidence:
    # ANSM's "isosorbide" is the nitrate, whatever an English source means by the same letters.
    from medref.vocab.normalize import normalize

    decided = {
        (ingredient, normalize(name))
        for ingredient, name in IdentityLink.objects.filter(method="mapping").values_list(
            "ingredient_id", "external_name"
        )
    }
    by_key: dict[str, set[int]] = defaultdict(set)
    for ingredient, normalized, _kind, source in Name.objects.filter(
        kind__in=_MERGE_KINDS
    ).values_list("ingredient_id", "normalized", "kind", "source_id"):
        if source in french_sources and (ingredient, normalized) in decided:
            continue
        by_key[normalized].add(ingredient)
        if source in french_sources:
            for candidate in english_candidates(normalized)[1:]:
                by_key[candidate].add(ingredient)
    for key, ids in sorted(by_key.items()):
        report(ids, f"same name after the spelling rules: {key!r}")

    sources = {s.id: s.key for s in Source.objects.all()}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for source, method, external, ingredient, detail in IdentityLink.objects.values_list(
        "source_id", "method", "external_name", "ingredient_id", "detail"
    ).order_by("external_name"):
        key = sources[source]
        counts[key][method] += 1
        if method == "created":
            audit.unmatched.setdefault(key, []).append(f"{external} -> {names[ingredient]}")
            if "guessed" in detail:
                audit.guessed_names.append(f"{external} -> {names[ingredient]}")
    audit.identified_per_source = {k: dict(v) for k, v in counts.items()}
    from django.db.models import Count

    audit.created_per_source = {
        sources[row["source_id"]]: row["n"]
        for row in Ingredient.objects.values("source_id").annotate(n=Count("id"))
    }
    audit.classes_without_english = sorted(
        DrugClass.objects.exclude(language="en").values_list("name", flat=True)
    )
    translated = set(Translation.objects.values_list("source_key", "key"))
    for key, source_id in Source.objects.exclude(language="en").values_list("key", "id"):
        missing = 0
        for mechanism, levels in Interaction.objects.filter(source_id=source_id).values_list(
            "mechanism", "levels"
        ):
            texts = [
                mechanism,
                *(lv.get("info", "") for lv in levels or () if isinstance(lv, dict)),
            ]
            missing += sum(1 for t in texts if t.strip() and (key, text_key(t)) not in translated)
        audit.untranslated_texts[key] = missing
    return audit
