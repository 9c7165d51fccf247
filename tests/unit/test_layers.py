"""Layers point one way (docs/architecture.md): no module imports from an app above its own.

The known upward imports below are debts, listed so that the test fails on any new one and on
any listed one that has been paid off (remove it from the list then)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "medref"
# Lowest first. Top-level modules (cli, kb_cli, imports, setup, stats, backup) and config sit
# above all.
LAYERS = [
    "domain",
    "vocab",
    "knowledge",
    "reference",
    "checker",
    "editorial",
    "accounts",
    "annotations",
    "lists",
    "content",
    "guides",
    "api",
]
KNOWN_UPWARD = {
    ("reference/views.py", "accounts"),
    ("reference/views.py", "annotations"),
    ("reference/views.py", "editorial"),
    ("reference/search.py", "checker"),
}


def upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in LAYERS or "migrations" in rel.parts:
            continue
        own = LAYERS.index(rel.parts[0])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "medref" and len(parts) > 1 and parts[1] in LAYERS:
                    if LAYERS.index(parts[1]) > own:
                        found.add((str(rel), parts[1]))
                elif (
                    parts[0] == "medref"
                    and len(parts) > 1
                    and parts[1]
                    in (
                        "cli",
                        "kb_cli",
                        "imports",
                        "setup",
                        "config",
                    )
                ):
                    if rel.parts[0] != "config":
                        found.add((str(rel), parts[1]))
    return found


def test_no_new_upward_import():
    new = sorted(upward_imports() - KNOWN_UPWARD)
    assert new == [], f"imports that run up the layers (docs/architecture.md): {new}"


def test_paid_off_debts_leave_the_list():
    gone = sorted(KNOWN_UPWARD - upward_imports())
    assert gone == [], f"no longer imported upward; remove from KNOWN_UPWARD: {gone}"


def test_the_domain_and_the_engine_import_no_web_framework():
    core = ["engine.py", "snapshot.py", "oneshot.py"]
    for module in [
        *ROOT.joinpath("domain").glob("*.py"),
        *(ROOT / "checker" / name for name in core),
    ]:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {
            (n.module or "").split(".")[0]
            if isinstance(n, ast.ImportFrom)
            else a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in (n.names if isinstance(n, ast.Import) else [n])
        }
        assert "django" not in imported and "ninja" not in imported, module
