"""Foods, drinks and herbal products as ingredients of their own kind: loaded from the content
files, exported back, and worded as what they are on the guide pages."""

from __future__ import annotations

import shutil

import pytest
from rich.console import Console

from medref.checker.present import result_json
from medref.content.load import import_content
from medref.knowledge.importers.base import ImportFailed
from tests.conftest import FIXTURE_CONTENT

QUIET = Console(quiet=True)

GRAPEFRUIT = """\
- slug: grapefruit-juice
  name: grapefruit juice
  kind: drink
  names:
    synonyms: [grapefruit]
"""

GRAPEFRUIT_SIMVASTATIN = """\
- a: grapefruit-juice
  b: simvastatin
  severity: major
  evidence: established
  mechanism: Grapefruit juice blocks gut CYP3A4 and raises simvastatin exposure several-fold.
  consequence: Myopathy and rhabdomyolysis.
  management: Avoid grapefruit juice during simvastatin treatment.
  patient_mechanism: Grapefruit juice makes the body absorb much more simvastatin.
  patient_management: Do not drink grapefruit juice while you take simvastatin.
  references:
    - text: "Zocor (simvastatin) summary of product characteristics, section 4.5"
"""


@pytest.fixture
def food_content(tmp_path, db):
    copy = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, copy)
    (copy / "drugs" / "foods.yaml").write_text(GRAPEFRUIT)
    (copy / "interactions" / "foods.yaml").write_text(GRAPEFRUIT_SIMVASTATIN)
    return copy


@pytest.fixture
def loaded(food_content):
    from medref.checker.repository import get_checker

    import_content(path=food_content, console=QUIET)
    get_checker().reset()
    get_checker().background_rebuild = False
    return food_content


def test_ingredient_kind_loaded_from_content_default_medicine(loaded):
    from medref.vocab.models import Ingredient

    assert Ingredient.objects.get(slug="grapefruit-juice").kind == "drink"
    assert Ingredient.objects.get(slug="simvastatin").kind == "medicine"


def test_ingredient_kind_unknown_names_file_line_and_field(food_content):
    from medref.vocab.models import Ingredient

    (food_content / "drugs" / "foods.yaml").write_text(GRAPEFRUIT.replace("drink", "beverage"))
    with pytest.raises(ImportFailed) as failure:
        import_content(path=food_content, console=QUIET)
    message = str(failure.value)
    assert "foods.yaml:1:" in message and "'kind'" in message and "beverage" in message
    assert not Ingredient.objects.exists()


def test_ingredient_kind_survives_export_and_import(loaded, tmp_path):
    from medref.content.files import export_content, import_files
    from medref.vocab.models import Ingredient

    export_content(tmp_path / "out", QUIET)
    exported = (tmp_path / "out" / "drugs" / "drugs.yaml").read_text()
    assert "name: grapefruit juice\n  kind: drink\n" in exported
    assert exported.count("kind:") == 1  # a medicine's default is left out
    Ingredient.objects.filter(slug="grapefruit-juice").update(kind="medicine")
    import_files(tmp_path / "out", QUIET)
    assert Ingredient.objects.get(slug="grapefruit-juice").kind == "drink"


def test_guide_page_for_a_drink_says_drink_not_medicine(loaded, client):
    response = client.get("/interactions/grapefruit-juice-and-simvastatin/")
    html = response.content.decode()
    assert "Grapefruit juice and simvastatin: drink-drug interaction guide" in html
    assert "Avoid grapefruit juice while you take simvastatin" in html
    assert "Can I have grapefruit juice while I take simvastatin?" in html
    assert "different medicine for one of them" not in html


def test_grapefruit_resolves_to_grapefruit_juice_in_the_checker(loaded):
    from medref.checker.repository import get_checker

    result = result_json(get_checker().check(["grapefruit", "Zocor"]))
    assert result["drugs"][0]["ingredients"] == ["grapefruit juice"]
    assert result["drugs"][0]["matched_by"] == "synonym"
    assert [(f["drugs"], f["severity"]) for f in result["findings"]] == [
        (["grapefruit juice", "simvastatin"], "major")
    ]


def test_the_kind_comes_from_the_checker_index_not_a_query(loaded, client):
    """ADR 0006: guide pages read the index. Asking for the page again with the index warm must
    not look an ingredient's kind up in the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/interactions/grapefruit-juice-and-simvastatin/")  # warms the index
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/interactions/grapefruit-juice-and-simvastatin/?again").content.decode()
    assert "drink-drug interaction guide" in html
    assert not [q["sql"] for q in queries if "vocab_ingredient" in q["sql"]]
