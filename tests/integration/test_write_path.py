"""One validated write path (issue 15): nothing invalid reaches the knowledge base, whichever
door it comes through, and no published change is lost silently."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from rich.console import Console

from medref.content.load import import_content
from medref.editorial import actions
from medref.editorial.actions import Conflict, InvalidFields
from medref.knowledge.importers.errors import ImportFailed
from medref.knowledge.models import Interaction
from tests.integration.test_editorial import draft, through_review, topic

pytestmark = pytest.mark.django_db
QUIET = Console(quiet=True)


def _monograph():
    return Interaction.objects.filter(source__key="medref-curated").order_by("id").first()


def test_an_editor_cannot_start_a_monograph_revision_with_an_unknown_severity(team):
    with pytest.raises(InvalidFields) as caught:
        actions.start_revision(
            document=_monograph(),
            changes={"severity": "catastrophic"},
            change_note="Worse than we thought",
            by=team["author"],
        )
    assert caught.value.field == "severity"


def test_a_topic_revision_with_references_that_are_not_a_list_is_refused(team):
    with pytest.raises(InvalidFields) as caught:
        actions.start_revision(
            document=topic(), changes={"references": "oops"}, change_note="x", by=team["author"]
        )
    assert caught.value.field == "references"


def test_publishing_a_revision_made_invalid_behind_the_workflow_is_refused(team):
    revision = draft(team)
    through_review(team, revision)
    revision.fields = {**revision.fields, "references": "oops"}  # e.g. edited in the admin
    revision.save()
    with pytest.raises(InvalidFields):
        actions.publish(revision=revision, by=team["editor"])
    assert isinstance(topic().references, list)


def test_two_approved_drafts_published_in_turn_keep_both_changes(team):
    first = actions.start_revision(
        document=topic(), changes={"title": "New title"}, change_note="title", by=team["author"]
    )
    second = actions.start_revision(
        document=topic(),
        changes={"specialty": "Neurology (MS)"},
        change_note="s",
        by=team["author"],
    )
    for revision in (first, second):
        through_review(team, revision)
    actions.publish(revision=second, by=team["editor"])
    actions.publish(revision=first, by=team["editor"])
    assert (topic().title, topic().specialty) == ("New title", "Neurology (MS)")


def test_publishing_over_a_conflicting_later_change_is_refused(team):
    first = actions.start_revision(
        document=topic(), changes={"title": "Title A"}, change_note="a", by=team["author"]
    )
    second = actions.start_revision(
        document=topic(), changes={"title": "Title B"}, change_note="b", by=team["author"]
    )
    for revision in (first, second):
        through_review(team, revision)
    actions.publish(revision=second, by=team["editor"])
    with pytest.raises(Conflict, match="title"):
        actions.publish(revision=first, by=team["editor"])
    assert topic().title == "Title B"


def test_the_database_refuses_a_severity_the_checker_cannot_read(fixture_content):
    row = _monograph()
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.filter(pk=row.pk).update(severity="catastrophic")
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.filter(pk=row.pk).update(status="draftish")


def _content_copy(tmp_path, edit):
    import shutil

    from tests.conftest import FIXTURE_CONTENT

    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    target = sorted((folder / "interactions").glob("*.yaml"))[0]
    target.write_text(edit(target.read_text()))
    return folder, target


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda t: t.replace("  severity:", "  status: draftish\n  severity:", 1), "status"),
        (
            lambda t: t.replace("  severity:", "  review_status: approved\n  severity:", 1),
            "review_status",
        ),
    ],
)
def test_content_import_refuses_an_unknown_state_naming_file_and_field(tmp_path, edit, field):
    folder, target = _content_copy(tmp_path, edit)
    with pytest.raises(ImportFailed, match=rf"{target.name}:\d+: field '{field}'"):
        import_content(path=folder, console=QUIET)


def test_content_import_names_file_and_line_of_codes_written_as_a_list(tmp_path):
    import shutil

    from tests.conftest import FIXTURE_CONTENT

    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    drugs = sorted((folder / "drugs").glob("*.yaml"))[0]
    text = drugs.read_text()
    block = '  codes:\n    atc: [L04AG03]\n    rxcui: "354770"\n    drugbank: DB00108\n'
    assert block in text
    as_list = '  codes:\n    - atc: L04AG03\n    - rxcui: "354770"\n    - drugbank: DB00108\n'
    drugs.write_text(text.replace(block, as_list, 1))
    with pytest.raises(ImportFailed, match=rf"{drugs.name}:\d+: field 'codes'"):
        import_content(path=folder, console=QUIET)
