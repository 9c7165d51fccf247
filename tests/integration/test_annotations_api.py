"""/api/v1/annotations: create, list, update, delete for the signed-in user; private."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(fixture_content, django_user_model):
    a = django_user_model.objects.create_user(
        "a@example.org", "a@example.org", "pass-phrase-for-a-1"
    )
    b = django_user_model.objects.create_user(
        "b@example.org", "b@example.org", "pass-phrase-for-b-2"
    )
    ca, cb = Client(), Client()
    ca.force_login(a)
    cb.force_login(b)
    return ca, cb


def test_annotations_api_round_trip(users):
    a, _ = users
    created = a.post(
        "/api/v1/annotations",
        {"topic": "natalizumab-highly-active-rrms", "text": "JCV index 0.9"},
        content_type="application/json",
    )
    assert created.status_code == 201
    note = created.json()
    assert (
        note["text"] == "JCV index 0.9" and note["topic_slug"] == "natalizumab-highly-active-rrms"
    )
    by_uid = a.get("/api/v1/annotations", {"topic": note["topic_uid"]}).json()
    assert [n["id"] for n in by_uid] == [note["id"]]
    updated = a.put(
        f"/api/v1/annotations/{note['id']}",
        {"text": "JCV index 1.2"},
        content_type="application/json",
    )
    assert updated.json()["text"] == "JCV index 1.2"
    assert a.delete(f"/api/v1/annotations/{note['id']}").status_code == 204
    assert a.get("/api/v1/annotations").json() == []


def test_annotations_api_other_users_ids_give_404_everywhere(users):
    a, b = users
    note = a.post(
        "/api/v1/annotations",
        {"topic": "natalizumab-highly-active-rrms", "text": "private"},
        content_type="application/json",
    ).json()
    assert b.get(f"/api/v1/annotations/{note['id']}").status_code == 404
    assert (
        b.put(
            f"/api/v1/annotations/{note['id']}", {"text": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert b.delete(f"/api/v1/annotations/{note['id']}").status_code == 404
    assert b.get("/api/v1/annotations").json() == []
    assert a.get(f"/api/v1/annotations/{note['id']}").json()["text"] == "private"


def test_annotations_api_needs_sign_in_and_valid_input(users, client):
    a, _ = users
    assert client.get("/api/v1/annotations").status_code == 401
    empty = a.post(
        "/api/v1/annotations",
        {"topic": "natalizumab-highly-active-rrms", "text": "   "},
        content_type="application/json",
    )
    assert empty.status_code == 422 and "cannot be empty" in empty.json()["detail"]
    long = a.post(
        "/api/v1/annotations",
        {"topic": "natalizumab-highly-active-rrms", "text": "x" * 2001},
        content_type="application/json",
    )
    assert long.status_code == 422
    missing = a.post(
        "/api/v1/annotations",
        {"topic": "no-such-topic", "text": "x"},
        content_type="application/json",
    )
    assert missing.status_code == 404


def test_annotations_api_write_needs_csrf_with_a_session(fixture_content, django_user_model):
    user = django_user_model.objects.create_user(
        "c@example.org", "c@example.org", "pass-phrase-for-c-3"
    )
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(
        "/api/v1/annotations",
        {"topic": "natalizumab-highly-active-rrms", "text": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
