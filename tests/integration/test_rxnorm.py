"""`medref import rxnorm`: product RxCUIs and NDCs map to their ingredients, the import is
idempotent and atomic, and the checker identifies coded products by their codes alone."""

from __future__ import annotations

import io
import shutil

import pytest
from rich.console import Console

from medref.domain.sources import CURATED
from medref.imports import IMPORTERS
from medref.knowledge.audit import run_audit
from medref.knowledge.importers.errors import ImportFailed
from medref.knowledge.importers.rxnorm import import_rxnorm
from medref.knowledge.models import KnowledgeBaseState
from medref.sources.models import Source
from medref.vocab.models import Code, IdentityLink, Ingredient, Name, NameKind, ProductCode
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "rxnorm"
QUIET = Console(quiet=True)


@pytest.fixture
def benazepril(fixture_content):
    """An ingredient the fixture content lacks, known by name only (no RxCUI yet)."""
    source = Source.objects.get(key=CURATED)
    ingredient = Ingredient.objects.create(slug="benazepril", name="benazepril", source=source)
    Name.objects.create(
        ingredient=ingredient,
        name="benazepril",
        normalized="benazepril",
        kind=NameKind.INN,
        source=source,
    )
    return ingredient


def mapped() -> dict[tuple[str, str], tuple[str, ...]]:
    out = {}
    for code in ProductCode.objects.prefetch_related("ingredients"):
        out[(code.system, code.value)] = tuple(sorted(i.slug for i in code.ingredients.all()))
    return out


def state() -> list:
    return [
        sorted(
            (
                c.system,
                c.value,
                c.tty,
                c.name,
                c.rxcui,
                tuple(sorted(c.ingredients.values_list("id", flat=True))),
            )
            for c in ProductCode.objects.all()
        ),
        sorted(Name.objects.values_list("ingredient_id", "normalized", "kind", "source__key")),
        sorted(Code.objects.values_list("ingredient_id", "system", "value", "source__key")),
        sorted(
            IdentityLink.objects.values_list(
                "source__key", "external_name", "ingredient_id", "method"
            )
        ),
        KnowledgeBaseState.current(),
        sorted(Source.objects.values_list("key", "version", "checksum", "imported_at")),
    ]


def test_rxnorm_import_maps_products_packs_brands_and_ndcs_to_ingredients(benazepril):
    out = io.StringIO()

    summary = import_rxnorm(path=FIXTURE, console=Console(file=out, width=200))

    codes = mapped()
    simvastatin, clarithromycin = ("simvastatin",), ("clarithromycin",)
    assert codes[("rxcui", "314231")] == simvastatin  # SCD
    assert codes[("rxcui", "9000501")] == simvastatin  # SBD, through its SCD
    assert codes[("rxcui", "9000701")] == simvastatin  # BPCK holding that SBD
    assert codes[("rxcui", "9000401")] == simvastatin  # BN Zocor
    assert codes[("rxcui", "197517")] == clarithromycin  # SCD
    assert codes[("rxcui", "9000601")] == clarithromycin  # GPCK
    assert codes[("rxcui", "9000301")] == ("amlodipine", "benazepril")  # two-ingredient SCD
    assert codes[("rxcui", "9000104")] == ("amlodipine", "benazepril")  # MIN
    assert codes[("rxcui", "9000103")] == ("amlodipine",)  # PIN -> its IN
    assert codes[("ndc", "99999000101")] == simvastatin
    assert codes[("ndc", "99999000303")] == simvastatin  # the SBD's NDC
    assert codes[("ndc", "99999000202")] == clarithromycin
    assert ProductCode.objects.get(system="ndc", value="99999000202").rxcui == "197517"
    # Never part of a combination: ezetimibe is not ours, so its product and NDC are skipped.
    assert ("rxcui", "9000302") not in codes and ("ndc", "99999000404") not in codes
    # Obsolete concepts, other sources' NDCs and ingredient components are not stored.
    assert ("rxcui", "9000303") not in codes and ("ndc", "99999000999") not in codes
    assert ("rxcui", "9000201") not in codes and ("rxcui", "36567") not in codes
    assert summary.skipped[("products", "has an ingredient we do not know")] == 1
    assert summary.skipped[("RxNorm ingredients", "not in our vocabulary (not created)")] == 1
    assert "ezetimibe (RxCUI 9000102, 1 products)" in out.getvalue()
    assert not Ingredient.objects.filter(name__iexact="ezetimibe").exists()
    # Matched by name: the ingredient gains RxNorm's RxCUI, and the decision is recorded.
    assert benazepril.codes.filter(system="rxcui", value="9000101").exists()
    links = dict(
        IdentityLink.objects.filter(source__key="rxnorm").values_list("external_name", "method")
    )
    assert links["benazepril"] == "rule" and links["simvastatin"] == "code"
    # A one-ingredient brand becomes a brand name; a combination's brand does not.
    brands = Name.objects.filter(source__key="rxnorm", kind=NameKind.BRAND)
    assert list(brands.values_list("name", "ingredient__slug")) == [("Zocor", "simvastatin")]
    # Same name, other RxCUI than ours: no second RxCUI on one ingredient.
    assert not Code.objects.filter(value="9000105").exists()
    assert summary.skipped[("RxCUIs", "matched by name; ours holds another RxCUI")] == 1
    assert run_audit().duplicates == []
    source = Source.objects.get(key="rxnorm")
    assert source.licence.startswith("NLM RxNorm terms") and source.imported_at
    assert source.version.startswith("sha256 ")


