"""Every page type in one browser session, at a phone width and a desktop width.

For each page in PAGES and each width: the page answers with its expected status, nothing makes
the page wider than the screen (a table or long word that pans the whole page sideways on a
phone), the console shows no error (a CSP block shows up here), axe-core finds no serious or
critical violation, no request leaves 127.0.0.1 (the site must work self-hosted without
internet), and a full-page screenshot lands in var/screenshots/pages/ for review.

To cover a new page, add a row to PAGES; nothing else needs to change. All problems are
collected and reported together, so one run lists everything a layout change broke.
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import SCREENSHOTS, run_on_server

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
MAX_SHOT_HEIGHT = 5000  # px

SIX = ["Tysabri", "Ocrevus", "Zocor", "clarithromycin", "warfarin", "ibuprofen"]
TWENTY = SIX + [
    "amlodipine",
    "sertraline",
    "metformin",
    "omeprazole",
    "paracetamol",
    "aspirin",
    "digoxin",
    "amiodarone",
    "fluoxetine",
    "tramadol",
    "lithium",
    "methotrexate",
    "allopurinol",
    "simvastatin",
]


def check(drugs: list[str], view: str) -> str:
    return f"/check/?drugs={quote(','.join(drugs))}&view={view}"


@dataclass(frozen=True)
class Page:
    name: str  # screenshot file name
    path: str
    status: int = 200
    # Wait for this selector before checking (pages that build themselves in the browser).
    ready: str = "main"


# Every bundled content/ rule explains itself, so the severity-only case (a pair rated by a data
# set such as DDInter that gives a severity and nothing else) gets one such rating added below.
SEVERITY_ONLY = ("codeine", "sertraline")

# One row per page type. The guide pairs are taken from the bundled content/ (what the browser
# server loads): one pair per severity, one with nothing recorded, and the severity-only pair.
PAGES = [
    Page("home", "/"),
    Page("check-1-patient", check(["warfarin"], "patient")),
    Page("check-1-professional", check(["warfarin"], "professional")),
    Page("check-6-patient", check(SIX, "patient")),
    Page("check-6-professional", check(SIX, "professional")),
    Page("check-20-patient", check(TWENTY, "patient")),
    Page("check-20-professional", check(TWENTY, "professional")),
    Page("report", check(SIX, "patient").replace("/check/", "/check/report")),
    Page("guide-contraindicated", "/interactions/clarithromycin-and-simvastatin/"),
    Page("guide-major", "/interactions/ibuprofen-and-warfarin/"),
    Page("guide-moderate", "/interactions/paracetamol-and-warfarin/"),
    Page("guide-minor", "/interactions/allopurinol-and-warfarin/"),
    Page("guide-unknown", "/interactions/ezetimibe-and-warfarin/"),
    Page("guide-none-recorded", "/interactions/amlodipine-and-metformin/"),
    Page("guide-severity-only", f"/interactions/{SEVERITY_ONLY[0]}-and-{SEVERITY_ONLY[1]}/"),
    Page("drug", "/drugs/warfarin/"),
    Page("drugs-a-z", "/drugs/"),
    Page("topics-index", "/topics/"),
    Page("topic", "/topics/alemtuzumab-in-ms/"),
    Page("search", "/search/?q=warfarin"),
    Page("not-found", "/no-such-page/", status=404),
    Page("about", "/about/"),
    Page("contact", "/contact/"),
    Page("privacy", "/privacy/"),
    Page("editorial-team", "/about/editorial-team/"),
    Page("api-docs", "/api/docs", ready="#swagger-ui .opblock"),
]


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
        + "; ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:3])
        + ")"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def confirm_professional_notice(context, live_url: str) -> None:
    """Topic pages first ask the reader to confirm they are a professional; say yes once."""
    page = context.new_page()
    page.goto(f"{live_url}/topics/")
    page.get_by_role("button", name="I am a healthcare professional: continue").click()
    page.wait_for_load_state()
    page.close()


@pytest.fixture(scope="module")
def severity_only_pair(live_url, live_var):
    """Add a DDInter-style rating (a severity, no text) to the live server's database."""
    a, b = SEVERITY_ONLY
    code = (
        "from medref.knowledge.models import Interaction, KnowledgeBaseState\n"
        "from medref.sources.models import Source\n"
        "from medref.vocab.models import Ingredient\n"
        "source, _ = Source.objects.get_or_create(key='ddinter', defaults={'name': 'DDInter', "
        "'version': 'test', 'licence': 'CC BY-NC-SA 4.0'})\n"
        f"row = Interaction(source=source, a_ingredient=Ingredient.objects.get(slug='{a}'), "
        f"b_ingredient=Ingredient.objects.get(slug='{b}'), severity='moderate', "
        "review_status='external')\n"
        "row.pair_key = row.compute_pair_key()\n"
        "row.save()\n"
        "KnowledgeBaseState.bump()\n"
    )
    run_on_server(live_var, code)
    # The server's checker index picks up the new knowledge-base version on its own; wait for it.
    url = f"{live_url}/interactions/{a}-and-{b}/"
    deadline = time.monotonic() + 30
    while "severity-moderate" not in urllib.request.urlopen(url, timeout=10).read().decode():
        assert time.monotonic() < deadline, f"{url} never showed the added rating"
        time.sleep(0.3)


