"""Public pages: the home page and the health check; guide pages join them later."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from medref import __version__
from medref.knowledge.models import KnowledgeBaseState


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "medref/home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness in one: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        kb_version = KnowledgeBaseState.current()
    except Exception as exc:  # any database failure means "not ready"
        return JsonResponse(
            {"status": "error", "database": {"ok": False, "error": exc.__class__.__name__}},
            status=503,
        )
    return JsonResponse(
        {
            "status": "ok",
            "version": __version__,
            "database": {"ok": True, "vendor": connection.vendor},
            "knowledge_base_version": kb_version,
        }
    )
