"""FHIR R4 (4.0.1) routes: the CapabilityStatement, the OperationDefinition of `$check`, and
`POST /fhir/DetectedIssue/$check` itself.

The operation follows R4 operations.html: it is invoked on the DetectedIssue type, takes its
input either as a `Parameters` resource (parameter `medications`) or, as a shortcut, as the Bundle
or medication resource posted directly, and returns its single `return` Bundle as the body. Every
error is an OperationOutcome (medref.api.errors). The check itself is the CDS Hooks one
(medref.api.cdshooks.service.detected_issues); this module only speaks FHIR around it.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from ninja import Router

from medref import __version__
from medref.api.cdshooks import service
from medref.api.cdshooks.auth import Unauthorized, verify
from medref.api.cdshooks.medications import MED_TYPES, BadRequest
from medref.api.errors import FHIR_JSON, fhir_error

fhir_router = Router(tags=["FHIR"])

FHIR_VERSION = "4.0.1"
PARAMETER = "medications"  # the one input parameter of $check (OperationDefinition/check)
# The date the statement and the definition last changed in substance (both require a date).
DEFINITIONS_DATE = "2026-11-30"
# Media types read as FHIR JSON. application/json+fhir is the pre-R3 name some clients still send.
JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")


def _fhir(body: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type=FHIR_JSON)


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _definition_url(request: HttpRequest) -> str:
    return f"{_base(request)}/fhir/OperationDefinition/check"


@fhir_router.get("/metadata", summary="FHIR: CapabilityStatement")
def capability_statement(request: HttpRequest):
    """What this FHIR endpoint offers: the `$check` operation on DetectedIssue, in JSON."""
    return _fhir(
        {
            "resourceType": "CapabilityStatement",
            "id": "medref",
            "url": f"{_base(request)}/fhir/metadata",
            "version": __version__,
            "name": "MedrefCapabilityStatement",
            "title": "medref FHIR interface",
            "status": "active",
            "experimental": False,
            "date": DEFINITIONS_DATE,
            "publisher": "medref",
            "description": "medref checks medication lists for drug interactions and therapeutic "
            "duplication. Its FHIR interface is one operation: DetectedIssue/$check.",
            # R4 cpb-14: an "instance" statement describes one running server, so it names
            # the implementation (its address) and may name the software.
            "kind": "instance",
            "software": {"name": "medref", "version": __version__},
            "implementation": {
                "description": "medref drug-interaction checker",
                "url": f"{_base(request)}/fhir",
            },
            "fhirVersion": FHIR_VERSION,
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "documentation": "Only JSON is accepted and returned; other formats get 415.",
                    "security": {
                        "cors": True,
                        "description": "When this server requires signed requests, $check needs "
                        "the same bearer JWT as the CDS Hooks services (CDS Hooks 2.0 "
                        '"Trusting CDS Clients"), with the operation\'s URL as its audience.',
                    },
                    "resource": [
                        {
                            "type": "DetectedIssue",
                            "operation": [
                                {
                                    "name": "check",
                                    "definition": _definition_url(request),
                                    "documentation": "Check a Bundle of MedicationRequest and "
                                    "MedicationStatement resources; returns one DetectedIssue "
                                    "per interaction or duplication found.",
                                }
                            ],
                        },
                        {"type": "OperationDefinition", "interaction": [{"code": "read"}]},
                    ],
                }
            ],
        }
    )


@fhir_router.get("/OperationDefinition/{definition_id}", summary="FHIR: OperationDefinition")
def operation_definition(request: HttpRequest, definition_id: str):
    """The definition of `$check` (id `check`), referenced from the CapabilityStatement."""
    if definition_id != "check":
        return fhir_error(
            404, f"no OperationDefinition {definition_id!r}; this server defines only 'check'"
        )
    return _fhir(
        {
            "resourceType": "OperationDefinition",
            "id": "check",
            "url": _definition_url(request),
            "version": __version__,
            "name": "MedrefCheck",
            "title": "Check medications for interactions",
            "status": "active",
            "kind": "operation",
            "date": DEFINITIONS_DATE,
            "publisher": "medref",
            "description": "Checks every pair of the given medications for interactions and "
            "therapeutic duplication, using each source medref holds. MedicationRequest and "
            "MedicationStatement resources are identified by their RxNorm, ATC or NDC codes, "
            "or by their names; Medication resources they reference may be sent alongside.",
            # It reads, never writes; but its input is resources, so it is POST only.
            "affectsState": False,
            "code": "check",
            "resource": ["DetectedIssue"],
            "system": False,
            "type": True,
            "instance": False,
            "parameter": [
                {
                    "name": PARAMETER,
                    "use": "in",
                    "min": 1,
                    "max": "*",
                    "documentation": "A Bundle of MedicationRequest and MedicationStatement "
                    "resources (and the Medication resources they reference), or one "
                    "MedicationRequest or MedicationStatement. Repeat it to send several; all "
                    "are checked together. The Bundle or resource may also be posted as the "
                    "request body without a Parameters wrapper.",
                    "type": "Resource",
                },
                {
                    "name": "return",
                    "use": "out",
                    "min": 1,
                    "max": "1",
                    "documentation": "A Bundle of type collection holding one DetectedIssue per "
                    "interaction or duplication found. No entry means no interaction is "
                    "recorded in medref's sources, which is not the same as safe.",
                    "type": "Bundle",
                },
            ],
        }
    )


class _Refusal(Exception):
    """A request refused with a status other than 400 (the OperationOutcome issue code given)."""

    def __init__(self, status: int, message: str, code: str):
        super().__init__(message)
        self.status, self.code = status, code


def _parse(request: HttpRequest):
    content_type = request.content_type or ""
    if content_type not in JSON_TYPES:
        raise _Refusal(
            415,
            f"this server reads FHIR JSON only (Content-Type: application/fhir+json), "
            f"not {content_type or 'a body without a Content-Type'}",
            "not-supported",
        )
    try:
        return json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"the request body is not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None


def _as_bundle(body) -> dict:
    """The Bundle to check: the body itself, or the `medications` of a Parameters resource
    gathered into one Bundle (entries keep their fullUrl, so references between them work)."""
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a FHIR resource (a JSON object)")
    if body.get("resourceType") != "Parameters":
        return body
    parameters = body.get("parameter")
    if not isinstance(parameters, list) or not parameters:
        raise BadRequest(f"Parameters.parameter must list at least one {PARAMETER!r} parameter")
    entries: list = []
    for number, parameter in enumerate(parameters):
        where = f"Parameters.parameter[{number}]"
        if not isinstance(parameter, dict):
            raise BadRequest(f"{where} must be a JSON object")
        if parameter.get("name") != PARAMETER:
            raise BadRequest(
                f"{where}: unknown parameter {parameter.get('name')!r}; $check takes "
                f"{PARAMETER!r} (OperationDefinition/check)"
            )
        resource = parameter.get("resource")
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if kind == "Bundle":
            inner = resource.get("entry")
            if inner is not None and not isinstance(inner, list):
                raise BadRequest(f"{where}.resource.entry must be a list")
            entries.extend(inner or [])
        elif kind in MED_TYPES:
            entries.append({"resource": resource})
        else:
            raise BadRequest(
                f"{where}.resource must be a Bundle, MedicationRequest or MedicationStatement"
            )
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _conform(bundle: dict) -> dict:
    """Make the answer strict R4: no `total` outside a searchset or history Bundle (bdl-1), no
    empty `entry` array (JSON format: arrays are never empty), and no reference to an entry
    that has neither an id nor a fullUrl (only its description can be given)."""
    bundle.pop("total", None)
    if not bundle.get("entry"):
        bundle.pop("entry", None)
    for entry in bundle.get("entry", []):
        resource = entry.get("resource", {})
        for target in resource.get("implicated", []):
            reference = target.get("reference", "")
            if "/#" in reference:  # "MedicationRequest/#0": a position, not a reference
                kind = reference.split("/#", 1)[0]
                target.pop("reference")
                target["display"] = f"the {kind} in the request that has no id or fullUrl"
    return bundle


@fhir_router.post(
    "/DetectedIssue/$check", summary="FHIR: detected issues in a Bundle of medications"
)
def detected_issue_check(request: HttpRequest):
    """Takes a Parameters resource (or a Bundle, or one MedicationRequest/MedicationStatement);
    returns a Bundle of DetectedIssue, one per interaction or duplication."""
    try:
        # The same rule as a CDS Hooks call: the token's audience is this operation's URL.
        verify(
            request.headers.get("Authorization"), audience=request.build_absolute_uri(request.path)
        )
    except Unauthorized as exc:
        response = fhir_error(401, str(exc), code="login")
        response["WWW-Authenticate"] = "Bearer"
        return response
    try:
        bundle = service.detected_issues(_as_bundle(_parse(request)), base_url=_base(request))
    except _Refusal as exc:
        return fhir_error(exc.status, str(exc), code=exc.code)
    except service.TooManyMedications as exc:
        return fhir_error(413, str(exc), code="too-costly")
    except BadRequest as exc:
        return fhir_error(400, str(exc))
    return _fhir(_conform(bundle))
