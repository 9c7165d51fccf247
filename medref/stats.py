"""Counts for `medref stats`: what the knowledge base holds, by source and severity."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count
from rich.console import Console
from rich.table import Table

from medref.knowledge.models import Interaction, KnowledgeBaseState
from medref.reference.models import Topic
from medref.sources.models import Source
from medref.vocab.models import DrugClass, Ingredient, Name, Product


def collect_stats() -> dict:
    by_source: dict[str, dict] = {}
    by_severity: dict[str, int] = defaultdict(int)
    rows = Interaction.objects.values("source__key", "severity").annotate(n=Count("id"))
    for row in rows:
        entry = by_source.setdefault(row["source__key"], {"total": 0, "by_severity": {}})
        entry["total"] += row["n"]
        entry["by_severity"][row["severity"]] = row["n"]
        by_severity[row["severity"]] += row["n"]
    sources = {
        s.key: {
            "name": s.name,
            "version": s.version,
            "licence": s.licence,
            "imported_at": s.imported_at.isoformat() if s.imported_at else None,
        }
        for s in Source.objects.all()
    }
    return {
        "knowledge_base_version": KnowledgeBaseState.current(),
        "drugs": Ingredient.objects.count(),
        "names": Name.objects.count(),
        "products": Product.objects.count(),
        "classes": DrugClass.objects.count(),
        "interactions": {
            "total": sum(by_severity.values()),
            "by_source": by_source,
            "by_severity": dict(by_severity),
        },
        "topics": Topic.objects.exclude(status=Topic.Status.RETIRED).count(),
        "users": get_user_model().objects.count(),
        "sources": sources,
    }


def print_stats(stats: dict, console: Console) -> None:
    table = Table(title=f"medref knowledge base (version {stats['knowledge_base_version']})")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in ("drugs", "names", "products", "classes", "topics", "users"):
        table.add_row(key, f"{stats[key]:,}")
    table.add_row("interactions", f"{stats['interactions']['total']:,}")
    console.print(table)
    per = Table(title="Interactions by source and severity")
    levels = ["contraindicated", "major", "moderate", "minor", "unknown"]
    per.add_column("source")
    for level in levels:
        per.add_column(level, justify="right")
    per.add_column("total", justify="right")
    for key, entry in sorted(stats["interactions"]["by_source"].items()):
        per.add_row(
            key, *(f"{entry['by_severity'].get(lv, 0):,}" for lv in levels), f"{entry['total']:,}"
        )
    console.print(per)