def test_rxnorm_second_import_changes_nothing(benazepril):
    import_rxnorm(path=FIXTURE, console=QUIET)
    before = state()

    summary = import_rxnorm(path=FIXTURE, console=QUIET)

    assert not summary.changed
    assert state() == before


@pytest.mark.parametrize(
    ("file", "line", "broken", "expected"),
    [
        ("RXNREL.RRF", 7, lambda row: row.replace("|RO|", "|", 1), "RXNREL.RRF:7: field '-'"),
        (
            "RXNCONSO.RRF",
            3,
            lambda row: row.replace("17767|", "x17767|", 1),
            "RXNCONSO.RRF:3: field 'RXCUI'",
        ),
        (
            "RXNSAT.RRF",
            2,
            lambda row: row.replace("99999000202", "9999-0002-02"),
            "RXNSAT.RRF:2: field 'ATV'",
        ),
    ],
)
def test_rxnorm_malformed_file_names_file_and_line_and_changes_nothing(
    benazepril, tmp_path, file, line, broken, expected
):
    shutil.copytree(FIXTURE, tmp_path / "release")
    target = tmp_path / "release" / file
    rows = target.read_text(encoding="utf-8").splitlines(keepends=True)
    rows[line - 1] = broken(rows[line - 1])
    target.write_text("".join(rows), encoding="utf-8")
    before = state()

    with pytest.raises(ImportFailed) as failure:
        import_rxnorm(path=tmp_path / "release", console=QUIET)

    assert expected in str(failure.value)
    assert state() == before


def test_rxnorm_relations_read_the_wrong_way_round_map_nothing(benazepril, tmp_path):
    # RXNREL rows read "RXCUI2 has RELA to RXCUI1"; with the two swapped, every relation points
    # from the wrong term type, and the import must store nothing rather than guess.
    shutil.copytree(FIXTURE, tmp_path / "release")
    target = tmp_path / "release" / "RXNREL.RRF"
    rows = []
    for row in target.read_text(encoding="utf-8").splitlines():
        f = row.split("|")
        f[0], f[4] = f[4], f[0]
        rows.append("|".join(f) + "\n")
    target.write_text("".join(rows), encoding="utf-8")

    summary = import_rxnorm(path=tmp_path / "release", console=QUIET)

    assert not ProductCode.objects.exists()
    assert summary.skipped[("products", "no ingredient reachable through its relations")] == 11


def test_rxnorm_import_refuses_to_drop_most_codes_unless_allowed(benazepril, tmp_path):
    import_rxnorm(path=FIXTURE, console=QUIET)
    shutil.copytree(FIXTURE, tmp_path / "release")
    (tmp_path / "release" / "RXNSAT.RRF").write_text("", encoding="utf-8")  # a truncated file
    before = state()

    with pytest.raises(ImportFailed, match="would remove 3 of the 13 product codes"):
        import_rxnorm(path=tmp_path / "release", console=QUIET)
    assert state() == before

    # As `medref import rxnorm PATH --allow-removals` calls it.
    summary = IMPORTERS["rxnorm"](
        path=tmp_path / "release", console=QUIET, dry_run=False, allow_removals=True
    )
    assert summary.removed["product codes"] == 3
    assert not ProductCode.objects.filter(system="ndc").exists()


def test_checker_finds_simvastatin_and_clarithromycin_from_product_codes_alone(benazepril):
    from medref.checker.engine import check_drugs, resolved_drug
    from medref.checker.repository import get_checker
    from medref.vocab.resolve import Resolution

    import_rxnorm(path=FIXTURE, console=QUIET)
    index = get_checker().index()

    def coded(system: str, value: str):
        # What an EHR sends: a code, no display text the name resolver could use.
        label = f"{system}|{value}"
        ids = index.codes[(system, value)]
        return resolved_drug(index, label, Resolution(label, True, ids, system, value))

    for orders in (
        [("rxcui", "314231"), ("rxcui", "197517")],  # SCD + SCD
        [("rxcui", "9000501"), ("ndc", "99999000202")],  # SBD + NDC
        [("rxcui", "9000701"), ("rxcui", "9000601")],  # BPCK + GPCK
    ):
        result = check_drugs(index, [coded(*order) for order in orders])

        interaction = [f for f in result.findings if f.kind == "interaction"]
        assert interaction, orders
        assert set(interaction[0].drugs) == {"simvastatin", "clarithromycin"}
        assert interaction[0].severity.value == "contraindicated"
