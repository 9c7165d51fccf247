"""Import RxNorm's product codes (NLM's RRF release files) so a coded order from an EHR is
identified by its code alone, without its display text.

RxNorm gives every clinical drug (SCD), branded drug (SBD), pack (GPCK, BPCK) and brand name
(BN) an RxCUI, and RXNSAT maps each current NDC to one of them. We follow RxNorm's own relations
from each of them down to its ingredients (IN), match those to our ingredients by RxCUI, then by
exact normalised name, and store one `ProductCode` per product RxCUI and per NDC with the
ingredients it contains. A brand with exactly one ingredient also becomes a brand name of it.

RxNorm ingredients we do not know are reported (how many, and those that block the most
products), never created: thousands of unreviewed ingredients with no class or rating would
crowd name resolution and the drug pages (the DrugBank importer decides the same), and adding one
is a reviewed content change. A product is stored only when every one of its ingredients is
known, so a code never stands for part of a combination: a partial answer looks complete, while
"not identified" is reported to whoever sent the code.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from medref.knowledge.importers.base import (
    MAX_REMOVED_PERCENT,
    Summary,
    commit,
    progress,
    refuse_mass_removal,
    upsert_source,
)
from medref.knowledge.importers.errors import ImportFailed, fail
from medref.knowledge.importers.matching import IngredientMatcher
from medref.vocab.codes import NDC, RxCUI
from medref.vocab.models import NameKind
from medref.vocab.normalize import normalize

SOURCE_KEY = "rxnorm"
SOURCE_DEFAULTS = {
    "name": "RxNorm",
    # The Current Prescribable Content subset is downloadable without a UMLS licence; from a
    # full release we read only RxNorm's own rows (SAB=RXNORM), never other sources' atoms.
    "licence": "NLM RxNorm terms of service (RxNorm's own concepts only, SAB=RXNORM)",
    "licence_url": "https://www.nlm.nih.gov/research/umls/rxnorm/docs/termsofservice.html",
    "url": "https://www.nlm.nih.gov/research/umls/rxnorm/docs/prescribe.html",
    "non_commercial": False,
    "language": "en",
    "citation": "RxNorm, U.S. National Library of Medicine (SAB=RXNORM content only).",
}

# Column order of the three files, as NLM's RxNorm technical documentation (section 12, "Data
# Files") and the table scripts shipped in every release (scripts/*/Table_scripts_mysql_rxn.sql)
# define them. Every row also ends with a "|", so a row splits into one more field, empty.
CONSO_COLUMNS = (
    "RXCUI", "LAT", "TS", "LUI", "STT", "SUI", "ISPREF", "RXAUI", "SAUI", "SCUI", "SDUI", "SAB",
    "TTY", "CODE", "STR", "SRL", "SUPPRESS", "CVF",
)  # fmt: skip
REL_COLUMNS = (
    "RXCUI1", "RXAUI1", "STYPE1", "REL", "RXCUI2", "RXAUI2", "STYPE2", "RELA", "RUI", "SRUI",
    "SAB", "SL", "DIR", "RG", "SUPPRESS", "CVF",
)  # fmt: skip
SAT_COLUMNS = (
    "RXCUI", "LUI", "SUI", "RXAUI", "STYPE", "CODE", "ATUI", "SATUI", "ATN", "SAB", "ATV",
    "SUPPRESS", "CVF",
)  # fmt: skip
FILES = {"RXNCONSO.RRF": CONSO_COLUMNS, "RXNREL.RRF": REL_COLUMNS, "RXNSAT.RRF": SAT_COLUMNS}

# How a concept of each term type reaches its ingredients: {TTY: {RELA: TTYs it leads to}}.
# An RXNREL row reads right to left: the concept RXCUI2 has the relation RELA to RXCUI1 (NLM's
# documentation of RXNREL.RRF defines REL and RELA as what the second concept is to the first,
# like the UMLS MRREL.RRF it follows). RxNorm writes
# every relation in both directions, so we need only one of each pair:
# - SCD consists_of SCDC (one clinical drug component per ingredient and strength), and an
#   SCDC has_ingredient its IN, or has_precise_ingredient a PIN (a salt or form, e.g.
#   "amlodipine besylate") that is form_of its IN;
# - SCD has_ingredients a MIN (the multi-ingredient concept), which has_part each IN: a second
#   route to the same set, used as well so a release that lacks one route still maps;
# - SBD tradename_of its SCD (the branded drug has the generic drug's ingredients), and SBD
#   consists_of SBDCs, each tradename_of an SCDC: again a second route;
# - GPCK contains SCDs; BPCK contains SCDs or SBDs, and is tradename_of its GPCK;
# - BN tradename_of its IN(s).
# Not used: SBD has_ingredient BN, because one brand name may cover products with different
# ingredient sets (a brand's "PM" or "cold" variants), so it could add ingredients the product
# does not contain; and the dose-form and isa relations, which say nothing about ingredients.
# Each step also checks the term type at both ends, so a relation read the wrong way round
# leads nowhere rather than to a wrong ingredient.
ROUTES: dict[str, dict[str, frozenset[str]]] = {
    "SCD": {"consists_of": frozenset({"SCDC"}), "has_ingredients": frozenset({"MIN"})},
    "SBD": {"tradename_of": frozenset({"SCD"}), "consists_of": frozenset({"SBDC"})},
    "GPCK": {"contains": frozenset({"SCD"})},
    "BPCK": {"contains": frozenset({"SCD", "SBD"}), "tradename_of": frozenset({"GPCK"})},
    "BN": {"tradename_of": frozenset({"IN"})},
    "SCDC": {"has_ingredient": frozenset({"IN"}), "has_precise_ingredient": frozenset({"PIN"})},
    "SBDC": {"tradename_of": frozenset({"SCDC"})},
    "MIN": {"has_part": frozenset({"IN"})},
    "PIN": {"form_of": frozenset({"IN"})},
}
RELAS = frozenset(rela for routes in ROUTES.values() for rela in routes)
CONCEPT_TTYS = frozenset(
    {"IN", *ROUTES, *(t for r in ROUTES.values() for ts in r.values() for t in ts)}
)
# The codes we store, each with its ingredients. PIN and MIN are ingredient-level, but EHRs send
# them too (an order for "amlodipine besylate"), and they map as surely as a product does.
STORED_TTYS = ("SCD", "SBD", "GPCK", "BPCK", "BN", "PIN", "MIN")
# RxNorm's own content. Atoms from other sources in the full release (SAB=MMSL, NDDF, ...) carry
# their own licences and are ignored.
SAB = "RXNORM"
# SUPPRESS: N (or empty) is current; O obsolete, Y and E suppressed.
CURRENT = frozenset({"N", ""})
EXAMPLES = 8
UNKNOWN_INGREDIENT = "has an ingredient we do not know"


@dataclass
class Release:
    files: dict[str, Path]
    version: str
    checksum: str
    concepts: dict[str, tuple[str, str]]  # rxcui -> (tty, name)
    edges: dict[str, dict[str, set[str]]]  # rxcui -> rela -> rxcuis it has that relation to
    ndcs: dict[str, set[str]]  # NDC -> product rxcuis
    counts: Counter


def _locate(path: Path) -> dict[str, Path]:
    """The release's three files: in PATH itself, or in its rrf/ folder (an unzipped release)."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, folder / "rrf"):
        if all((candidate / name).is_file() for name in FILES):
            return {name: candidate / name for name in FILES}
    missing = [name for name in FILES if not (folder / name).is_file()]
    raise ImportFailed(
        f"{folder}: expected the RxNorm release files {', '.join(FILES)} here or in its rrf/ "
        f"folder; missing: {', '.join(missing)}"
    )


