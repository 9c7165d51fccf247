"""Site-wide pages that belong to no domain app: about, contact, privacy, the favicon, and the
branded 404 and 500 pages (the API paths get medref.api.errors' JSON bodies instead)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from medref.api.errors import error_response
from medref.domain.severity import Severity

logger = logging.getLogger(__name__)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # /api, /cds-services and /fhir answer in their own JSON / OperationOutcome shape.
    response = error_response(request, 404)
    if response is not None:
        return response
    return render(request, "medref/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    response = error_response(request, 500)
    if response is not None:
        return response
    # No request context: whatever broke (often the database) must not break this page too, so
    # it is rendered without context processors (no user, no session lookup).
    try:
        body = loader.render_to_string("medref/500.html")
    except Exception:  # the last resort must always answer
        logger.exception("the 500 page itself failed to render")
        body = "<!doctype html><title>Server error</title><h1>Something went wrong on our side</h1>"
    return HttpResponse(body, status=500)


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    # Most serious first, with the same labels and actions the checker and guides use.
    severities = sorted(Severity, key=lambda s: s.rank, reverse=True)
    return render(request, "medref/about.html", {"severities": severities})


@require_safe
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "medref/contact.html", {"issues_url": settings.MEDREF_ISSUES_URL})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "medref/privacy.html",
        {
            "free_pages_days": settings.MEDREF_FREE_PAGES_DAYS,
            # Saved medication lists are described only on installs that have the feature.
            "lists_installed": "medref.lists" in settings.INSTALLED_APPS,
        },
    )


@require_safe
def report_problem(request: HttpRequest) -> HttpResponse:
    """A stable address for "report a problem" links in content, whatever tracker is configured."""
    return HttpResponseRedirect(settings.MEDREF_ISSUES_URL)


@require_safe
@cache_control(max_age=86_400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers and crawlers ask for /favicon.ico whatever the page says; send them to the SVG.
    return HttpResponseRedirect(static("medref/favicon.svg"))
