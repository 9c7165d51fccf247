"""Script payloads planted in annotations, topic Markdown, search queries and drug names never
execute in a real browser: no dialog fires anywhere (CSP and escaping both stand in the way)."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.browser.conftest import run_on_server

pytestmark = pytest.mark.browser
PAYLOADS = [
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=alert('xss-img')>",
    "[click me](javascript:alert('xss-link'))",
    "javascript:alert('xss-bare')",
    "\"><svg onload=alert('xss-svg')>",
]


def test_planted_payloads_never_execute(browser, live_url, live_var):
    # Plant the payloads in a topic's Markdown on the server's own database.
    body = "\\n\\n".join(PAYLOADS)
    code = (
        "from medref.reference.models import Topic\n"
        f"Topic.objects.filter(slug='lithium-monitoring').update(body='Planted.\\n\\n' + {body!r})\n"
    )
    run_on_server(live_var, code)

    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live_url}/accounts/login/")
    page.fill("#id_username", "author@example.org")
    page.fill("#id_password", "author-long-pass-phrase-1")
    page.click("main button[type=submit]")

    page.goto(f"{live_url}/topics/lithium-monitoring/")
    if page.locator("text=I am a healthcare professional: continue").count():
        page.click("text=I am a healthcare professional: continue")
    for payload in PAYLOADS:
        page.fill("#new-note", payload)
        page.click("text=Add note")
    page.goto(f"{live_url}/topics/lithium-monitoring/")
    shown = page.inner_text("main")
    assert "Planted." in shown and "<script>alert('xss-script')</script>" in shown  # there, as text
    page.goto(f"{live_url}/annotations/")
    for payload in PAYLOADS:
        page.goto(f"{live_url}/search/?q={urllib.parse.quote(payload)}")
        page.goto(f"{live_url}/check/?drugs={urllib.parse.quote(payload)},warfarin")
    # Clicking the planted link must not run it either.
    page.goto(f"{live_url}/topics/lithium-monitoring/")
    links = page.locator(".topic-body a, .notes a")
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href") or ""
        assert not href.lower().startswith("javascript:")
    page.wait_for_timeout(500)
    assert dialogs == []
    context.close()