def _release_date(files: dict[str, Path]) -> str | None:
    """NLM names the readme after the release date (Readme_Full_Prescribe_MMDDYYYY.txt)."""
    folder = files["RXNCONSO.RRF"].parent
    for candidate in (folder, folder.parent):
        for readme in sorted(candidate.glob("Readme*.txt")):
            found = re.search(r"_(\d{2})(\d{2})(\d{4})\.txt$", readme.name)
            if found:
                month, day, year = found.groups()
                return f"{year}-{month}-{day}"
    return None


def _rows(file: Path, columns: tuple[str, ...], digest, advance) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each row, checking the field count; feeds the checksum."""
    expected = len(columns) + 1
    number = pending = 0
    try:
        with file.open("rb") as handle:
            digest.update(file.name.encode())
            for number, raw in enumerate(handle, 1):
                digest.update(raw)
                pending += len(raw)
                if pending > 1 << 20:  # moving the bar per row would cost more than the reading
                    advance(pending)
                    pending = 0
                line = raw.decode("utf-8").rstrip("\r\n")
                if not line:
                    continue
                fields = line.split("|")
                if len(fields) != expected or fields[-1]:
                    raise fail(
                        file,
                        number,
                        "-",
                        f"expected {len(columns)} fields ({', '.join(columns)}), each followed "
                        f"by '|', got {len(fields) - 1 if not fields[-1] else len(fields)}",
                    )
                yield number, fields
            advance(pending)
    except UnicodeDecodeError:
        raise fail(file, number, "-", "not UTF-8 text") from None
    except OSError as exc:
        raise fail(file, None, "-", f"cannot read: {exc}") from None


def _rxcui(file: Path, line: int, column: str, value: str) -> str:
    try:
        return RxCUI(value).value
    except ValueError as exc:
        raise fail(file, line, column, str(exc)) from None


def parse(path: str | Path, console: Console) -> Release:
    """Read and check the three files; keep only what the import uses."""
    files = _locate(Path(path))
    digest = hashlib.sha256()
    counts: Counter = Counter()
    concepts: dict[str, tuple[str, str]] = {}
    edges: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    ndcs: dict[str, set[str]] = defaultdict(set)
    c = {name: i for i, name in enumerate(CONSO_COLUMNS)}
    r = {name: i for i, name in enumerate(REL_COLUMNS)}
    s = {name: i for i, name in enumerate(SAT_COLUMNS)}
    with progress(console) as bar:

        def reader(name: str) -> Iterator[tuple[int, list[str]]]:
            task = bar.add_task(f"reading {name}", total=files[name].stat().st_size)
            return _rows(files[name], FILES[name], digest, lambda n: bar.advance(task, n))

        conso = files["RXNCONSO.RRF"]
        for line, f in reader("RXNCONSO.RRF"):
            counts["RXNCONSO rows"] += 1
            if f[c["SAB"]] != SAB or f[c["TTY"]] not in CONCEPT_TTYS:
                continue
            if f[c["SUPPRESS"]] not in CURRENT:
                continue
            rxcui = _rxcui(conso, line, "RXCUI", f[c["RXCUI"]])
            name = f[c["STR"]].strip()
            if not name:
                raise fail(conso, line, "STR", "empty")
            concepts.setdefault(rxcui, (f[c["TTY"]], name))
        rel = files["RXNREL.RRF"]
        for line, f in reader("RXNREL.RRF"):
            counts["RXNREL rows"] += 1
            if f[r["SAB"]] != SAB or f[r["RELA"]] not in RELAS:
                continue
            if f[r["SUPPRESS"]] not in CURRENT:
                continue
            first = _rxcui(rel, line, "RXCUI1", f[r["RXCUI1"]])
            second = _rxcui(rel, line, "RXCUI2", f[r["RXCUI2"]])
            edges[second][f[r["RELA"]]].add(first)  # RXCUI2 has RELA to RXCUI1
        sat = files["RXNSAT.RRF"]
        for line, f in reader("RXNSAT.RRF"):
            counts["RXNSAT rows"] += 1
            if f[s["ATN"]] != "NDC" or f[s["SAB"]] != SAB or f[s["SUPPRESS"]] not in CURRENT:
                continue
            rxcui = _rxcui(sat, line, "RXCUI", f[s["RXCUI"]])
            try:
                ndc = NDC(f[s["ATV"]].strip()).value
            except ValueError as exc:
                raise fail(sat, line, "ATV", str(exc)) from None
            ndcs[ndc].add(rxcui)
    if not any(tty in STORED_TTYS for tty, _ in concepts.values()):
        raise fail(conso, None, "TTY", f"no current {SAB} concept of type {', '.join(STORED_TTYS)}")
    checksum = digest.hexdigest()
    date = _release_date(files)
    version = f"{date} (sha256 {checksum[:12]})" if date else f"sha256 {checksum[:12]}"
    return Release(files, version, checksum, concepts, edges, ndcs, counts)


def ingredients_of(release: Release) -> dict[str, frozenset[str]]:
    """Each stored concept's ingredient RxCUIs (IN), through ROUTES."""
    memo: dict[str, frozenset[str]] = {}
    visiting: set[str] = set()

    def walk(rxcui: str) -> frozenset[str]:
        if rxcui in memo:
            return memo[rxcui]
        tty = release.concepts.get(rxcui, ("", ""))[0]
        if tty == "IN":
            return frozenset({rxcui})
        if rxcui in visiting:  # a cycle in the relations: it adds nothing
            return frozenset()
        visiting.add(rxcui)
        found: set[str] = set()
        for rela, targets in ROUTES.get(tty, {}).items():
            for other in release.edges.get(rxcui, {}).get(rela, ()):
                if release.concepts.get(other, ("", ""))[0] in targets:
                    found |= walk(other)
        visiting.discard(rxcui)
        memo[rxcui] = frozenset(found)
        return memo[rxcui]

    return {
        rxcui: walk(rxcui) for rxcui, (tty, _) in release.concepts.items() if tty in STORED_TTYS
    }


