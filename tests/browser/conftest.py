"""Browser tests: Debian's chromium driven by Playwright against a real `medref serve`.

The server runs in its own process on 127.0.0.1 with a throwaway SQLite database loaded with the
fixture content, exactly as a user would run it. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "var" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_var(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser-var")


@pytest.fixture(scope="session")
def live_url(live_var) -> str:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("browser tests run once, against their own SQLite server")
    var = live_var
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    # The real bundled content, a small page allowance, and email written to var/mail/ where the
    # sign-up test can read the verification link.
    env.update(
        {
            "MEDREF_VAR_DIR": str(var),
            "DATABASE_URL": "",
            "MEDREF_FREE_PAGES": "3",
            "MEDREF_EMAIL_BACKEND": "file",
        }
    )
    setup = subprocess.run(
        [sys.executable, "-m", "medref.cli", "setup", "--content", str(ROOT / "content")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert setup.returncode == 0, setup.stderr
    team = (
        "from django.contrib.auth.models import Group, User\n"
        "for role, name in (('Authors', 'author'), ('Clinical reviewers', 'reviewer'), ('Editors', 'editor')):\n"
        "    u = User.objects.create_user(f'{name}@example.org', f'{name}@example.org', f'{name}-long-pass-phrase-1')\n"
        "    u.groups.add(Group.objects.get(name=role))\n"
    )
    run_on_server(var, team)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "medref.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("medref serve did not start")
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"chromium is expected at {CHROMIUM} (Debian package 'chromium'; .ci/run installs it)"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_on_server(live_var: Path, code: str) -> None:
    """Run Python code with `medref manage shell` against the live server's own database
    (planting test data the way an operator would)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"MEDREF_VAR_DIR": str(live_var), "DATABASE_URL": ""})
    done = subprocess.run(
        [sys.executable, "-m", "medref.cli", "manage", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
