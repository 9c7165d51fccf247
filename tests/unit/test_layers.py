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
    "sources",
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
KNOWN_UPWARD: set[tuple[str, str]] = set()


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
    core = ["engine.py", "present.py", "snapshot.py", "oneshot.py"]
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


def test_foreign_keys_point_down_the_layers():
    """A model may point only at models of its own app or of an app below it, so no two apps
    point at each other (vocab and knowledge once did, through Source)."""
    from django.apps import apps

    upward = []
    for model in apps.get_models():
        own = model._meta.app_label
        if own not in LAYERS:
            continue
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            other = field.related_model._meta.app_label
            if other in LAYERS and LAYERS.index(other) > LAYERS.index(own):
                upward.append(f"{model.__name__}.{field.name} -> {other}")
    assert upward == []
