"""Error bodies for the machine interfaces, chosen by the request path.

/api/ and /cds-services answer `{"detail": "..."}`, the shape every JSON route already uses;
/fhir answers a FHIR R4 OperationOutcome at every status (R4 operationoutcome.html: the resource
a server returns "when a RESTful interaction or operation fails"). The HTML site is left to its
own handlers: `error_response` returns None there. The site's handler404/handler500
(medref.config.views) call it first, and `ApiErrorMiddleware` rewrites the error responses that
never reach a handler (ninja's 405, a CSRF 403, a body over DATA_UPLOAD_MAX_MEMORY_SIZE), so no
API client ever receives an HTML page.
"""

from __future__ import annotations

import json
from typing import Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

FHIR_JSON = "application/fhir+json"
Interface = Literal["json", "fhir"]

# The sentence an error gets when the code that refused the request gave none.
MESSAGES = {
    400: "the request is not valid",
    401: "authentication is required",
    403: "this request is not allowed",
    404: "Not found.",
    405: "this method is not allowed here",
    406: "the requested response format is not available",
    413: "the request body is too large",
    415: "the request body must be JSON",
    422: "the request is not valid",
    429: "too many requests",
    500: "the server could not complete the request; the error has been logged",
}
# FHIR R4 IssueType codes (http://hl7.org/fhir/R4/valueset-issue-type.html) per HTTP status.
ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    412: "conflict",
    413: "too-long",
    415: "not-supported",
    422: "processing",
    429: "throttled",
}


def interface(path: str) -> Interface | None:
    """Which machine interface a request path belongs to, or None for the HTML site."""
    if path == "/fhir" or path.startswith("/fhir/"):
        return "fhir"
    if path.startswith("/api/") or path == "/cds-services" or path.startswith("/cds-services/"):
        return "json"
    return None


def operation_outcome(diagnostics: str, *, code: str = "invalid", severity: str = "error") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def fhir_error(
    status: int, diagnostics: str | None = None, *, code: str | None = None
) -> HttpResponse:
    """An OperationOutcome response; 5xx use the issue type "exception"."""
    code = code or ISSUE_TYPES.get(status, "exception" if status >= 500 else "invalid")
    body = operation_outcome(diagnostics or MESSAGES.get(status, "error"), code=code)
    return HttpResponse(json.dumps(body), status=status, content_type=FHIR_JSON)


def error_response(
    request: HttpRequest, status: int, detail: str | None = None
) -> HttpResponse | None:
    """The error body this request's interface expects, or None on an HTML page's path."""
    kind = interface(request.path_info)
    if kind == "fhir":
        return fhir_error(status, detail)
    if kind == "json":
        return JsonResponse({"detail": detail or MESSAGES.get(status, "error")}, status=status)
    return None


def _existing_detail(response: HttpResponse) -> str | None:
    """The sentence in a `{"detail": "..."}` body, so a rewrite keeps the refusal's reason."""
    if "json" not in response.get("Content-Type", "") or response.streaming:
        return None
    try:
        detail = json.loads(response.content).get("detail")
    except (ValueError, AttributeError):
        return None
    return detail if isinstance(detail, str) else None


class ApiErrorMiddleware:
    """Give every 4xx/5xx on /api, /cds-services and /fhir its interface's body.

    The response is changed in place so the headers set on it (Allow on a 405, CORS) survive.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        kind = interface(request.path_info)
        if kind is None or response.status_code < 400 or response.streaming:
            return response
        content_type = response.get("Content-Type", "")
        if kind == "json" and content_type.startswith("application/json"):
            return response
        if kind == "fhir" and content_type.startswith(FHIR_JSON):
            return response
        replacement = error_response(request, response.status_code, _existing_detail(response))
        response.content = replacement.content
        response["Content-Type"] = replacement["Content-Type"]
        if response.has_header("Content-Length"):  # set by CommonMiddleware for the old body
            response["Content-Length"] = str(len(response.content))
        return response

    def process_exception(self, request, exception):
        # Django turns RequestDataTooBig into a bare 400; the client needs to know it was size.
        if isinstance(exception, RequestDataTooBig) and interface(request.path_info):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return error_response(request, 413, f"the request body is larger than {limit} bytes")
        return None
