"""`sync_rows`, the one loop every content writer uses to make a table match its input."""

from __future__ import annotations

import pytest

from medref.knowledge.importers.base import ImportFailed, Summary, upsert_source
from medref.knowledge.importers.sync import sync_rows
from medref.vocab.models import DrugClass

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return upsert_source(
        key="test-source", defaults={"name": "Test", "version": "1", "licence": "-"}
    )


def _held(source, **names):
    for slug, name in names.items():
        DrugClass.objects.create(slug=slug, name=name, source=source)


def _sync(source, wanted, summary, **options):
    return sync_rows(
        DrugClass,
        {slug: {"name": name} for slug, name in wanted.items()},
        key="slug",
        fields=("name",),
        existing=DrugClass.objects.filter(source=source),
        defaults={"source": source},
        summary=summary,
        label="classes",
        **options,
    )


def _names():
    return dict(DrugClass.objects.values_list("slug", "name"))


def test_sync_rows_creates_updates_counts_and_removes(source):
    _held(source, statins="Statins", nsaids="NSAIDs", gone="Dropped class")
    summary = Summary(title="t")

    rows = _sync(source, {"statins": "Statins", "nsaids": "NSAIDs (all)", "sris": "SSRIs"}, summary)

    assert _names() == {"statins": "Statins", "nsaids": "NSAIDs (all)", "sris": "SSRIs"}
    assert set(rows) == {"statins", "nsaids", "sris"} and all(r.pk for r in rows.values())
    assert rows["sris"].source == source
    assert (summary.read["classes"], summary.added["classes"], summary.updated["classes"]) == (
        3,
        1,
        1,
    )
    assert (summary.unchanged["classes"], summary.removed["classes"]) == (1, 1)


def test_sync_rows_twice_changes_nothing(source):
    wanted = {"statins": "Statins", "nsaids": "NSAIDs"}
    _sync(source, wanted, Summary(title="first"))
    summary = Summary(title="second")

    _sync(source, wanted, summary)

    assert not summary.changed
    assert summary.unchanged["classes"] == 2


def test_sync_rows_guard_runs_before_anything_is_removed(source):
    _held(source, statins="Statins", nsaids="NSAIDs")
    calls = []

    def guard(existing, removing):
        calls.append((existing, removing))
        raise ImportFailed("too many removals")

    with pytest.raises(ImportFailed, match="too many removals"):
        _sync(source, {"statins": "Statins"}, Summary(title="t"), guard=guard)

    assert calls == [(2, 1)]
    assert _names() == {"statins": "Statins", "nsaids": "NSAIDs"}


def test_sync_rows_leaves_kept_keys_alone_and_counts_them_skipped(source):
    _held(source, statins="Statins edited in medref", nsaids="NSAIDs")
    summary = Summary(title="t")

    rows = _sync(
        source,
        {"statins": "Statins", "nsaids": "NSAIDs"},
        summary,
        keep={"statins"},
        keep_reason="changed through the editorial workflow; not overwritten",
    )

    assert _names()["statins"] == "Statins edited in medref"
    assert rows["statins"].name == "Statins edited in medref"
    assert summary.skipped == {
        ("classes", "changed through the editorial workflow; not overwritten"): 1
    }
    assert (summary.updated["classes"], summary.unchanged["classes"]) == (0, 1)


def test_sync_rows_keeps_stale_rows_when_told_to(source):
    _held(source, statins="Statins", gone="Dropped class")
    summary = Summary(title="t")

    _sync(source, {"statins": "Statins"}, summary, remove=None)

    assert set(_names()) == {"statins", "gone"}
    assert summary.removed["classes"] == 0


def test_sync_rows_updates_a_row_its_differs_callback_flags(source):
    _held(source, statins="Statins")
    summary = Summary(title="t")

    _sync(source, {"statins": "Statins"}, summary, differs=lambda key, row: key == "statins")

    assert summary.updated["classes"] == 1
