"""The check API contract and the CLI that mirrors it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURE_CONTENT, ROOT

pytestmark = pytest.mark.django_db


def post(client, body, raw=False):
    data = body if raw else json.dumps(body)
    return client.post("/api/v1/check", data=data, content_type="application/json")


def test_api_check_returns_the_documented_shape(client, checker):
    response = post(client, {"drugs": ["Tysabri", "ocrelizumab"]})
    body = response.json()
    assert response.status_code == 200
    assert body["drugs"][0] == {
        "input": "Tysabri",
        "resolved": True,
        "ingredients": ["natalizumab"],
        "matched_by": "brand",
        "matched_name": "Tysabri",
        "suggestions": [],
        "note": None,
    }
    finding = body["findings"][0]
    assert finding["kind"] == "interaction" and finding["drugs"] == ["natalizumab", "ocrelizumab"]
    assert finding["severity"] == "major" and finding["action"] == "avoid or monitor closely"
    assert finding["guide_url"] == "/interactions/natalizumab-and-ocrelizumab/"
    assert finding["sources"][0]["licence"] == "CC BY 4.0"
    assert body["sources_checked"] == [
        {
            "name": "medref curated content",
            "key": "medref-curated",
            "version": body["sources_checked"][0]["version"],
            "licence": "CC BY 4.0",
        }
    ]


def test_api_check_response_matches_the_published_schema(client, checker):
    from medref.api.v1 import CheckOut

    body = post(
        client,
        {"drugs": ["Zocor", "clarithromycin", "Tylenol", "Co-codamol", "ocrel", "Advil", "Aleve"]},
    ).json()
    assert CheckOut.model_validate(body).model_dump(mode="json") == body
    assert {f["kind"] for f in body["findings"]} == {"interaction", "duplication"}


@pytest.mark.parametrize(
    ("body", "raw", "fragment"),
    [
        ("{not json", True, ""),
        ({"drugs": []}, False, "drugs"),
        ({"drugs": ["a"] * 51}, False, "drugs"),
        ({"drugs": ["warfarin", "  "]}, False, "drug 2 is empty"),
        ({"drugs": ["x" * 201]}, False, "longer than 200"),
        ({"drugs": "warfarin"}, False, "drugs"),
        ({}, False, "drugs"),
    ],
    ids=[
        "malformed-json",
        "empty-list",
        "over-50",
        "empty-string",
        "over-long",
        "not-a-list",
        "missing",
    ],
)
def test_api_check_rejects_bad_input_with_a_clear_message(client, checker, body, raw, fragment):
    response = post(client, body, raw=raw)
    assert 400 <= response.status_code < 500
    assert fragment in response.json()["detail"]


def test_api_drugs_autocomplete_returns_names_with_ingredient_and_match(client, checker):
    response = client.get("/api/v1/drugs", {"q": "tys"})
    body = response.json()
    assert response.status_code == 200
    assert body[0] == {
        "name": "Tysabri",
        "ingredient": "natalizumab",
        "ingredient_slug": "natalizumab",
        "match": "brand",
    }
    assert len(client.get("/api/v1/drugs", {"q": "a"}).json()) <= 10


def test_api_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/check" in schema["paths"] and "/api/v1/drugs" in schema["paths"]


def _medref(*args, env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "medref.cli", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs on a throwaway SQLite file")
def test_cli_check_json_equals_the_api_and_exit_codes(client, checker, tmp_path):
    env = {"MEDREF_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    assert _medref("setup", "--content", str(FIXTURE_CONTENT), env=env).returncode == 0
    cli = _medref("check", "--json", "Tysabri", "Ocrevus", env=env)
    api = post(client, {"drugs": ["Tysabri", "Ocrevus"]}).json()
    cli_json = json.loads(cli.stdout)
    for body in (cli_json, api):
        for source in body["sources_checked"]:
            source["version"] = "-"
        for finding in body["findings"]:
            for s in finding["sources"]:
                s["version"] = "-"
        body["knowledge_base_version"] = 0
    assert cli.returncode == 0 and cli_json == api
    assert (
        _medref("check", "Zocor", "clarithromycin", "--fail-on", "major", env=env).returncode == 1
    )
    assert _medref("check", "Losec", "Glucophage", "--fail-on", "major", env=env).returncode == 0
    unknown = _medref("check", "warfarin", "ocrel", env=env)
    assert unknown.returncode == 0 and "not recognised" in unknown.stdout
    assert _medref("check", env=env).returncode == 2
    assert _medref("check", "a", "--fail-on", "severe", env=env).returncode == 2
