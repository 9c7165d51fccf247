"""Interactive API docs at /api/docs, served entirely by this site.

django-ninja ships Swagger UI's files in its own static folder, so the docs page needs no CDN and
works on a self-hosted install without internet access. The page boots Swagger UI from ninja's
external init script (no inline script), so it renders under the site's Content-Security-Policy.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger, _csrf_needed

if TYPE_CHECKING:
    from ninja import NinjaAPI


class SelfHostedSwagger(Swagger):
    """Swagger UI from ninja's bundled static files, in a page of our own (language, title, icon)."""

    template = "medref/api_docs.html"
    default_settings = {
        "layout": "BaseLayout",
        # Deep links put an <a> inside each operation's toggle <button>: nested controls that
        # screen readers cannot operate (axe "nested-interactive"). Without them the page is clean.
        "deepLinking": False,
        # Swagger UI would otherwise send the schema to validator.swagger.io for a badge.
        "validatorUrl": None,
    }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        # A per-request copy: ninja's own render_page writes the URL into the shared instance.
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            # Escape "<" so nothing in the settings can close the <script type="application/json">.
            "swagger_settings": json.dumps(swagger_settings).replace("<", "\\u003c"),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)
