"""The severity colour system in site.css: every level keeps its own fill under simulated colour
blindness, and carries an icon of its own, so colour is never the only cue."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from medref.domain.severity import Severity
from tests.conftest import ROOT

STATIC = ROOT / "medref" / "static" / "medref"
CSS = (STATIC / "site.css").read_text()
# Every badge class the templates use: the five severities and "no interaction recorded".
LEVELS = [s.value for s in Severity] + ["none"]

# Machado, Oliveira & Fernandes (2009), complete dichromacy (severity 1.0), on linear RGB.
SIMULATIONS = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
# CIE76 delta-E: about 2 is just noticeable; 10 is clearly a different colour at a glance.
MIN_DELTA_E = 10


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def _simulated_lab(hex_colour: str, matrix: list[list[float]]) -> tuple[float, float, float]:
    rgb = [_linear(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5)]
    seen = [min(1.0, max(0.0, sum(row[k] * rgb[k] for k in range(3)))) for row in matrix]
    return _lab(seen)


def badge_fill(level: str) -> str:
    match = re.search(rf"--sev-{level}-bg:\s*(#[0-9a-fA-F]{{6}})", CSS)
    assert match, f"site.css defines no --sev-{level}-bg"
    return match.group(1)


@pytest.mark.parametrize("vision", sorted(SIMULATIONS))
def test_severity_fills_stay_distinct_under_colour_blindness(vision):
    matrix = SIMULATIONS[vision]
    seen = {level: _simulated_lab(badge_fill(level), matrix) for level in LEVELS}

    too_close = [
        f"{a}/{b}: {math.dist(seen[a], seen[b]):.1f}"
        for a, b in itertools.combinations(LEVELS, 2)
        if math.dist(seen[a], seen[b]) < MIN_DELTA_E
    ]

    assert too_close == []


@pytest.mark.parametrize("level", LEVELS)
def test_each_severity_badge_has_its_own_icon(level):
    rule = re.search(rf"\.severity-{level}::before \{{([^}}]*)\}}", CSS)

    assert rule, f".severity-{level}::before has no rule"
    icon = re.search(r"mask-image: url\(([^)]+)\)", rule.group(1))
    assert icon and icon.group(1) == f"icons/sev-{level}.svg"
    assert (STATIC / icon.group(1)).is_file()
