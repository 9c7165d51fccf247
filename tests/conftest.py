"""Shared test set-up: the fixture content set and the data-set path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
SHARED_DATA = Path(os.environ.get("MEDREF_SHARED_DATA", ROOT.parent / "shared" / "data"))


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(autouse=True, scope="session")
def _snapshot_dir(tmp_path_factory):
    """Snapshots written by the tests go to a folder of their own, never to var/snapshots."""
    from django.conf import settings

    settings.MEDREF_SNAPSHOT_DIR = str(tmp_path_factory.mktemp("snapshots"))


@pytest.fixture
def fixture_content(db):
    """Load the small curated fixture set into the test database."""
    from rich.console import Console

    from medref.checker.repository import get_checker
    from medref.content.load import import_content

    import_content(path=FIXTURE_CONTENT, console=Console(quiet=True))
    get_checker().reset()
    # Inside a test transaction a background thread could not see the data: rebuild in line.
    get_checker().background_rebuild = False
    return FIXTURE_CONTENT


@pytest.fixture
def checker(fixture_content):
    from medref.checker.repository import get_checker

    return get_checker()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared data sets are expected at {SHARED_DATA} (set MEDREF_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture
def hcp_client(client):
    """A browser that has confirmed the healthcare-professional notice."""
    client.cookies["medref_hcp"] = "1"
    return client
