"""Integrity rules (issue 15, part 5): every knowledge-base change moves `Last-Modified` and the
sitemap's `lastmod`, and an import never silently removes a large share of a source's ratings."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils.http import http_date
from rich.console import Console

from medref.knowledge.importers.errors import ImportFailed
from medref.knowledge.models import Interaction, KnowledgeBaseState
from medref.sources.models import Source
from tests.integration.test_importers import table_state

pytestmark = pytest.mark.django_db
QUIET = Console(quiet=True)
GUIDE = "/interactions/natalizumab-and-ocrelizumab/"
# Far enough back that "moved" never depends on how quickly the test runs (HTTP dates have
# one-second resolution).
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
DDINTER_FILES = [f"ddinter_downloads_code_{letter}.csv.gz" for letter in "ABDHLPRV"]


def set_changed_at(when: dt.datetime) -> None:
    KnowledgeBaseState.objects.filter(pk=1).update(changed_at=when)


def content_copy(tmp_path: Path, *, keep_interactions: int | None = None, edit=None) -> Path:
    """A copy of the fixture content, optionally keeping only the first N interactions or
    rewriting the interactions file with `edit`."""
    from tests.conftest import FIXTURE_CONTENT

    copy = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, copy)
    path = copy / "interactions" / "core.yaml"
    text = path.read_text()
    if keep_interactions is not None:
        entries = text.split("\n- ")  # the file is one YAML list, "- a:" starting each entry
        text = "\n- ".join(entries[:keep_interactions]) + "\n"
    if edit is not None:
        text = edit(text)
    path.write_text(text)
    return copy


# --- every version bump moves changed_at -------------------------------------------------


def test_knowledge_base_bump_moves_changed_at(db):
    KnowledgeBaseState.bump()
    set_changed_at(LONG_AGO)

    version = KnowledgeBaseState.bump()

    row = KnowledgeBaseState.objects.get(pk=1)
    assert row.version == version
    assert row.changed_at > LONG_AGO


def _team(django_user_model) -> dict:
    users = {}
    for role, name in (
        ("Authors", "author"),
        ("Clinical reviewers", "reviewer"),
        ("Editors", "editor"),
    ):
        user = django_user_model.objects.create_user(name, f"{name}@example.org", "a-long-pass-1")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[name] = user
    return users


def test_guide_last_modified_moves_when_a_publish_changes_the_severity(
    client, checker, django_user_model
):
    from medref.editorial import actions

    team = _team(django_user_model)
    set_changed_at(LONG_AGO)
    checker.reset()
    before = client.get(GUIDE)
    assert before["Last-Modified"] == http_date(LONG_AGO.timestamp())
    row = Interaction.objects.get(source__key="medref-curated", a_ingredient__slug="natalizumab")
    revision = actions.start_revision(
        document=row, changes={"severity": "contraindicated"}, change_note="x", by=team["author"]
    )
    actions.submit_for_review(revision=revision, by=team["author"])
    actions.approve(revision=revision, review_note="ok", reviewer_team="Neuro", by=team["reviewer"])

    actions.publish(revision=revision, by=team["editor"])

    checker.reset()
    after = client.get(GUIDE, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert after["Last-Modified"] != before["Last-Modified"]
    assert 'class="severity severity-contraindicated"' in after.content.decode()


def test_guide_last_modified_and_sitemap_lastmod_move_after_an_import(client, checker, tmp_path):
    from medref.content.load import import_content

    changed = content_copy(
        tmp_path,
        edit=lambda text: text.replace(
            "b: ocrelizumab\n  severity: major", "b: ocrelizumab\n  severity: contraindicated", 1
        ),
    )
    set_changed_at(LONG_AGO)
    checker.reset()
    before = client.get(GUIDE)
    assert "<lastmod>2020-01-01</lastmod>" in client.get("/sitemap.xml").content.decode()

    import_content(path=changed, console=QUIET)

    checker.reset()
    after = client.get(GUIDE, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert 'class="severity severity-contraindicated"' in after.content.decode()
    assert after["Last-Modified"] != before["Last-Modified"]
    assert "<lastmod>2020-01-01</lastmod>" not in client.get("/sitemap.xml").content.decode()


# --- an import never silently removes a large share of a source's ratings ----------------


@pytest.mark.parametrize(
    ("existing", "removing", "refused"),
    [(100, 5, False), (100, 6, True), (20, 1, False), (8, 1, True), (0, 0, False), (10, 0, False)],
)
def test_removal_guard_refuses_more_than_five_percent(existing, removing, refused):
    from medref.knowledge.importers.base import refuse_mass_removal

    source = Source(key="example", name="Example source")

    if refused:
        with pytest.raises(ImportFailed, match=f"remove {removing:,} of the {existing:,}"):
            refuse_mass_removal(source=source, existing=existing, removing=removing)
    else:
        refuse_mass_removal(source=source, existing=existing, removing=removing)


def test_removal_guard_lets_everything_through_when_removals_are_allowed():
    from medref.knowledge.importers.base import allowing_removals, refuse_mass_removal

    with allowing_removals():
        refuse_mass_removal(source=Source(key="x", name="X"), existing=100, removing=100)


def test_content_import_removing_most_curated_ratings_is_refused(fixture_content, tmp_path):
    from medref.content.load import import_content

    smaller = content_copy(tmp_path, keep_interactions=1)
    before = table_state()

    with pytest.raises(ImportFailed, match="would remove 7 of the 8 ratings") as failure:
        import_content(path=smaller, console=QUIET)

    assert "--allow-removals" in str(failure.value)
    assert table_state() == before


def test_cli_import_allow_removals_lets_a_deliberate_removal_through(fixture_content, tmp_path):
    from medref.cli import main

    smaller = content_copy(tmp_path, keep_interactions=1)
    curated = Interaction.objects.filter(source__key="medref-curated")

    assert main(["import", "content", str(smaller)]) == 1
    assert curated.count() == 8
    assert main(["import", "content", str(smaller), "--allow-removals"]) == 0
    assert curated.count() == 1


@pytest.mark.bigdata
def test_ansm_import_of_a_truncated_thesaurus_is_refused(fixture_content, shared_data, tmp_path):
    import json

    from medref.knowledge.importers.ansm import import_ansm

    import_ansm(path=shared_data / "ansm_thesaurus", console=QUIET)
    folder = tmp_path / "ansm"
    shutil.copytree(shared_data / "ansm_thesaurus", folder, copy_function=shutil.copyfile)
    thesaurus = folder / "thesaurus_2020_01.json.gz"
    with gzip.open(thesaurus, "rt", encoding="utf-8") as fh:
        entries = json.load(fh)
    with gzip.open(thesaurus, "wt", encoding="utf-8") as fh:
        json.dump(entries[: len(entries) // 2], fh)
    before = table_state()

    with pytest.raises(ImportFailed, match=r"would remove [\d,]+ of the [\d,]+ ratings"):
        import_ansm(path=folder, console=QUIET)

    assert table_state() == before


@pytest.mark.bigdata
def test_ddinter_folder_missing_a_file_is_refused_and_names_it(
    fixture_content, shared_data, tmp_path
):
    from medref.knowledge.importers.ddinter import import_ddinter

    folder = tmp_path / "ddinter"
    folder.mkdir()
    for name in DDINTER_FILES:
        if name != "ddinter_downloads_code_H.csv.gz":
            shutil.copyfile(shared_data / "ddinter" / name, folder / name)
    before = table_state()

    with pytest.raises(ImportFailed, match="missing ddinter_downloads_code_H.csv.gz"):
        import_ddinter(path=folder, console=QUIET)

    assert table_state() == before


@pytest.mark.bigdata
def test_ddinter_import_with_a_truncated_file_is_refused_and_changes_nothing(
    fixture_content, shared_data, tmp_path
):
    from medref.checker.repository import get_checker
    from medref.knowledge.importers.ddinter import import_ddinter

    import_ddinter(path=shared_data / "ddinter", console=QUIET)
    folder = tmp_path / "ddinter"
    shutil.copytree(shared_data / "ddinter", folder, copy_function=shutil.copyfile)
    cut = folder / "ddinter_downloads_code_L.csv.gz"
    with gzip.open(cut, "rt", encoding="utf-8", newline="") as fh:
        first_lines = [line for _, line in zip(range(1000), fh, strict=False)]
    with gzip.open(cut, "wt", encoding="utf-8", newline="") as fh:
        fh.writelines(first_lines)
    before = table_state()

    with pytest.raises(ImportFailed, match=r"would remove [\d,]+ of the 160,235 ratings"):
        import_ddinter(path=folder, console=QUIET)

    assert table_state() == before
    get_checker().reset()
    result = get_checker().check(["cladribine", "ifosfamide"])
    assert [s.key for s in result.findings[0].sources] == ["ddinter"]
