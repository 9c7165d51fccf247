"""Professional reference views: editorial pages now; topic pages join them later."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from medref.reference.markdown import render_markdown
from medref.reference.models import Page


def editorial_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(Page, slug=slug)
    return render(
        request, "medref/page.html", {"page": page, "body_html": render_markdown(page.body)}
    )
