"""An editor's journey in a real browser: an author drafts a change to a topic, a reviewer signs
it off, an editor publishes it, and the public page shows the new text and Last reviewed date."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
TOPIC = "/topics/lithium-monitoring/"


def sign_in(browser, live_url, who: str):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_url}/accounts/login/")
    page.fill("#id_username", f"{who}@example.org")
    page.fill("#id_password", f"{who}-long-pass-phrase-1")
    page.click("main button[type=submit]")
    return context, page


def test_author_drafts_reviewer_signs_off_editor_publishes(browser, live_url):
    author_ctx, author = sign_in(browser, live_url, "author")
    author.goto(f"{live_url}/editorial/topics/lithium-monitoring/")
    body = author.input_value("#body")
    author.fill(
        "#body",
        "**Reviewed summary:** check the lithium level 12 hours after the dose [1].\n\n" + body,
    )
    author.fill("#change_note", "Add a reviewed summary line")
    author.click("text=Save draft revision")
    assert author.inner_text("#revision-state") == "Draft"
    revision_url = author.url
    author.click("text=Submit for clinical review")
    assert author.inner_text("#revision-state") == "In review"
    author_ctx.close()

    public_ctx = browser.new_context()
    public = public_ctx.new_page()
    public.goto(f"{live_url}{TOPIC}")
    public.click("text=I am a healthcare professional: continue")
    assert "Reviewed summary" not in public.inner_text("main")  # not published yet

    reviewer_ctx, reviewer = sign_in(browser, live_url, "reviewer")
    reviewer.goto(revision_url)
    reviewer.fill("#reviewer_team", "medref psychiatry review team")
    reviewer.fill("#review_note", "Timing matches NICE CG185 and the SmPC")
    reviewer.click("text=Sign off clinical accuracy")
    assert reviewer.inner_text("#revision-state") == "Approved by a clinical reviewer"
    reviewer_ctx.close()

    editor_ctx, editor = sign_in(browser, live_url, "editor")
    editor.goto(revision_url)
    editor.click("text=Publish this revision")
    assert editor.inner_text("#revision-state") == "Published"
    editor_ctx.close()

    public.goto(f"{live_url}{TOPIC}")
    text = public.inner_text("main")
    today = dt.date.today()
    assert "Reviewed summary: check the lithium level 12 hours after the dose" in text
    assert re.search(
        rf"Last reviewed\s+{today.day} {today:%B %Y} by medref psychiatry review team", text
    )
    assert "Add a reviewed summary line" in text  # What changed
    screenshot(public, "editorial-published-topic")
    public_ctx.close()