def _guard_removals(*, source, existing: int, removing: int) -> None:
    """The importers' removal guard (`base.refuse_mass_removal`), worded for product codes."""
    try:
        refuse_mass_removal(source=source, existing=existing, removing=removing)
    except ImportFailed:
        raise ImportFailed(
            f"{source.name}: this import would remove {removing:,} of the {existing:,} product "
            f"codes medref holds from it ({removing / existing:.1%}; more than "
            f"{MAX_REMOVED_PERCENT}% needs confirming). A truncated or missing RXNSAT.RRF or "
            "RXNREL.RRF looks like this: check the input, or, if RxNorm really withdrew them, "
            "run the import again with --allow-removals."
        ) from None


def import_rxnorm(*, path: str | Path, console: Console, dry_run: bool = False) -> Summary:
    release = parse(path, console)
    folder = release.files["RXNCONSO.RRF"].parent
    summary = Summary(title=f"RxNorm import from {folder}")
    for kind, count in release.counts.items():
        summary.read[kind] = count
    summary.read["NDCs"] = len(release.ndcs)
    product_ingredients = ingredients_of(release)

    def write(summary: Summary) -> None:
        from medref.vocab.models import IdentityLink, ProductCode

        source = upsert_source(
            key=SOURCE_KEY,
            defaults={
                **SOURCE_DEFAULTS,
                "version": release.version,
                "checksum": release.checksum,
            },
        )
        matcher = IngredientMatcher(source=source, summary=summary, create=False)

        # Ingredients: by RxCUI, then by exact normalised name; never created.
        with_rxcui = {i for i, system, _ in matcher.codes_held if system == "rxcui"}
        ours: dict[str, int] = {}
        unknown: dict[str, str] = {}
        links: dict[str, tuple[int, str, str]] = {}
        for rxcui, (tty, name) in sorted(release.concepts.items()):
            if tty != "IN":
                continue
            rank, ingredient = matcher.find_ranked(name=name, codes=[("rxcui", rxcui)])
            if ingredient is None:
                unknown[rxcui] = name
                continue
            ours[rxcui] = ingredient
            by_code = rank == -1
            summary.unchanged[
                "ingredients matched by RxCUI" if by_code else "ingredients matched by name"
            ] += 1
            if not by_code and ingredient in with_rxcui:
                # Same name, but ours already holds another RxCUI (from our content or another
                # source): still the same substance by our name rule, so products map to it,
                # but two RxCUIs on one ingredient is for a person to confirm, not for us.
                summary.skipped[("RxCUIs", "matched by name; ours holds another RxCUI")] += 1
            elif not by_code:
                # The name matched and no ingredient holds this RxCUI yet: record it, so the
                # next import (and every coded order naming the ingredient) matches by code.
                matcher.add_code(ingredient, "rxcui", rxcui)
                matcher.by_code[("rxcui", rxcui)] = ingredient
                with_rxcui.add(ingredient)
            links.setdefault(
                name[:300], (ingredient, "code" if by_code else "rule", f"RxNorm IN {rxcui}")
            )
        if unknown:
            summary.skipped[("RxNorm ingredients", "not in our vocabulary (not created)")] += len(
                unknown
            )

        # Products: stored only when every ingredient is one of ours.
        wanted: dict[tuple[str, str], tuple[str, str, str, tuple[int, ...]]] = {}
        blocked: Counter = Counter()
        for rxcui, ins in sorted(product_ingredients.items()):
            tty, name = release.concepts[rxcui]
            if not ins:
                summary.skipped[("products", "no ingredient reachable through its relations")] += 1
                continue
            missing = [i for i in ins if i not in ours]
            if missing:
                summary.skipped[("products", UNKNOWN_INGREDIENT)] += 1
                blocked.update(missing)
                continue
            ids = tuple(sorted({ours[i] for i in ins}))
            wanted[("rxcui", rxcui)] = (tty, name[:3000], "", ids)
            # A brand of one ingredient is a name people type for it; a brand spelt like one of
            # the ingredient's own names (an INN sold under its own name) adds nothing.
            if (
                tty == "BN"
                and len(ids) == 1
                and ids[0] not in matcher.by_name.get(normalize(name), {})
            ):
                matcher.add_name_if_free(ids[0], name, NameKind.BRAND)
        for ndc, rxcuis in sorted(release.ndcs.items()):
            if len(rxcuis) > 1:
                summary.skipped[("NDCs", "on more than one RxNorm concept")] += 1
                continue
            (rxcui,) = rxcuis
            product = wanted.get(("rxcui", rxcui))
            if product is None:
                summary.skipped[("NDCs", "its product is not stored (see products)")] += 1
                continue
            tty, name, _, ids = product
            wanted[("ndc", ndc)] = (tty, name, rxcui, ids)
        matcher.flush()
        _write_codes(ProductCode, source, wanted, summary, console)
        _write_links(IdentityLink, source, links, summary)

        if unknown:
            worst = sorted(unknown, key=lambda i: (-blocked[i], unknown[i].lower()))[:EXAMPLES]
            skipped = summary.skipped[("products", UNKNOWN_INGREDIENT)]
            console.print(
                f"{len(unknown):,} RxNorm ingredients are not in our vocabulary and were not "
                f"created; the {skipped:,} products containing one were skipped. Most used: "
                + ", ".join(f"{unknown[i]} (RxCUI {i}, {blocked[i]:,} products)" for i in worst),
                markup=False,
                highlight=False,
            )

    return commit(write, console=console, summary=summary, dry_run=dry_run)


