"""The engine's view of the database: one snapshot of the knowledge base, read in a few queries."""

from __future__ import annotations

import logging
from collections import defaultdict

from medref.checker.engine import (
    Checker,
    ClassInfo,
    Rule,
    Snapshot,
    SourceInfo,
    class_side,
    ingredient_side,
)
from medref.domain.language import text_key
from medref.knowledge.models import Interaction, KnowledgeBaseState, Source
from medref.knowledge.severity import Severity
from medref.vocab.loader import load_name_index
from medref.vocab.models import ClassMembership, DrugClass, Ingredient, Name

_SEVERITY = {s.value: s for s in Severity}


class DjangoRepository:
    def thread_done(self) -> None:
        """Called by a background rebuild thread when it finishes: close its connection."""
        from django.db import connection

        connection.close()

    def version(self) -> str:
        return KnowledgeBaseState.stamp()

    def load(self) -> Snapshot:
        stamp = self.version()
        state = KnowledgeBaseState.objects.filter(pk=1).values_list("version", "changed_at").first()
        version, changed_at = state if state else (0, None)
        brands: dict[int, list[str]] = defaultdict(list)
        for ingredient_id, name in (
            Name.objects.filter(kind="brand").order_by("name").values_list("ingredient_id", "name")
        ):
            if name not in brands[ingredient_id]:
                brands[ingredient_id].append(name)
        ingredients = {
            i: (slug, name)
            for i, slug, name in Ingredient.objects.values_list("id", "slug", "name").iterator()
        }
        classes = {
            c: ClassInfo(c, slug, name, dup)
            for c, slug, name, dup in DrugClass.objects.values_list(
                "id", "slug", "name", "duplication"
            )
        }
        memberships: dict[int, list[int]] = defaultdict(list)
        for class_id, ingredient_id in ClassMembership.objects.values_list(
            "drug_class_id", "ingredient_id"
        ).iterator():
            memberships[ingredient_id].append(class_id)
        sources = {
            s.key: SourceInfo(s.key, s.name, s.version, s.licence, s.url, s.language)
            for s in Source.objects.all()
        }
        source_key = {s.id: s.key for s in Source.objects.all()}
        # Severity-only rows (DDInter) are the bulk: read the narrow columns for all rows, and the
        # text columns only for the rows that have any.
        rules: list[Rule] = []
        texts = {
            row[0]: row[1:]
            for row in Interaction.objects.filter(status="published")
            .exclude(mechanism="", management="", patient_mechanism="")
            .values_list(
                "id",
                "evidence",
                "mechanism",
                "consequence",
                "management",
                "patient_mechanism",
                "patient_management",
                "references",
                "overrides",
                "levels",
            )
            .iterator(chunk_size=2000)
        }
        empty = ("", "", "", "", "", "", [], [], [])
        problems: list[str] = []
        english = _translations(sources)
        side_of = {("drug", slug): ingredient_side(i) for i, (slug, _) in ingredients.items()}
        side_of.update({("class", c.slug): class_side(c.id) for c in classes.values()})

        def side(ref: str) -> int:
            return side_of[("class", ref[6:]) if ref.startswith("class:") else ("drug", ref)]

        for row in (
            Interaction.objects.filter(status="published")
            .values_list(
                "id",
                "source_id",
                "a_ingredient_id",
                "a_class_id",
                "b_ingredient_id",
                "b_class_id",
                "severity",
                "language",
                "review_status",
                "reviewed_by",
                "reviewed_at",
            )
            .iterator(chunk_size=20000)
        ):
            try:
                rules.append(self._rule(row, texts, empty, english, sources, source_key, side))
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                # One bad row never takes the checker down: it is skipped, logged and reported
                # on /healthz, and every other rule still serves.
                problems.append(f"interaction {row[0]}: {exc.__class__.__name__}: {exc}")
                logging.getLogger("medref.checker").error(
                    "skipped interaction %s while building the index: %r", row[0], exc
                )
        return Snapshot(
            version=version,
            stamp=stamp,
            ingredients=ingredients,
            classes=classes,
            memberships={k: tuple(v) for k, v in memberships.items()},
            rules=rules,
            sources=sources,
            names=load_name_index(),
            changed_at=changed_at,
            brands={k: tuple(v) for k, v in brands.items()},
            topics=self._topics(),
            codes=self._codes(),
            problems=tuple(problems),
        )

    @staticmethod
    def _rule(row, texts, empty, english, sources, source_key, side) -> Rule:
        rid, sid, ai, ac, bi, bc, severity, language, review, reviewed_by, reviewed_at = row
        (evidence, mechanism, consequence, management, pmech, pman, refs, overrides, levels) = (
            texts.get(rid, empty)
        )
        original: dict = {}
        if language != "en" and (mechanism or management):
            original = _english(english, source_key[sid], sources, mechanism, management, levels)
            mechanism, management, language = (
                original.pop("mechanism"),
                original.pop("management"),
                "en",
            )
        return Rule(
            id=rid,
            source=source_key[sid],
            a=ingredient_side(ai) if ai is not None else class_side(ac),
            b=ingredient_side(bi) if bi is not None else class_side(bc),
            severity=_SEVERITY[severity],
            evidence=evidence,
            mechanism=mechanism,
            consequence=consequence,
            management=management,
            patient_mechanism=pmech,
            patient_management=pman,
            language=language,
            review_status=review,
            reviewed_by=reviewed_by,
            reviewed_at=reviewed_at.isoformat() if reviewed_at else "",
            references=tuple(tuple(sorted(r.items())) for r in refs),
            overrides=tuple(((side(o["a"]), side(o["b"])), o["reason"]) for o in overrides or ()),
            **original,
        )

    @staticmethod
    def _codes() -> dict[tuple[str, str], tuple[int, ...]]:
        """RxCUI and ATC codes to ingredients, for EHR requests that send coded medications."""
        from medref.vocab.models import Code

        out: dict[tuple[str, str], list[int]] = defaultdict(list)
        for system, value, ingredient_id in Code.objects.filter(
            system__in=["rxcui", "atc"]
        ).values_list("system", "value", "ingredient_id"):
            if ingredient_id not in out[(system, value)]:
                out[(system, value)].append(ingredient_id)
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def _topics() -> dict[int, tuple[tuple[str, str], ...]]:
        """Published topics per ingredient. Topics change only through imports and publishing,
        which bump the knowledge-base version, so the index may hold them."""
        from medref.reference.models import Topic

        out: dict[int, list[tuple[str, str]]] = defaultdict(list)
        rows = Topic.objects.published().filter(drugs__isnull=False).order_by("title")
        for ingredient_id, slug, title in rows.values_list("drugs__id", "slug", "title"):
            out[ingredient_id].append((slug, title))
        return {k: tuple(v) for k, v in out.items()}


