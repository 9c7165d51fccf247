"""Importers against the real data sets: counts, idempotency, provenance and atomicity."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from medref.content.load import import_content, parse_content
from medref.knowledge.importers.ansm import import_ansm
from medref.knowledge.importers.ddinter import import_ddinter
from medref.knowledge.importers.drugbank import import_drugbank_vocabulary
from medref.knowledge.importers.errors import ImportFailed
from medref.knowledge.models import Interaction, KnowledgeBaseState
from medref.sources.models import Source
from medref.vocab.models import ClassMembership, Code, DrugClass, Ingredient, Name

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.bigdata]
QUIET = Console(quiet=True)


def table_state() -> list:
    return [
        sorted(Interaction.objects.values_list("source__key", "pair_key", "severity", "records")),
        sorted(Ingredient.objects.values_list("slug", "name")),
        Name.objects.count(),
        Code.objects.count(),
        KnowledgeBaseState.current(),
        sorted(Source.objects.values_list("key", "version", "imported_at")),
    ]


def plain_pairs(folder: Path) -> dict[frozenset, str]:
    pairs: dict[frozenset, str] = {}
    for path in sorted(folder.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                pairs[frozenset((row["DDInterID_A"], row["DDInterID_B"]))] = row["Level"]
    return pairs


def test_ddinter_import_keeps_every_distinct_pair_and_level(fixture_content, shared_data):
    folder = shared_data / "ddinter"
    expected = plain_pairs(folder)
    assert len(expected) == 160_235

    import_ddinter(path=folder, console=QUIET)

    rows = Interaction.objects.filter(source__key="ddinter")
    assert rows.count() == len(expected)
    by_level: dict[str, int] = {}
    for level in expected.values():
        by_level[level.lower()] = by_level.get(level.lower(), 0) + 1
    got = {lv: rows.filter(severity=lv).count() for lv in by_level}
    assert got == by_level
    source = Source.objects.get(key="ddinter")
    assert source.licence == "CC BY-NC-SA 4.0" and source.non_commercial and source.imported_at


def test_ddinter_second_import_changes_nothing(fixture_content, shared_data):
    import_ddinter(path=shared_data / "ddinter", console=QUIET)
    before = table_state()
    summary = import_ddinter(path=shared_data / "ddinter", console=QUIET)
    assert not summary.changed
    assert table_state() == before


def test_ddinter_bad_severity_on_row_5000_changes_nothing_and_names_the_row(
    fixture_content, shared_data, tmp_path
):
    source_file = shared_data / "ddinter" / "ddinter_downloads_code_A.csv.gz"
    with gzip.open(source_file, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[5000][4] = "Severe"  # data row 5,000 (line 5,001 after the header)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    bad = tmp_path / "ddinter"
    bad.mkdir()
    for other in (shared_data / "ddinter").glob("*.csv.gz"):
        shutil.copy(other, bad / other.name)
    with gzip.open(bad / source_file.name, "wt", encoding="utf-8", newline="") as fh:
        fh.write(buffer.getvalue())
    before = table_state()

    with pytest.raises(ImportFailed) as failure:
        import_ddinter(path=bad, console=QUIET)

    assert f"{source_file.name}:5001" in str(failure.value)
    assert "'Level'" in str(failure.value) and "Severe" in str(failure.value)
    assert table_state() == before


def test_ddinter_truncated_gzip_changes_nothing(fixture_content, shared_data, tmp_path):
    folder = tmp_path / "ddinter"  # every expected file present, one of them cut short
    shutil.copytree(shared_data / "ddinter", folder, copy_function=shutil.copyfile)
    cut = folder / "ddinter_downloads_code_B.csv.gz"
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])
    before = table_state()
    with pytest.raises(ImportFailed, match="ddinter_downloads_code_B.csv.gz"):
        import_ddinter(path=folder, console=QUIET)
    assert table_state() == before


def test_ansm_import_loads_every_entry_with_class_rules(fixture_content, shared_data):
    summary = import_ansm(path=shared_data / "ansm_thesaurus", console=QUIET)

    rows = Interaction.objects.filter(source__key="ansm")
    assert summary.read["thesaurus entries"] == 3139
    assert sum(len(r) for r in rows.values_list("records", flat=True)) == 3139
    class_rules = rows.filter(a_class__isnull=False) | rows.filter(b_class__isnull=False)
    assert class_rules.count() > 500
    aminosides = DrugClass.objects.get(source__key="ansm", name__iexact="aminosides")
    assert ClassMembership.objects.filter(drug_class=aminosides).count() >= 5
    assert set(rows.values_list("language", flat=True)) == {"fr"}
    assert set(rows.values_list("severity", flat=True)) == {
        "contraindicated",
        "major",
        "moderate",
        "minor",
    }


def test_ansm_maps_substances_to_our_ingredients_by_rxnorm(fixture_content, shared_data):
    import_ansm(path=shared_data / "ansm_thesaurus", console=QUIET)
    warfarin = Ingredient.objects.get(slug="warfarin")
    # "WARFARINE" joins our warfarin through RxCUI 11289, not as a new ingredient.
    assert Name.objects.filter(
        ingredient=warfarin, source__key="ansm", normalized="warfarine"
    ).exists()


def test_ansm_second_import_changes_nothing(fixture_content, shared_data):
    import_ansm(path=shared_data / "ansm_thesaurus", console=QUIET)
    before = table_state()
    assert not import_ansm(path=shared_data / "ansm_thesaurus", console=QUIET).changed
    assert table_state() == before


def test_drugbank_vocabulary_adds_synonyms_and_codes_to_known_drugs(fixture_content, shared_data):
    import_drugbank_vocabulary(path=shared_data / "drugbank_vocabulary", console=QUIET)
    aspirin = Ingredient.objects.get(slug="aspirin")
    assert aspirin.codes.filter(system="unii").exists()
    assert Name.objects.filter(ingredient=aspirin, source__key="drugbank-vocabulary").count() > 3
    before = table_state()
    import_drugbank_vocabulary(path=shared_data / "drugbank_vocabulary", console=QUIET)
    assert table_state() == before


def test_content_import_names_file_line_and_field(fixture_content, tmp_path):
    from tests.conftest import FIXTURE_CONTENT

    copy = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, copy)
    path = copy / "interactions" / "core.yaml"
    text = path.read_text().replace("severity: minor", "severity: mild", 1)
    path.write_text(text)
    line = text.splitlines().index("  severity: mild") + 1
    before = table_state()
    with pytest.raises(ImportFailed) as failure:
        import_content(path=copy, console=QUIET)
    message = str(failure.value)
    assert "core.yaml:" in message and "'severity'" in message and "mild" in message
    entry_line = int(message.split("core.yaml:")[1].split(":")[0])
    assert entry_line <= line <= entry_line + 3
    assert table_state() == before


def test_content_rejects_duplicate_pairs_in_either_order(tmp_path):
    from tests.conftest import FIXTURE_CONTENT

    copy = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, copy)
    extra = copy / "interactions" / "extra.yaml"
    source = (copy / "interactions" / "core.yaml").read_text()
    first = source.split("\n- ", 2)[0]
    extra.write_text(
        first.replace("a: natalizumab\n  b: ocrelizumab", "a: ocrelizumab\n  b: natalizumab")
    )
    with pytest.raises(ImportFailed, match="duplicate pair"):
        parse_content(copy)


def test_ddinter_keeps_every_rating_with_the_bundled_content_loaded(shared_data):
    # Two DDInter drugs can be one of our ingredients (a salt or formulation DDInter lists apart,
    # e.g. "Benzylpenicillin (potassium)", whose name we curate for benzylpenicillin). They join
    # one ingredient; where both rate the same partner, both records stay on one row and the most
    # severe rating is kept. No DDInter record may be lost and no rating lowered.
    from medref.knowledge.severity import Severity
    from medref.vocab.models import Code
    from tests.conftest import ROOT

    import_content(path=ROOT / "content", console=QUIET)
    import_ddinter(path=shared_data / "ddinter", console=QUIET)
    folder = shared_data / "ddinter"
    rows = 0
    level_of: dict[tuple[str, str], str] = {}
    for path in sorted(folder.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                rows += 1
                level_of[(path.name, str(number))] = row["Level"].lower()
    stored = list(
        Interaction.objects.filter(source__key="ddinter").values_list("severity", "records")
    )
    records = [r for _severity, recs in stored for r in recs]
    assert len(records) == len(set(records)) == rows  # every CSV row accounted for, once
    for severity, recs in stored:
        for record in recs:
            file, line = record.rsplit(":", 1)
            assert Severity(severity).rank >= Severity(level_of[(file, line)]).rank
    assert Code.objects.filter(system="ddinter").count() == 1939
    # pairs of ingredients are fewer than DDInter's pairs only where drugs were joined
    assert 159_000 < len(stored) <= 160_235


def test_ansm_corrupted_thesaurus_changes_nothing_and_names_the_entry(
    fixture_content, shared_data, tmp_path
):
    folder = tmp_path / "ansm"
    shutil.copytree(shared_data / "ansm_thesaurus", folder)
    with gzip.open(folder / "thesaurus_2020_01.json.gz", "rt", encoding="utf-8") as fh:
        entries = json.load(fh)
    entries[1500]["severity_levels"][0]["level"] = "Très grave"
    with gzip.open(folder / "thesaurus_2020_01.json.gz", "wt", encoding="utf-8") as fh:
        json.dump(entries, fh)
    before = table_state()
    with pytest.raises(ImportFailed, match=r"entry 1500\.severity_levels\[0\]\.level"):
        import_ansm(path=folder, console=QUIET)
    assert table_state() == before


def test_ansm_truncated_json_changes_nothing(fixture_content, shared_data, tmp_path):
    folder = tmp_path / "ansm"
    shutil.copytree(shared_data / "ansm_thesaurus", folder)
    (folder / "substances_index_2020_01.json").write_text(
        (shared_data / "ansm_thesaurus" / "substances_index_2020_01.json").read_text()[:5000]
    )
    before = table_state()
    with pytest.raises(ImportFailed, match="substances_index_2020_01.json"):
        import_ansm(path=folder, console=QUIET)
    assert table_state() == before


def test_drugbank_truncated_file_changes_nothing(fixture_content, shared_data, tmp_path):
    data = (shared_data / "drugbank_vocabulary" / "drugbank_vocabulary.csv.gz").read_bytes()
    (tmp_path / "drugbank_vocabulary.csv.gz").write_bytes(data[: len(data) // 3])
    before = table_state()
    with pytest.raises(ImportFailed, match="drugbank_vocabulary.csv.gz"):
        import_drugbank_vocabulary(path=tmp_path, console=QUIET)
    assert table_state() == before


def test_drugbank_bad_id_changes_nothing_and_names_the_line(fixture_content, shared_data, tmp_path):
    with gzip.open(
        shared_data / "drugbank_vocabulary" / "drugbank_vocabulary.csv.gz", "rt", encoding="utf-8"
    ) as fh:
        lines = fh.read().splitlines(keepends=True)
    lines[700] = lines[700].replace("DB", "XX", 1)
    with gzip.open(tmp_path / "drugbank_vocabulary.csv.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(lines)
    before = table_state()
    with pytest.raises(
        ImportFailed, match=r"drugbank_vocabulary\.csv\.gz:701: field 'DrugBank ID'"
    ):
        import_drugbank_vocabulary(path=tmp_path, console=QUIET)
    assert table_state() == before
