"""Professional reference flows in a real browser: the notice and the meter running out, and a
new user signing up, verifying, annotating, coming back and exporting."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_anonymous_reader_confirms_notice_and_reads_until_asked_to_sign_in(browser, live_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_url}/topics/")
    assert "written for healthcare professionals" in page.inner_text("main")
    page.click("text=I am a healthcare professional: continue")
    links = page.locator("main ul.columns a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(4)]
    counts = []
    for href in hrefs[:3]:
        page.goto(f"{live_url}{href}")
        counts.append(
            int(re.search(r"You can view (\d+) more", page.inner_text(".meter")).group(1))
        )
    assert counts == [2, 1, 0]
    page.goto(f"{live_url}{hrefs[3]}")
    assert page.locator("#wall-heading").inner_text() == "Sign in to keep reading"
    assert page.locator(".topic-body").count() == 0
    screenshot(page, "reference-meter-exhausted")
    page.click("text=Sign in >> nth=-1")
    assert "/accounts/login/" in page.url
    context.close()


def test_reader_signs_up_verifies_annotates_returns_and_exports(browser, live_url, live_var):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_url}/accounts/signup/")
    page.fill("#id_email", "pharmacist@example.org")
    page.fill("#id_password", "a-very-long-pass-phrase-42")
    page.select_option("#id_profession", "pharmacist")
    page.fill("#id_registration_number", "GPhC 2099999")
    page.click("main button[type=submit]")
    assert "Check your email" in page.inner_text("h1")

    mail = "\n".join(p.read_text() for p in sorted((live_var / "mail").glob("*.log")))
    link = re.search(r"http://127\.0\.0\.1:\d+/accounts/verify/\S+/", mail).group(0)
    page.goto(link)
    assert "/accounts/login/" in page.url and "confirmed" in page.inner_text(".messages")
    page.fill("#id_username", "pharmacist@example.org")
    page.fill("#id_password", "a-very-long-pass-phrase-42")
    page.click("main button[type=submit]")
    assert "/accounts/profile/" in page.url

    topic = f"{live_url}/topics/natalizumab-highly-active-rrms/"
    page.goto(topic)
    if page.locator("text=I am a healthcare professional: continue").count():
        page.click("text=I am a healthcare professional: continue")
    page.fill("#new-note", "Local MS team: ext 4455, protocol https://example.org/ms")
    page.click("text=Add note")
    page.goto(f"{live_url}/")  # leave
    page.goto(topic)  # come back
    notes = page.inner_text("#notes")
    assert "Local MS team: ext 4455" in notes and "Added" in notes
    assert page.locator('#notes a[href="https://example.org/ms"]').count() == 1
    screenshot(page, "reference-annotation")

    page.goto(f"{live_url}/annotations/")
    with page.expect_download() as download:
        page.click("text=JSON")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["annotations"][0]["text"].startswith("Local MS team")
    context.close()
