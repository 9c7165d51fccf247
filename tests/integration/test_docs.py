"""Documentation checks: every CLI command and every API endpoint appears in the README."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_cli_command_is_documented():
    from medref.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = [name for name in sub.choices if f"medref {name}" not in README]
    assert missing == []


@pytest.mark.django_db
def test_every_api_endpoint_is_documented(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    documented = []
    for path in paths:
        stem = re.split(r"\{", path)[0].rstrip("/") or path
        documented.append((path, stem in README))
    assert [p for p, ok in documented if not ok] == []
    assert len(documented) >= 6
