"""The severity action labels are defined once, in medref.domain.severity; the pages that print the
scale as a table must say the same, and each label must agree with what the scale lets people do."""

from __future__ import annotations

import re
from pathlib import Path

from medref.domain.severity import Severity

ROOT = Path(__file__).resolve().parents[3]
ROW = re.compile(r"^\| *(?P<severity>[A-Za-z]+) *\| *(?P<action>[^|]+?) *\|$", re.MULTILINE)
DOCS = ["content/pages/severity-levels.md", "content/README.md"]


def test_severity_labels_match_the_scale_and_its_tables():
    # Arrange
    levels = {s.value for s in Severity}
    # Act
    tables = {
        doc: {
            m["severity"].lower(): m["action"]
            for m in ROW.finditer((ROOT / doc).read_text(encoding="utf-8"))
            if m["severity"].lower() in levels
        }
        for doc in DOCS
    }
    # Assert: the scale says "Avoid the combination where an alternative exists. If both drugs
    # are essential, use them only with the monitoring ...", so the label must not say "avoid"
    # alone; and the tables that print the scale must repeat the one definition.
    assert Severity.MAJOR.action == "avoid or monitor closely"
    assert tables == {doc: {s.value: s.action for s in Severity} for doc in DOCS}
