"""Topic pages and the checker agree: every interaction a topic asserts in its front matter
(`interactions:`) is returned by the checker, on the bundled content, at least at that severity."""

from __future__ import annotations

import pytest
from rich.console import Console

from medref.content.load import import_content, parse_content
from medref.knowledge.severity import Severity
from tests.conftest import ROOT


def test_topic_assertions_are_well_formed_and_present():
    bundle = parse_content(ROOT / "content")
    asserted = [a for t in bundle.topics for a in t.interactions]
    assert len(asserted) >= len(bundle.topics)  # every topic states at least one, on average


@pytest.mark.django_db
def test_the_checker_returns_what_each_topic_asserts():
    from medref.checker.repository import get_checker

    import_content(path=ROOT / "content", console=Console(quiet=True))
    get_checker().reset()
    checker = get_checker()
    bundle = parse_content(ROOT / "content")
    failures = []
    for topic in bundle.topics:
        for claim in topic.interactions:
            result = checker.check(list(claim.drugs))
            unknown = [d.input for d in result.drugs if not d.resolution.resolved]
            expected = Severity.parse(claim.severity)
            found = max((f.severity for f in result.findings), key=lambda s: s.rank, default=None)
            if unknown or found is None or found.rank < expected.rank:
                failures.append(
                    f"{topic.slug}: {' + '.join(claim.drugs)}: topic says "
                    f"{expected.value}, checker {found.value if found else 'nothing'}"
                    + (f" (unknown: {', '.join(unknown)})" if unknown else "")
                )
    assert failures == [], "\n".join(failures)
