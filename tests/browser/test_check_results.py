"""The checker's results in chromium with JavaScript turned off: the summary, the severity filter
(a plain GET form) and the collapsed details all work, and each pair is listed once."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_guide_browser import serious_violations

pytestmark = pytest.mark.browser

DRUGS = "Tysabri, Ocrevus, Zocor, clarithromycin, warfarin, aspirin"


def test_check_results_filter_and_details_work_without_javascript(browser, live_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_url}/check/")
    page.fill("#drugs", DRUGS)
    page.click(".check-form button[type=submit]")

    # One finding per pair, even where the pair both interacts and duplicates a class.
    titles = page.locator(".finding h4").all_inner_texts()
    assert [t for t in titles if t.startswith("Natalizumab and ocrelizumab")] == [
        "Natalizumab and ocrelizumab"
    ]
    groups = page.locator(".severity-group h3").count()
    assert groups >= 2
    summary = page.locator(".check-summary a")
    assert summary.count() == groups
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Details start collapsed and open with a click, with no script.
    first = page.locator(".finding details").first
    assert first.get_attribute("open") is None
    first.locator("summary").click()
    assert first.get_attribute("open") is not None
    assert first.locator("table.sources").is_visible()

    # Keep only the most serious group.
    boxes = page.locator(".severity-filter input[type=checkbox]")
    keep = boxes.first.get_attribute("value")
    for i in range(boxes.count()):
        boxes.nth(i).set_checked(i == 0)
    page.click(".severity-filter button[type=submit]")

    assert f"severity={keep}" in page.url and "view=professional" in page.url
    assert page.locator(".severity-group h3").count() == 1
    assert page.locator(f"#sev-{keep}").is_visible()
    assert "hidden by the filter" in page.locator(".results").inner_text()
    # The summary still counts every group; a hidden one links to a page that shows it.
    assert page.locator(".check-summary a").count() == groups
    page.locator(".check-summary a").nth(1).click()
    assert page.locator(".severity-group h3").count() == 2
    screenshot(page, "check-results-no-javascript-390")
    filtered_url = page.url

    # The printable report keeps the wording and shows the box for questions.
    page.click("text=printable report")
    assert "/check/report?" in page.url and "view=professional" in page.url
    assert page.locator(".questions-box").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "check-report-390")
    report_url = page.url
    context.close()

    # axe-core runs as a script, so the accessibility check needs a page with JavaScript on.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    for url in (filtered_url, report_url):
        page.goto(url)
        assert serious_violations(page) == [], url
    context.close()
