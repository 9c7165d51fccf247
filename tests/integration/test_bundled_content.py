"""The bundled content/ folder: it validates, loads, and meets the starter-content counts."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from medref.checker.present import result_json
from medref.content.load import import_content, parse_content
from tests.conftest import ROOT

CONTENT = ROOT / "content"


def test_bundled_content_validates():
    bundle = parse_content(CONTENT)
    assert bundle.drugs and bundle.interactions and bundle.topics


def test_bundled_content_includes_the_seed_pair():
    bundle = parse_content(CONTENT)
    pairs = {frozenset((e.a, e.b)): e for e in bundle.interactions}
    seed = pairs[frozenset(("natalizumab", "ocrelizumab"))]
    # The Tysabri EU SmPC (4.3) contraindicates combination with other disease-modifying therapies.
    assert seed.severity == "contraindicated"
    assert seed.mechanism and seed.management


@pytest.mark.django_db
def test_bundled_content_loads_and_resolves_the_most_prescribed_medicines():
    from medref.checker.repository import get_checker

    import_content(path=CONTENT, console=Console(quiet=True))
    get_checker().reset()
    fixture = json.loads((ROOT / "tests" / "fixtures" / "most_prescribed.json").read_text())
    index = get_checker().index().names
    unresolved = [name for name in fixture["names"] if not index.resolve(name).resolved]
    assert unresolved == []


@pytest.mark.django_db
def test_seed_pair_check_reports_contraindicated_with_mechanism_and_management():
    from medref.checker.repository import get_checker

    import_content(path=CONTENT, console=Console(quiet=True))
    get_checker().reset()
    result = result_json(get_checker().check(["Tysabri", "Ocrevus"]))
    finding = result["findings"][0]
    assert finding["drugs"] == ["natalizumab", "ocrelizumab"]
    assert finding["severity"] == "contraindicated"
    assert finding["mechanism"] and finding["management"]
