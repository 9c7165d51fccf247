"""The natalizumab + ocrelizumab guide in a real browser: its sections, a screenshot, and an
axe-core accessibility check with no serious or critical violations."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

SECTIONS = [
    "Quick answer",
    "How natalizumab interacts with ocrelizumab",
    "What you should do",
    "Key facts",
    "Frequently asked questions",
    "Sources",
    "Review",
    "For healthcare professionals",
]


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_guide_page_sections_screenshot_and_accessibility(page, live_url):
    page.goto(f"{live_url}/interactions/natalizumab-and-ocrelizumab/")

    assert page.title() == "Natalizumab and ocrelizumab: drug interaction guide | medref"
    headings = page.locator("h2").all_inner_texts()
    assert [h for h in SECTIONS if h not in headings] == []
    assert page.locator(".severity-line").inner_text().startswith("Contraindicated")
    assert "do not use together" in page.locator(".severity-line").inner_text()
    assert page.locator("footer .disclaimer").is_visible()
    assert screenshot(page, "guide-natalizumab-ocrelizumab").stat().st_size > 10_000
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    "path", ["/", "/check/?drugs=Tysabri,Ocrevus,ocrel", "/drugs/warfarin/", "/drugs/"]
)
def test_public_pages_have_no_serious_accessibility_violations(page, live_url, path):
    page.goto(f"{live_url}{path}")
    assert serious_violations(page) == []


def test_checker_page_works_without_javascript(browser, live_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_url}/check/")
    page.fill("#drugs", "Zocor, Klaricid")
    page.click(".check-form button[type=submit]")
    assert "Clarithromycin and simvastatin" in page.locator(".results").inner_text()
    assert "/check/?drugs=" in page.url
    context.close()


def test_checker_autocomplete_suggests_names(page, live_url):
    page.goto(f"{live_url}/check/")
    page.type("#drugs", "Tys", delay=30)
    page.wait_for_selector("#drug-suggestions li")
    assert "Tysabri" in page.locator("#drug-suggestions").inner_text()
    page.click("#drug-suggestions li")
    assert page.input_value("#drugs").startswith("Tysabri")
    assert page.dialogs == []
