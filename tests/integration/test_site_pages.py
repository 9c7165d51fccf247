"""Site-wide pages: branded 404 and 500, about/contact/privacy, the favicon, the report-a-problem
link and the self-hosted API docs (no CDN, no inline script)."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def test_unknown_page_gets_the_branded_404_with_search_and_navigation(client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in html
    assert 'action="/search/"' in html and 'id="notfound-search"' in html
    assert 'href="/check/"' in html and 'href="/drugs/"' in html
    assert 'class="site-header"' in html


def test_unknown_api_path_keeps_its_json_404(client):
    response = client.get("/api/v1/no-such-endpoint")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_server_error_gets_the_branded_500_page_without_the_database(rf):
    from medref.config.views import server_error

    response = server_error(rf.get("/drugs/warfarin/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert 'action="/search/"' in html


def test_server_error_on_an_api_path_answers_json(rf):
    from medref.config.views import server_error

    response = server_error(rf.get("/api/v1/check"))

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/about/", "About medref"),
        ("/contact/", "Contact and corrections"),
        ("/privacy/", "Privacy"),
    ],
)
def test_site_page_renders_and_is_linked_from_the_footer(client, path, heading):
    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    footer = html.split('<footer class="site-footer">', 1)[1]
    assert f'href="{path}"' in footer


def test_privacy_page_says_what_is_stored(client):
    html = client.get("/privacy/").content.decode()

    for stored in ("argon2", "annotations", "random visitor number", "Sign-in records"):
        assert stored in html


@override_settings(MEDREF_ISSUES_URL="https://tracker.example.org/medref/issues")
def test_report_a_problem_links_to_the_configured_tracker(client):
    contact = client.get("/contact/").content.decode()
    redirect = client.get("/contact/report/")

    assert (
        '<a href="https://tracker.example.org/medref/issues">open an issue in the medref project '
        "repository</a>" in contact
    )
    assert redirect.status_code == 302
    assert redirect["Location"] == "https://tracker.example.org/medref/issues"


def test_editorial_team_page_links_open_an_issue():
    from medref.reference.markdown import render_markdown

    body = (ROOT / "content" / "pages" / "editorial-team.md").read_text().split("---", 2)[2]

    html = render_markdown(body)

    assert re.search(
        r'<a href="/contact/report/"[^>]*>open an issue in the medref project\s+repository</a>',
        html,
    )


def test_favicon_ico_answers_with_the_svg_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("medref/favicon.svg")


def test_api_docs_load_swagger_from_our_own_static_files_without_inline_script():
    response = Client().get("/api/docs")

    html = response.content.decode()
    assert response.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    # Only external scripts, plus the JSON settings block (data, which the CSP does not run).
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _ in scripts)
    assert all(not body.strip() for attrs, body in scripts if "src=" in attrs)
    assert re.findall(r'src="([^"]+)"', html) == [
        "/static/medref/logo.svg",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    assert "cdn" not in html.lower() and "https://" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_api_docs_static_files_are_served_by_the_site():
    from django.contrib.staticfiles import finders

    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(name), name


def test_openapi_document_has_no_duplicate_keys():
    """Swagger UI refuses a document that names a key twice (e.g. a response "200" beside ninja's
    own 200), and /api/docs then shows no operations at all."""
    import json
    from collections import Counter

    duplicated: list[str] = []

    def no_duplicates(pairs):
        duplicated.extend(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        return dict(pairs)

    json.loads(Client().get("/api/openapi.json").content, object_pairs_hook=no_duplicates)

    assert duplicated == []
