"""The engine's view of the database: one snapshot of the knowledge base, read in a few queries."""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from medref.checker import snapshot
from medref.checker.engine import (
    Checker,
    ClassInfo,
    DrugProfile,
    Rule,
    Snapshot,
    SourceInfo,
)
from medref.domain.fields import MONOGRAPH_TEXT
from medref.domain.language import text_key
from medref.domain.sides import SideKind, class_side, ingredient_side, split_ref
from medref.knowledge.models import Interaction, KnowledgeBaseState
from medref.knowledge.severity import Severity
from medref.sources.models import Source
from medref.vocab.loader import load_name_index
from medref.vocab.models import ClassMembership, Code, CodeSystem, DrugClass, Ingredient, Name

_SEVERITY = {s.value: s for s in Severity}


log = logging.getLogger("medref.checker")


def snapshot_dir() -> Path | None:
    """Where compiled snapshots live; None when they are turned off."""
    from django.conf import settings

    raw = getattr(settings, "MEDREF_SNAPSHOT_DIR", "")
    return Path(raw) if raw else None


def database() -> str:
    from django.db import connection

    d = connection.settings_dict
    return snapshot.database_identity(
        d["ENGINE"], str(d["NAME"]), d.get("HOST", ""), d.get("PORT", "")
    )


class DjangoRepository:
    """Reads the knowledge base from its compiled snapshot when one matches the database's
    version, else through the ORM (and then writes the snapshot for every other process)."""

    def thread_done(self) -> None:
        """Called by a background rebuild thread when it finishes: close its connection."""
        from django.db import connection

        connection.close()

    def version(self) -> str:
        return KnowledgeBaseState.stamp()

    def signature(self) -> object:
        """One stat call: changes when another process writes a new snapshot."""
        directory = snapshot_dir()
        return snapshot.pointer_signature(directory) if directory else None

    def ready(self, stamp: str) -> bool:
        """Whether a snapshot of exactly this version exists (so loading it is quick)."""
        directory = snapshot_dir()
        pointer = snapshot.read_pointer(directory) if directory else None
        return pointer is not None and pointer.stamp == stamp and pointer.database == database()

    def load(self) -> Snapshot:
        from django.db import connection

        directory = snapshot_dir()
        stamp = self.version()
        if directory is not None:
            try:
                return snapshot.load(directory, database=database(), stamp=stamp)
            except snapshot.SnapshotError as exc:
                log.info("building the index from the database: %s", exc)
        for _attempt in range(3):
            built = self.load_from_database()
            if built.stamp == self.version():
                break  # nothing committed while we read: the snapshot is consistent
        # Inside a transaction the data may yet be rolled back: never publish it to others.
        if (
            directory is not None
            and not connection.in_atomic_block
            and built.stamp == self.version()
        ):
            try:
                snapshot.write(built, directory, database=database())
            except OSError as exc:
                log.error("could not write the knowledge-base snapshot in %s: %s", directory, exc)
        return built

    def load_from_database(self) -> Snapshot:
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
                *MONOGRAPH_TEXT,
                "references",
                "overrides",
                "levels",
            )
            .iterator(chunk_size=2000)
        }
        empty = ("", "", "", "", "", "", [], [], [])
        problems: list[str] = []
        english = _translations(sources)
        side_of = {
            (SideKind.INGREDIENT, slug): ingredient_side(i) for i, (slug, _) in ingredients.items()
        }
        side_of.update({(SideKind.CLASS, c.slug): class_side(c.id) for c in classes.values()})

        def side(ref: str) -> int:
            return side_of[split_ref(ref)]

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
                log.error("skipped interaction %s while building the index: %r", row[0], exc)
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
            kinds=dict(Ingredient.objects.exclude(kind="medicine").values_list("id", "kind")),
            profiles=self._profiles(),
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
        """RxCUI and ATC codes to ingredients, for EHR requests that send coded medications:
        ingredient codes, plus product-level RxCUIs and NDCs (`medref import rxnorm`), each to
        every ingredient the product contains."""
        from medref.vocab.models import Code, ProductCode

        out: dict[tuple[str, str], list[int]] = defaultdict(list)
        for system, value, ingredient_id in Code.objects.filter(
            system__in=["rxcui", "atc"]
        ).values_list("system", "value", "ingredient_id"):
            if ingredient_id not in out[(system, value)]:
                out[(system, value)].append(ingredient_id)
        for system, value, ingredient_id in (
            ProductCode.objects.filter(ingredients__isnull=False)
            .order_by("system", "value", "ingredients__id")
            .values_list("system", "value", "ingredients__id")
        ):
            if ingredient_id not in out[(system, value)]:
                out[(system, value)].append(ingredient_id)
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def _profiles() -> dict[int, DrugProfile]:
        """What each ingredient's page shows besides its interactions (ADR 0006: pages read the
        index, not the database). Misspellings stay out: they serve the checker, not readers."""
        names: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        rows = Name.objects.exclude(kind="misspelling").order_by("id")
        for ingredient_id, kind, name, country in rows.values_list(
            "ingredient_id", "kind", "name", "country"
        ).iterator(chunk_size=20000):
            names[ingredient_id].append((kind, name, country))
        classes: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for ingredient_id, name, language in ClassMembership.objects.values_list(
            "ingredient_id", "drug_class__name", "drug_class__language"
        ).iterator(chunk_size=20000):
            if (name, language) not in classes[ingredient_id]:
                classes[ingredient_id].append((name, language))
        label = dict(CodeSystem.choices)
        codes: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for ingredient_id, system, value in Code.objects.values_list(
            "ingredient_id", "system", "value"
        ).iterator(chunk_size=20000):
            codes[ingredient_id].append((str(label.get(system, system)), value))
        return {
            i: (tuple(names.get(i, ())), tuple(classes.get(i, ())), tuple(codes.get(i, ())))
            for i in names.keys() | classes.keys() | codes.keys()
        }

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


def knowledge_changed(sender, version: int, **kwargs) -> None:
    """After a committed import or publication: rebuild now and write the snapshot, so that every
    other process (server workers, `medref check`) answers from the new version on its next call."""
    try:
        get_checker().refresh()
    except Exception:
        # The change is committed whatever happens here; the servers still pick it up, from the
        # database, within `recheck_seconds`. Say so loudly, but do not fail the committed work.
        log.exception("rebuilding the index and snapshot after version %s failed", version)


def warm_before_fork(application=None) -> None:
    """For a server that loads the app once and forks its workers (gunicorn --preload): build the
    index in the parent, so no request waits for it and every worker shares one copy in memory.
    With the WSGI `application`, one check is also sent through it, so that the code every
    request runs (routing, the API, the engine's hot path) is loaded before the fork too."""
    import gc

    from django.db import connections
    from django.urls import get_resolver

    len(get_resolver().url_patterns)  # import every view now, not on each worker's first request
    get_checker().index()
    if application is not None:
        try:
            _one_request(application)
        except Exception:  # warming is an optimisation: never a reason not to start
            log.exception("the warm-up request before forking failed")
    connections.close_all()  # a connection must never be shared across fork
    gc.collect()
    gc.freeze()  # keep the index out of later collections, so its pages stay shared


def _one_request(application) -> None:
    import io
    import sys

    from django.conf import settings

    body = b'{"drugs": ["warfarin", "aspirin"]}'
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/check",
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    response = application(environ, lambda status, headers, exc_info=None: None)
    try:
        b"".join(response)
    finally:
        close = getattr(response, "close", None)
        if close:
            close()
