"""HTTP routes for CDS Hooks (in the one OpenAPI document; FHIR $check is in medref.api.fhir)."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from ninja import Router

from medref.api.cdshooks import service
from medref.api.cdshooks.auth import Unauthorized, verify
from medref.api.cdshooks.feedback import record_feedback
from medref.api.cdshooks.medications import BadRequest

cds_router = Router(tags=["CDS Hooks"])

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


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _json_body(request: HttpRequest):
    try:
        body = json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"the request body is not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    # JSON lets "\ud800" spell half a UTF-16 surrogate pair, which is no character at all and
    # cannot be written back out: refuse it here rather than fail while answering.
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(
            "the request body contains an unpaired \\uD800-\\uDFFF escape, which is not text"
        ) from None
    return body


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
    except service.TooManyMedications as exc:
        return _problem(413, str(exc))
    except BadRequest as exc:
        return _problem(400, str(exc))
    except service.PreconditionFailed as exc:
        # CDS Hooks 2.0.1 "HTTP Status Codes": the FHIR data needed was not prefetched.
        return _problem(412, str(exc))


_FEEDBACK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["feedback"],
                    "properties": {
                        "feedback": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["card", "outcome", "outcomeTimestamp"],
                                "properties": {
                                    "card": {"type": "string"},
                                    "outcome": {
                                        "type": "string",
                                        "enum": ["accepted", "overridden"],
                                    },
                                    "acceptedSuggestions": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {"id": {"type": "string"}},
                                        },
                                    },
                                    "overrideReason": {"type": "object"},
                                    "outcomeTimestamp": {"type": "string", "format": "date-time"},
                                },
                            },
                        }
                    },
                }
            }
        },
    },
    # Integer keys, as ninja uses: a string "200" would sit beside ninja's own 200 and the JSON
    # document would hold "200" twice, which Swagger UI's parser rejects (/api/docs goes blank).
    "responses": {
        200: {"description": "The feedback was stored"},
        400: {"description": "The feedback is not valid"},
        401: {"description": "A bearer JWT is required and missing or not valid"},
        404: {"description": "No such service"},
    },
}


@cds_router.post(
    "/{service_id}/feedback",
    summary="Feedback on a CDS Hooks service's cards",
    openapi_extra=_FEEDBACK_BODY,
)
def feedback(request: HttpRequest, service_id: str):
    """CDS Hooks 2.0.1 "Feedback": a card's suggestion accepted, or the card overridden (with the
    override reason the clinician chose). Each is stored; `medref cds feedback` summarises."""
    if service_id not in service.SERVICES:
        return _problem(404, f"no CDS service {service_id!r}; GET /cds-services lists them")
    try:
        verify(
            request.headers.get("Authorization"), audience=request.build_absolute_uri(request.path)
        )
    except Unauthorized as exc:
        return _problem(401, str(exc))
    try:
        stored = record_feedback(service=service_id, body=_json_body(request))
    except BadRequest as exc:
        return _problem(400, str(exc))
    return JsonResponse({"stored": stored})
