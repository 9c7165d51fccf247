"""Hostile input, security headers, production settings, staff areas and the database mode."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def post_check(client, data: bytes | str, content_type="application/json"):
    return client.generic("POST", "/api/v1/check", data, content_type=content_type)


def test_oversize_body_is_refused(client, checker):
    response = post_check(client, b'{"drugs": ["' + b"a" * 10_000_000 + b'"]}')
    assert response.status_code == 413 and "bytes" in response.json()["detail"]


def test_ten_thousand_names_are_refused(client, checker):
    response = post_check(client, json.dumps({"drugs": ["warfarin"] * 10_000}))
    assert response.status_code == 422 and "drugs" in response.json()["detail"]


def test_deeply_nested_json_is_refused(client, checker):
    response = post_check(client, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400 and response.json()["detail"]


def test_invalid_utf8_is_refused(client, checker):
    response = post_check(client, b'{"drugs": ["\xff\xfe"]}')
    assert 400 <= response.status_code < 500


def test_nul_bytes_in_names_are_refused(client, checker):
    response = post_check(client, json.dumps({"drugs": ["warfarin\x00", "aspirin"]}))
    assert response.status_code == 422 and "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    "name",
    [
        "'; DROP TABLE vocab_name; --",
        "{{ settings.SECRET_KEY }}",
        "{% debug %}",
        "${7*7}",
        "%s%s%s",
        "\\\\x00",
    ],
)
def test_sql_and_template_metacharacters_are_just_unknown_names(client, checker, name):
    response = post_check(client, json.dumps({"drugs": [name, "warfarin"]}))
    body = response.json()
    assert response.status_code == 200
    assert body["drugs"][0]["resolved"] is False and body["drugs"][0]["input"] == name
    from medref.vocab.models import Name

    assert Name.objects.exists()
    page = client.get("/check/", {"drugs": f"{name}, warfarin"}).content.decode()
    from django.conf import settings

    assert settings.SECRET_KEY not in page


def test_security_headers_and_csp_without_unsafe_inline_scripts(client, checker):
    response = client.get("/interactions/natalizumab-and-ocrelizumab/")
    csp = response["Content-Security-Policy"]
    script = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'self'" in script
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def _production_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "MEDREF_PRODUCTION": "1",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "medref.example.org",
        }
    )
    return env


def test_production_settings_pass_check_deploy():
    result = subprocess.run(
        [sys.executable, "-m", "medref.cli", "manage", "check", "--deploy"],
        env=_production_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_sends_hsts_and_secure_cookies(tmp_path):
    script = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='medref.config.settings'; django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "from django.core.management import call_command; call_command('collectstatic', interactive=False, verbosity=0)\n"
        "c = Client(HTTP_HOST='medref.example.org')\n"
        "r = c.get('/', secure=True)\n"
        "print(r.headers.get('Strict-Transport-Security'))\n"
        "r = c.get('/', secure=False)\n"
        "print(r.status_code, r.headers.get('Location'))\n"
        "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)\n"
    )
    env = _production_env()
    env["MEDREF_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("max-age=31536000") and "includeSubDomains" in lines[0]
    assert lines[1] == "301 https://medref.example.org/"
    assert lines[2] == "True True"


def test_admin_refuses_anonymous_and_non_staff(client, django_user_model):
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    user = django_user_model.objects.create_user(
        "n@example.org", "n@example.org", "not-staff-pass-1"
    )
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        timeout = cursor.fetchone()[0]
    # The test database may be in memory, where WAL does not apply; the file database must be WAL.
    assert mode in ("wal", "memory")
    assert timeout >= 5000