def phone_menu_problems(browser, live_url: str) -> list[str]:
    """On a phone the header folds its links behind a Menu button that works without JavaScript."""
    context = browser.new_context(
        viewport={"width": WIDTHS[0], "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_url}/")
    link = page.get_by_role("link", name="Interaction checker", exact=True)
    problems = []
    if link.is_visible():
        problems.append("phone header: the menu links show before the menu is opened")
    header = page.locator(".site-header").bounding_box()
    if header is None or header["height"] > 80:
        problems.append(f"phone header: {header and header['height']}px tall, expected at most 80")
    button = page.get_by_text("Menu", exact=True)
    if not button.is_visible():
        context.close()
        return problems + ["phone header: no Menu button"]
    button.click()
    if not link.is_visible():
        problems.append("phone header: the Menu button does not open the menu without JavaScript")
    context.close()
    return problems


def visit(page, live_url: str, spec: Page, width: int, console: list[str], folder) -> list[str]:
    """Open one page at the current width; return what is wrong with it."""
    where = f"{spec.name} at {width}px ({spec.path})"
    problems = []
    console.clear()
    response = page.goto(f"{live_url}{spec.path}")
    try:
        page.wait_for_selector(spec.ready, timeout=15_000)
    except PlaywrightTimeout:
        problems.append(f"{where}: {spec.ready} never appeared")
    if response is None or response.status != spec.status:
        problems.append(f"{where}: status {response and response.status}")
    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if overflow[0] > overflow[1]:
        problems.append(f"{where}: page is {overflow[0]}px wide on a {overflow[1]}px screen")
    problems += [f"{where}: axe {v}" for v in serious_violations(page)]
    # The browser reports the 404 page's own status as a console error; that one is expected.
    errors = [m for m in console if not (spec.status == 404 and "status of 404" in m)]
    problems += [f"{where}: console error: {m}" for m in errors]
    # The top of a very long page is enough to review, and far quicker to capture.
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
    page.screenshot(
        path=str(folder / f"{spec.name}-{width}.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
    )
    return problems


def sign_in_and_save_a_list(page, live_url: str, live_var) -> str:
    """Create an account, sign in through the form, save a checked list; return its address."""
    email, password = "lists@example.org", "a-long-pass-phrase-for-lists"
    code = (
        "from django.contrib.auth.models import User\n"
        f"User.objects.filter(username={email!r}).exists() or "
        f"User.objects.create_user({email!r}, {email!r}, {password!r})\n"
    )
    run_on_server(live_var, code)
    page.goto(f"{live_url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{live_url}{check(SIX, 'patient')}")
    page.get_by_role("button", name="Save this list").click()
    page.wait_for_url("**/lists/*/")
    return urlsplit(page.url).path


def test_every_page_type_fits_the_screen_is_accessible_and_stays_local(
    browser, live_url, live_var, severity_only_pair
):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 844})
    confirm_professional_notice(context, live_url)
    page = context.new_page()
    console: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(r.url).hostname != "127.0.0.1"
            else None
        ),
    )
    folder = SCREENSHOTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
        for spec in PAGES:
            problems += visit(page, live_url, spec, width, console, folder)
    context.close()

    # The saved-lists pages, as a signed-in user who has just saved the list they checked.
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 844})
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    detail = sign_in_and_save_a_list(page, live_url, live_var)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
        for spec in (Page("lists", "/lists/"), Page("list", detail)):
            problems += visit(page, live_url, spec, width, console, folder)
    context.close()
    problems += [f"request left 127.0.0.1: {url}" for url in dict.fromkeys(outside)]
    problems += phone_menu_problems(browser, live_url)
    assert problems == [], "\n".join(problems)
