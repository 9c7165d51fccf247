"""CORS for the CDS Hooks and FHIR endpoints only: EHRs and the CDS Hooks sandbox call them from
other origins. Credentials are never allowed, so no cookie-authenticated API is exposed."""

from __future__ import annotations

from django.http import HttpResponse

_PREFIXES = ("/cds-services", "/fhir/")


class CdsCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_PREFIXES):
            return self.get_response(request)
        response = (
            HttpResponse(status=204) if request.method == "OPTIONS" else self.get_response(request)
        )
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response["Access-Control-Max-Age"] = "3600"
        return response
