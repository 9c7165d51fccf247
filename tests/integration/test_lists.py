"""Saved medication lists: private to their owner, editable, re-checked, with what changed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from medref.lists.models import ListCheck, MedicationList


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user(
        "own@example.org", "own@example.org", "owner-pass-phrase-1"
    )


@pytest.fixture
def signed_in(client, owner, fixture_content):
    client.force_login(owner)
    return client


def _save(client, name="Gran's tablets", medicines="Tylenol, warfarin\naspirin") -> MedicationList:
    response = client.post("/lists/new/", {"name": name, "medicines": medicines})
    saved = MedicationList.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == f"/lists/{saved.pk}/"
    return saved


def test_list_saved_edited_and_deleted_by_its_owner(signed_in):
    saved = _save(signed_in)
    assert saved.medicines == ["Tylenol", "warfarin", "aspirin"]

    signed_in.post(f"/lists/{saved.pk}/add/", {"medicine": "ibuprofen"})
    signed_in.post(f"/lists/{saved.pk}/remove/", {"position": "0"})
    signed_in.post(f"/lists/{saved.pk}/edit/", {"name": "Dad's", "medicines": "warfarin\naspirin"})
    saved.refresh_from_db()
    assert (saved.name, saved.medicines) == ("Dad's", ["warfarin", "aspirin"])

    assert 'href="/lists/"' in signed_in.get("/accounts/profile/").content.decode()
    html = signed_in.get("/lists/").content.decode()
    assert f'href="/lists/{saved.pk}/"' in html and "Dad&#x27;s" in html
    signed_in.post(f"/lists/{saved.pk}/delete/")
    assert not MedicationList.objects.filter(pk=saved.pk).exists()


def test_list_bad_input_changes_nothing(signed_in):
    saved = _save(signed_in)
    signed_in.post(f"/lists/{saved.pk}/edit/", {"name": "", "medicines": "x"})
    signed_in.post(f"/lists/{saved.pk}/add/", {"medicine": "a" * 201})
    signed_in.post(f"/lists/{saved.pk}/remove/", {"position": "9"})
    saved.refresh_from_db()
    assert saved.name == "Gran's tablets" and len(saved.medicines) == 3


def test_list_private_another_user_gets_404(signed_in, django_user_model):
    saved = _save(signed_in)
    other = Client()
    other.force_login(
        django_user_model.objects.create_user("b@example.org", "b@example.org", "pass-for-b-22")
    )
    assert other.get(f"/lists/{saved.pk}/").status_code == 404
    for action in ("edit", "add", "remove", "delete", "check"):
        assert other.post(f"/lists/{saved.pk}/{action}/", {"name": "x"}).status_code == 404
    assert other.get(f"/lists/{saved.pk}/export.json").status_code == 404
    assert other.get(f"/lists/{saved.pk}/export.csv").status_code == 404
    assert "Gran" not in other.get("/lists/").content.decode()
    assert "Tylenol" not in other.get("/lists/export.json").content.decode()
    assert "Tylenol" not in other.get("/lists/export.csv").content.decode()
    saved.refresh_from_db()
    assert saved.name == "Gran's tablets" and not saved.checks.exists()


def test_list_anonymous_redirected_to_sign_in(client, signed_in):
    saved = _save(signed_in)
    anonymous = Client()
    for url in ("/lists/", f"/lists/{saved.pk}/", "/lists/export.json", "/lists/export.csv"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = anonymous.post("/lists/new/", {"name": "x", "medicines": "warfarin"})
    assert response["Location"].startswith("/accounts/login/")
    assert MedicationList.objects.count() == 1


def test_list_recheck_opens_the_checker_and_records_findings(signed_in):
    saved = _save(signed_in)
    response = signed_in.post(f"/lists/{saved.pk}/check/", {"view": "patient"})
    assert response["Location"] == "/check/?drugs=Tylenol%2C+warfarin%2C+aspirin&view=patient"
    check = ListCheck.objects.get(medication_list=saved)
    assert check.medicines == ["Tylenol", "warfarin", "aspirin"]
    assert {(tuple(f["pair"]), f["severity"]) for f in check.findings} >= {
        (("aspirin", "warfarin"), "major"),
        (("paracetamol", "warfarin"), "moderate"),
    }
    assert "Nothing has changed" in signed_in.get(f"/lists/{saved.pk}/").content.decode()


def test_list_shows_severity_change_after_knowledge_base_moves(signed_in, checker):
    from medref.knowledge.models import Interaction, KnowledgeBaseState

    saved = _save(signed_in)
    signed_in.post(f"/lists/{saved.pk}/check/")
    row = Interaction.objects.get(
        source__key="medref-curated",
        a_ingredient__slug="paracetamol",
        b_ingredient__slug="warfarin",
    )
    row.severity = "major"
    row.save()
    KnowledgeBaseState.bump()
    checker.reset()

    html = signed_in.get(f"/lists/{saved.pk}/").content.decode()
    assert "More serious:</strong> paracetamol and warfarin, now major" in html
    assert "was moderate" in html and "aspirin and warfarin" not in html
    assert "Nothing has changed" not in html
    assert "medref's knowledge has been updated since" in html


def test_list_export_json_and_csv(signed_in):
    saved = _save(signed_in, medicines="=HYPERLINK(1), warfarin")
    signed_in.post(f"/lists/{saved.pk}/check/")

    response = signed_in.get("/lists/export.json")
    assert response["Content-Disposition"] == 'attachment; filename="medref-lists.json"'
    (row,) = json.loads(response.content)["lists"]
    assert row["name"] == "Gran's tablets" and row["medicines"] == ["=HYPERLINK(1)", "warfarin"]
    assert row["last_check"]["knowledge_base_version"] >= 0

    response = signed_in.get(f"/lists/{saved.pk}/export.csv")
    assert response["Content-Disposition"] == f'attachment; filename="medref-list-{saved.pk}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["position"], r["medicine"]) for r in rows] == [
        ("1", "'=HYPERLINK(1)"),  # quoted so a spreadsheet does not run it
        ("2", "warfarin"),
    ]


def test_list_deleted_with_its_account(signed_in, owner):
    saved = _save(signed_in)
    signed_in.post(f"/lists/{saved.pk}/check/")
    owner.delete()
    assert not MedicationList.objects.exists() and not ListCheck.objects.exists()


def test_save_button_only_for_signed_in_users(rf, owner):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.get("/check/")
    request.user = owner
    html = render_to_string(
        "lists/save_button.html", {"medicines": "Zocor, clarithromycin"}, request=request
    )
    assert 'action="/lists/new/"' in html and 'value="Zocor, clarithromycin"' in html
    request.user = AnonymousUser()
    assert "form" not in render_to_string(
        "lists/save_button.html", {"medicines": "Zocor"}, request=request
    )


def test_the_check_page_offers_to_save_the_list_to_signed_in_users_only(signed_in):
    page = signed_in.get("/check/", {"drugs": "warfarin, aspirin"}).content.decode()
    assert 'action="/lists/new/"' in page and 'value="warfarin, aspirin"' in page
    anonymous = Client().get("/check/", {"drugs": "warfarin, aspirin"}).content.decode()
    assert 'action="/lists/new/"' not in anonymous
