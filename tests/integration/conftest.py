"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group


@pytest.fixture
def team(fixture_content, django_user_model):
    users = {}
    for role, name in (
        ("Authors", "author"),
        ("Clinical reviewers", "reviewer"),
        ("Editors", "editor"),
    ):
        group, _ = Group.objects.get_or_create(name=role)
        user = django_user_model.objects.create_user(
            f"{name}@example.org", f"{name}@example.org", f"{name}-long-pass-1"
        )
        user.groups.add(group)
        users[name] = user
    users["outsider"] = django_user_model.objects.create_user(
        "out@example.org", "out@example.org", "outsider-pass-1"
    )
    return users