UNTRANSLATED = (
    "This source's text is in {language} and has no English version yet; the original is shown "
    "under Sources."
)


def _translations(sources: dict[str, SourceInfo]) -> dict[tuple[str, str], str]:
    from medref.knowledge.models import Translation

    keys = [k for k, s in sources.items() if s.language != "en"]
    return {
        (source_key, key): text
        for source_key, key, text in Translation.objects.filter(
            source_key__in=keys, language="en"
        ).values_list("source_key", "key", "text")
    }


def _english(
    english: dict[tuple[str, str], str],
    source: str,
    sources: dict[str, SourceInfo],
    mechanism: str,
    management: str,
    levels: list,
) -> dict:
    """Our English version of a rule's text, with the source's own words kept as the original.
    A text without an English version is never shown as if it were English: it says so."""
    info = sources[source]
    language = {"fr": "French"}.get(info.language, info.language)

    def translate(parts: list[str]) -> str | None:
        out = [english.get((source, text_key(p))) for p in parts if p.strip()]
        return None if None in out else "\n".join(out)  # type: ignore[arg-type]

    # Management is given per level (by route or dose); each level's text is translated alone.
    infos = [lv.get("info", "") for lv in levels or () if isinstance(lv, dict)]
    en_mechanism = translate([mechanism]) if mechanism else ""
    en_management = translate(infos if infos else [management]) if management else ""
    missing = en_mechanism is None or en_management is None
    return {
        "mechanism": UNTRANSLATED.format(language=language)
        if en_mechanism is None
        else en_mechanism,
        "management": "" if en_management is None else en_management,
        "original_language": info.language,
        "original_mechanism": mechanism,
        "original_management": management,
        "translation_note": (
            f"No English version yet of this {language} text."
            if missing
            else f"Translated from {info.name} {info.version} by the medref team; unreviewed."
        ),
    }


_checker: Checker | None = None


def get_checker() -> Checker:
    """The process-wide checker; its index is built on first use and rebuilt on a new version."""
    global _checker
    if _checker is None:
        _checker = Checker(DjangoRepository())
    return _checker
