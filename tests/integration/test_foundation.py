"""The foundation: base pages, /healthz, the medref command and configuration errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CONTENT, ROOT

MEDREF = [sys.executable, "-m", "medref.cli"]


def run_medref(
    *args: str, env: dict | None = None, timeout: int = 120
) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env or {})
    return subprocess.run(
        [*MEDREF, *args], capture_output=True, text=True, env=full_env, timeout=timeout, cwd=ROOT
    )


@pytest.mark.django_db
def test_home_page_has_navigation_search_and_disclaimer(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for label in (
        "Interaction checker",
        "Interactions A&ndash;Z",
        "Professional reference",
        "Sign in",
    ):
        assert label in html
    assert 'role="search"' in html and '<label for="site-search">' in html
    assert "Medical disclaimer" in html
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_pages_load_no_asset_from_the_internet(client):
    html = client.get("/").content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []


@pytest.mark.django_db
def test_site_stylesheet_and_script_are_served(client):
    html = client.get("/check/").content.decode()
    for path in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content if response.streaming else [response.content])


@pytest.mark.django_db
def test_healthz_reports_database_and_knowledge_base_version(client, fixture_content):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["knowledge_base_version"] >= 1


@pytest.mark.django_db
def test_editorial_page_renders_markdown(client, fixture_content):
    response = client.get("/about/editorial-team/")
    assert response.status_code == 200
    assert "Test page editorial-team" in response.content.decode()


def test_every_setting_is_documented():
    from medref.config.env import SETTINGS

    docs = (ROOT / "docs" / "settings.md").read_text()
    missing = [name for name in SETTINGS if f"`{name}`" not in docs]
    assert SETTINGS, "no settings registered"
    assert missing == []


def test_help_lists_every_subcommand():
    result = run_medref("--help")
    assert result.returncode == 0
    for command in ("setup", "serve", "stats", "import", "manage"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command


def test_unparseable_database_url_exits_with_one_line_naming_it():
    result = run_medref("stats", env={"DATABASE_URL": "mysql:/nonsense"})
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_production_without_secret_key_says_how_to_set_it(tmp_path):
    result = run_medref(
        "stats", env={"MEDREF_PRODUCTION": "1", "SECRET_KEY": "", "MEDREF_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "export SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_boolean_setting_names_the_setting():
    result = run_medref("stats", env={"DEBUG": "maybe"})
    assert result.returncode == 2
    assert result.stderr.startswith("medref: configuration error: DEBUG")


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs on a throwaway SQLite file")
def test_setup_twice_is_idempotent_and_stats_reports_counts(tmp_path: Path):
    env = {"MEDREF_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    first = run_medref("setup", "--content", str(FIXTURE_CONTENT), env=env)
    assert first.returncode == 0, first.stderr
    stats_1 = json.loads(run_medref("stats", "--json", env=env).stdout)
    second = run_medref("setup", "--content", str(FIXTURE_CONTENT), env=env)
    assert second.returncode == 0, second.stderr
    assert "medref is set up" in second.stderr
    stats_2 = json.loads(run_medref("stats", "--json", env=env).stdout)
    assert stats_1 == stats_2
    assert stats_2["drugs"] == 21
    assert stats_2["interactions"]["by_source"]["medref-curated"]["by_severity"]["major"] == 3
    assert stats_2["topics"] == 1
    assert stats_2["knowledge_base_version"] == 1  # the second run changed nothing