def _write_codes(model, source, wanted, summary: Summary, console: Console) -> None:
    """Make the source's product codes exactly `wanted`: add, update, remove (guarded)."""
    through = model.ingredients.through
    existing: dict[tuple[str, str], tuple[int, tuple]] = {}
    rows = model.objects.filter(source=source).values_list(
        "id", "system", "value", "tty", "name", "rxcui"
    )
    members: dict[int, list[int]] = defaultdict(list)
    for code_id, ingredient_id in (
        through.objects.filter(productcode__source=source)
        .order_by("ingredient_id")
        .values_list("productcode_id", "ingredient_id")
    ):
        members[code_id].append(ingredient_id)
    for code_id, system, value, tty, name, rxcui in rows:
        existing[(system, value)] = (code_id, (tty, name, rxcui, tuple(members[code_id])))
    stale = [existing[k][0] for k in existing.keys() - wanted.keys()]
    if stale:
        _guard_removals(source=source, existing=len(existing), removing=len(stale))
        for start in range(0, len(stale), 500):
            model.objects.filter(id__in=stale[start : start + 500]).delete()
        summary.removed["product codes"] += len(stale)
    new, changed = [], []
    with progress(console) as bar:
        task = bar.add_task("product codes", total=len(wanted))
        for key, row in wanted.items():
            bar.advance(task)
            if key not in existing:
                new.append((key, row))
            elif existing[key][1] != row:
                changed.append((existing[key][0], row))
            else:
                summary.unchanged["product codes"] += 1
    created = model.objects.bulk_create(
        [
            model(system=s, value=v, tty=tty, name=name, rxcui=rxcui, source=source)
            for (s, v), (tty, name, rxcui, _) in new
        ],
        batch_size=5000,
    )
    links = [
        through(productcode_id=code.id, ingredient_id=i)
        for code, (_, (_, _, _, ids)) in zip(created, new, strict=True)
        for i in ids
    ]
    if changed:
        ids_changed = [code_id for code_id, _ in changed]
        model.objects.bulk_update(
            [
                model(id=code_id, tty=tty, name=name, rxcui=rxcui)
                for code_id, (tty, name, rxcui, _) in changed
            ],
            ["tty", "name", "rxcui"],
            batch_size=5000,
        )
        for start in range(0, len(ids_changed), 500):
            through.objects.filter(productcode_id__in=ids_changed[start : start + 500]).delete()
        links += [
            through(productcode_id=code_id, ingredient_id=i)
            for code_id, (_, _, _, ids) in changed
            for i in ids
        ]
    through.objects.bulk_create(links, batch_size=5000)
    summary.added["product codes"] += len(new)
    summary.updated["product codes"] += len(changed)


def _write_links(model, source, links: dict[str, tuple[int, str, str]], summary: Summary) -> None:
    """Record how each RxNorm ingredient was identified (shown by `medref kb audit`)."""
    held = {link.external_name: link for link in model.objects.filter(source=source)}
    new = []
    for name, (ingredient, method, detail) in links.items():
        link = held.get(name)
        if link is None:
            new.append(
                model(
                    source=source,
                    external_name=name,
                    ingredient_id=ingredient,
                    method=method,
                    detail=detail,
                )
            )
        elif link.ingredient_id != ingredient:
            # Only a new ingredient is a new decision: an ingredient first matched by name is
            # matched by the RxCUI we gave it ever after, and that is still the name's doing.
            link.ingredient_id, link.method, link.detail = ingredient, method, detail
            link.save(update_fields=["ingredient", "method", "detail"])
            summary.updated["identity links"] += 1
    model.objects.bulk_create(new, batch_size=5000)
    summary.added["identity links"] += len(new)
    gone = [name for name in held if name not in links]
    if gone:
        model.objects.filter(source=source, external_name__in=gone).delete()
        summary.removed["identity links"] += len(gone)
