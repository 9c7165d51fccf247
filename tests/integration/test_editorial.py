"""The editorial workflow: roles, transitions, what the public sees, dates, history, files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rich.console import Console

from medref.editorial import actions
from medref.editorial.actions import BadTransition, NotAllowed
from medref.editorial.models import AuditEvent, Revision, State
from medref.knowledge.importers.errors import ImportFailed

pytestmark = pytest.mark.django_db
QUIET = Console(quiet=True)
SLUG = "natalizumab-highly-active-rrms"


def topic():
    from medref.reference.models import Topic

    return Topic.objects.get(slug=SLUG)


def draft(team, body="Revised overview text [1]."):
    return actions.start_revision(
        document=topic(),
        changes={"body": body},
        change_note="Clarify the overview",
        by=team["author"],
    )


def through_review(team, revision):
    actions.submit_for_review(revision=revision, by=team["author"])
    actions.approve(
        revision=revision,
        review_note="Checked against the SmPC",
        reviewer_team="Neurology review team",
        by=team["reviewer"],
    )
    return revision


def test_every_transition_in_order(team):
    revision = draft(team)
    assert revision.state == State.DRAFT and revision.number == 2  # 1 is the imported baseline
    actions.submit_for_review(revision=revision, by=team["author"])
    assert revision.state == State.IN_REVIEW
    actions.send_back(revision=revision, review_note="Cite the label", by=team["reviewer"])
    assert revision.state == State.DRAFT
    through_review(team, revision)
    assert revision.state == State.APPROVED
    actions.publish(revision=revision, by=team["editor"])
    assert revision.state == State.PUBLISHED
    assert Revision.objects.get(number=1, topic=topic()).state == State.SUPERSEDED
    actions.retire(document=topic(), note="Superseded by a new topic", by=team["editor"])
    assert topic().status == "retired"
    assert list(AuditEvent.objects.order_by("at", "id").values_list("action", flat=True)) == [
        "draft created",
        "submitted for review",
        "sent back to the author",
        "submitted for review",
        "clinically approved",
        "published",
        "retired",
    ]


@pytest.mark.parametrize(
    ("who", "step"),
    [
        ("reviewer", "draft"),
        ("editor", "draft"),
        ("outsider", "draft"),
        ("editor", "approve"),
        ("author", "approve"),
        ("outsider", "approve"),
        ("author", "publish"),
        ("reviewer", "publish"),
        ("author", "retire"),
        ("reviewer", "retire"),
    ],
)
def test_each_role_can_do_only_what_it_may(team, who, step):
    revision = draft(team)
    if step in ("approve", "publish"):
        actions.submit_for_review(revision=revision, by=team["author"])
    if step == "publish":
        actions.approve(
            revision=revision, review_note="ok", reviewer_team="team", by=team["reviewer"]
        )
    with pytest.raises(NotAllowed):
        if step == "draft":
            actions.start_revision(
                document=topic(), changes={"body": "x"}, change_note="x", by=team[who]
            )
        elif step == "approve":
            actions.approve(revision=revision, review_note="ok", reviewer_team="team", by=team[who])
        elif step == "publish":
            actions.publish(revision=revision, by=team[who])
        else:
            actions.retire(document=topic(), note="x", by=team[who])


def test_a_reviewer_cannot_sign_off_their_own_revision(team):
    team["reviewer"].groups.add(Group.objects.get(name="Authors"))
    revision = actions.start_revision(
        document=topic(), changes={"body": "x"}, change_note="x", by=team["reviewer"]
    )
    actions.submit_for_review(revision=revision, by=team["reviewer"])
    with pytest.raises(NotAllowed, match="own revision"):
        actions.approve(
            revision=revision, review_note="ok", reviewer_team="team", by=team["reviewer"]
        )


def test_out_of_order_transitions_are_refused(team):
    revision = draft(team)
    with pytest.raises(BadTransition):
        actions.publish(revision=revision, by=team["editor"])
    with pytest.raises(BadTransition):
        actions.approve(revision=revision, review_note="ok", reviewer_team="t", by=team["reviewer"])


def test_public_sees_only_published_text_and_dates_change_on_publication(team, hcp_client):
    before = hcp_client.get(f"/topics/{SLUG}/").content.decode()
    assert "Natalizumab is a monoclonal antibody" in before and "Not yet reviewed" in before
    revision = draft(team, body="Brand new public overview [1].")
    through_review(team, revision)
    during = hcp_client.get(f"/topics/{SLUG}/").content.decode()
    assert "Brand new public overview" not in during and "Not yet reviewed" in during
    actions.publish(revision=revision, by=team["editor"])
    after = hcp_client.get(f"/topics/{SLUG}/").content.decode()
    today = timezone.now().date()
    assert "Brand new public overview" in after
    assert (
        f'<dt>Last reviewed</dt><dd><time datetime="{revision.reviewed_at.date():%Y-%m-%d}">'
        in after
    )
    assert "by Neurology review team" in after
    assert f'<dt>Last edited</dt><dd><time datetime="{today:%Y-%m-%d}">' in after
    assert "Clarify the overview" in after  # the public "What changed" list
    assert topic().review_status == "reviewed"


def test_publishing_a_monograph_changes_what_the_checker_says(team, checker):
    from medref.knowledge.models import Interaction

    row = Interaction.objects.get(source__key="medref-curated", a_ingredient__slug="natalizumab")
    revision = actions.start_revision(
        document=row,
        changes={"severity": "contraindicated"},
        change_note="Per SmPC 4.3",
        by=team["author"],
    )
    through_review(team, revision)
    checker.reset()
    assert checker.check(["Tysabri", "Ocrevus"]).findings[0].severity.value == "major"
    actions.publish(revision=revision, by=team["editor"])
    checker.reset()
    finding = checker.check(["Tysabri", "Ocrevus"]).findings[0]
    assert finding.severity.value == "contraindicated"
    assert finding.reviewed_by == "Neurology review team"


def test_editorial_area_refuses_anonymous_and_non_team_users(team, client):
    assert client.get("/editorial/")["Location"].startswith("/accounts/login/")
    outsider = Client()
    outsider.force_login(team["outsider"])
    assert outsider.get("/editorial/").status_code == 403
    assert outsider.get(f"/editorial/topics/{SLUG}/").status_code == 403
    member = Client()
    member.force_login(team["reviewer"])
    assert member.get("/editorial/").status_code == 200


def test_dashboard_lists_overdue_due_waiting_and_never_reviewed(team):
    from medref.knowledge.models import Interaction

    draft_rev = draft(team)
    actions.submit_for_review(revision=draft_rev, by=team["author"])
    row = Interaction.objects.get(
        source__key="medref-curated", a_ingredient__slug="warfarin", b_ingredient__slug="aspirin"
    )
    row.reviewed_at = timezone.now().date() - dt.timedelta(days=3 * 365 + 5)
    row.save()
    due = Interaction.objects.get(source__key="medref-curated", a_ingredient__slug="paracetamol")
    due.reviewed_at = timezone.now().date() - dt.timedelta(days=3 * 365 - 30)
    due.save()
    editor = Client()
    editor.force_login(team["editor"])
    html = editor.get("/editorial/").content.decode()
    assert "Overdue for review (1)" in html and "warfarin + aspirin" in html
    assert "Due for review in the next 90 days (1)" in html
    assert "Drafts waiting for clinical review (1)" in html
    assert "Starter content never reviewed (1 topics" in html


def test_staff_see_a_diff_between_any_two_revisions(team):
    first = draft(team, body="First wording [1].")
    second = actions.start_revision(
        document=topic(),
        changes={"body": "Second wording [1]."},
        change_note="again",
        by=team["author"],
    )
    editor = Client()
    editor.force_login(team["editor"])
    html = editor.get(f"/editorial/diff/{first.pk}/{second.pk}/").content.decode()
    assert (
        '<span class="del">-First wording [1].</span>' in html
        and '<span class="add">+Second wording [1].</span>' in html
    )


def test_export_then_import_gives_identical_files(team, tmp_path):
    from medref.content.files import export_content, import_files

    export_content(tmp_path / "a", QUIET)
    import_files(tmp_path / "a", QUIET)
    export_content(tmp_path / "b", QUIET)
    files_a = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert files_a == sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_import_over_a_page_edited_since_export_is_a_conflict_unless_forced(team, tmp_path):
    from medref.content.files import export_content, import_files

    export_content(tmp_path / "x", QUIET)
    revision = draft(team, body="Edited in medref after the export [1].")
    through_review(team, revision)
    actions.publish(revision=revision, by=team["editor"])
    page = tmp_path / "x" / "topics" / f"{SLUG}.md"
    page.write_text(
        page.read_text().replace("Natalizumab is a monoclonal antibody", "Edited in git")
    )
    with pytest.raises(
        ImportFailed, match=f"(?s)changed in medref since these files were exported.*topic:{SLUG}"
    ):
        import_files(tmp_path / "x", QUIET)
    assert "Edited in medref after the export" in topic().body
    import_files(tmp_path / "x", QUIET, force=True)
    assert "Edited in git" in topic().body


def test_import_validates_and_names_file_line_and_field(team, tmp_path):
    from medref.content.files import export_content, import_files

    export_content(tmp_path / "v", QUIET)
    path = tmp_path / "v" / "interactions" / "interactions.yaml"
    path.write_text(path.read_text().replace("severity: minor", "severity: trivial", 1))
    with pytest.raises(ImportFailed, match=r"interactions\.yaml:\d+: field 'severity'"):
        import_files(tmp_path / "v", QUIET)


def test_setup_does_not_undo_a_published_edit(team):
    from medref.content.load import import_content
    from tests.conftest import FIXTURE_CONTENT

    revision = draft(team, body="Reviewed change that the files do not have yet [1].")
    through_review(team, revision)
    actions.publish(revision=revision, by=team["editor"])
    summary = import_content(path=FIXTURE_CONTENT, console=QUIET)
    assert "Reviewed change" in topic().body
    assert (
        summary.skipped[("topics", "changed through the editorial workflow; not overwritten")] == 1
    )


def test_import_without_a_manifest_protects_only_workflow_edited_documents(team, tmp_path):
    from medref.content.files import MANIFEST, export_content, import_files
    from medref.knowledge.models import Interaction

    export_content(tmp_path / "m", QUIET)
    (tmp_path / "m" / MANIFEST).unlink()
    row = Interaction.objects.get(source__key="medref-curated", a_ingredient__slug="natalizumab")
    revision = actions.start_revision(
        document=row,
        changes={"management": "Edited in medref."},
        change_note="x",
        by=team["author"],
    )
    through_review(team, revision)
    actions.publish(revision=revision, by=team["editor"])
    path = tmp_path / "m" / "interactions" / "interactions.yaml"
    path.write_text(
        path.read_text().replace("Carry on as prescribed.", "Carry on as prescribed, as before.")
    )
    # Only the monograph edited through the workflow is a conflict, not every monograph.
    with pytest.raises(ImportFailed) as failure:
        import_files(tmp_path / "m", QUIET)
    assert "1 document(s)" in str(failure.value) and "natalizumab|ocrelizumab" in str(failure.value)
    assert "metformin" not in str(failure.value)
    import_files(tmp_path / "m", QUIET, force=True)
    assert Interaction.objects.filter(patient_management__contains="as before").exists()


def _rows(*rows: tuple[str, str, str, str], initial: int = 2) -> dict[str, str]:
    """The reference rows as the edit form posts them (Django formset fields, prefix "ref")."""
    data = {
        "ref-TOTAL_FORMS": str(len(rows)),
        "ref-INITIAL_FORMS": str(initial),
        "ref-MIN_NUM_FORMS": "0",
        "ref-MAX_NUM_FORMS": "1000",
    }
    for n, (text, pmid, doi, url) in enumerate(rows):
        data.update(
            {f"ref-{n}-text": text, f"ref-{n}-pmid": pmid, f"ref-{n}-doi": doi, f"ref-{n}-url": url}
        )
    return data


def test_topic_references_are_edited_as_rows_not_json(team, client):
    client.force_login(team["author"])
    page = client.get(f"/editorial/topics/{SLUG}/").content.decode()
    assert 'name="references"' not in page  # no raw JSON box
    assert (
        'name="ref-0-text" value="Tysabri (natalizumab) summary of product characteristics."'
        in page
    )
    assert 'aria-label="Reference 3: PMID"' in page  # an empty row to add one

    response = client.post(
        f"/editorial/topics/{SLUG}/",
        {
            "body": topic().body,
            "change_note": "Cite the pivotal trial",
            **_rows(
                ("Tysabri (natalizumab) SmPC.", "", "", "https://www.medicines.org.uk/emc"),
                ("", "", "", ""),  # emptied: removed
                (
                    "Polman CH et al. AFFIRM trial.",
                    "16510744",
                    "https://doi.org/10.1056/NEJMoa044397",
                    "",
                ),
            ),
        },
    )

    assert response.status_code == 302
    revision = Revision.objects.for_document(topic()).order_by("-number").first()
    assert revision.fields["references"] == [
        {"text": "Tysabri (natalizumab) SmPC.", "url": "https://www.medicines.org.uk/emc"},
        {
            "text": "Polman CH et al. AFFIRM trial.",
            "pmid": "16510744",
            "doi": "10.1056/NEJMoa044397",
        },
    ]


def test_topic_reference_rows_are_checked_and_nothing_typed_is_lost(team, client):
    client.force_login(team["author"])
    before = Revision.objects.count()

    response = client.post(
        f"/editorial/topics/{SLUG}/",
        {
            "body": "My unsaved rewrite [1].",
            "change_note": "Fix references",
            **_rows(
                ("Label", "12ab", "", ""),
                ("Label", "", "11.5/x", ""),
                ("Label", "", "", "ftp://example.org/file"),
                ("", "31978945", "", ""),
            ),
        },
    )

    html = response.content.decode()
    assert Revision.objects.count() == before
    assert "A PMID is a number of up to nine digits" in html
    assert "A DOI starts with 10. and has a slash" in html
    assert "Enter a full web address starting with https:// or http://." in html
    assert "Give this reference a label" in html
    assert "My unsaved rewrite [1]." in html and 'value="ftp://example.org/file"' in html
