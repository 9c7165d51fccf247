"""HTTP routes for CDS Hooks and the FHIR $check operation (in the one OpenAPI document)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from medref.api.cdshooks import service
from medref.api.cdshooks.auth import Unauthorized, verify
from medref.api.cdshooks.medications import BadRequest

cds_router = Router(tags=["CDS Hooks"])
fhir_router = Router(tags=["FHIR"])

_CDS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["hook", "hookInstance", "context"],
                    "properties": {
                        "hook": {"type": "string", "enum": ["order-select", "order-sign"]},
                        "hookInstance": {"type": "string"},
                        "fhirServer": {"type": "string"},
                        "fhirAuthorization": {"type": "object"},
                        "context": {"type": "object"},
                        "prefetch": {"type": "object"},
                    },
                }
            }
        },
    }
}
_FHIR_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/fhir+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _json_body(request: HttpRequest):
    try:
        return json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"the request body is not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@cds_router.get("", summary="CDS Hooks discovery")
def discovery(request: HttpRequest):
    """The services medref offers, with the prefetch templates they want."""
    return service.discovery()


@cds_router.post("/{service_id}", summary="Call a CDS Hooks service", openapi_extra=_CDS_BODY)
def call_service(request: HttpRequest, service_id: str):
    """order-select / order-sign: one card per interaction or duplication found."""
    if service_id not in service.SERVICES:
        return _problem(404, f"no CDS service {service_id!r}; GET /cds-services lists them")
    try:
        verify(
            request.headers.get("Authorization"), audience=request.build_absolute_uri(request.path)
        )
    except Unauthorized as exc:
        return _problem(401, str(exc))
    try:
        return JsonResponse(service.run(service_id, _json_body(request), base_url=_base(request)))
    except BadRequest as exc:
        return _problem(400, str(exc))


@fhir_router.post(
    "/DetectedIssue/$check",
    summary="FHIR: detected issues in a Bundle of medications",
    openapi_extra=_FHIR_BODY,
)
def detected_issue_check(request: HttpRequest):
    """Takes a Bundle of MedicationRequest and/or MedicationStatement; returns a Bundle of
    DetectedIssue, one per interaction or duplication."""
    try:
        bundle = service.detected_issues(_json_body(request), base_url=_base(request))
    except BadRequest as exc:
        body = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "invalid", "diagnostics": str(exc)}],
        }
        return HttpResponse(json.dumps(body), status=400, content_type="application/fhir+json")
    return HttpResponse(json.dumps(bundle), content_type="application/fhir+json")
