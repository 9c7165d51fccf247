"""OpenAPI descriptions of the CDS Hooks and FHIR responses, which are plain dicts rather than
ninja schemas (their shape is set by those specifications, not by us).

The schemas name the fields a client relies on and leave the rest open
(`additionalProperties` stays allowed), so they document the wire format without freezing it:
CDS Hooks 2.0.1 "CDS Service Response" / "Card Attributes", and the FHIR R4 resources by their
required elements.
"""

from __future__ import annotations

from ninja import Router

from medref.api.errors import FHIR_JSON

PROBLEM = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string", "description": "what was wrong, in one line"}},
}
OPERATION_OUTCOME = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"enum": ["fatal", "error", "warning", "information"]},
                    "code": {"type": "string"},
                    "diagnostics": {"type": "string"},
                },
            },
        },
    },
}
_REFERENCE = {
    "type": "object",
    "properties": {"reference": {"type": "string"}, "display": {"type": "string"}},
}
DETECTED_ISSUE_BUNDLE = {
    "type": "object",
    "description": "FHIR R4 Bundle of type collection (no total: bdl-1).",
    "required": ["resourceType", "type"],
    "properties": {
        "resourceType": {"const": "Bundle"},
        "type": {"const": "collection"},
        "entry": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["resource"],
                "properties": {
                    "resource": {
                        "type": "object",
                        "required": ["resourceType"],
                        "properties": {
                            "resourceType": {"enum": ["DetectedIssue", "OperationOutcome"]},
                            "status": {"type": "string"},
                            "severity": {"enum": ["high", "moderate", "low"]},
                            "implicated": {"type": "array", "items": _REFERENCE},
                        },
                    }
                },
            },
        },
    },
    "not": {"required": ["total"]},
}
CAPABILITY_STATEMENT = {
    "type": "object",
    "required": ["resourceType", "status", "date", "kind", "fhirVersion", "format"],
    "properties": {
        "resourceType": {"const": "CapabilityStatement"},
        "fhirVersion": {"const": "4.0.1"},
        "rest": {"type": "array", "items": {"type": "object"}},
    },
}
OPERATION_DEFINITION = {
    "type": "object",
    "required": ["resourceType", "name", "status", "kind", "code", "system", "type", "instance"],
    "properties": {
        "resourceType": {"const": "OperationDefinition"},
        "code": {"type": "string"},
        "parameter": {"type": "array", "items": {"type": "object"}},
    },
}
CDS_DISCOVERY = {
    "type": "object",
    "required": ["services"],
    "properties": {
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["hook", "description", "id"],
                "properties": {
                    "hook": {"type": "string"},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "id": {"type": "string"},
                    "prefetch": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
        }
    },
}
CDS_CARDS = {
    "type": "object",
    "required": ["cards"],
    "properties": {
        "cards": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["summary", "indicator", "source"],
                "properties": {
                    "uuid": {"type": "string"},
                    "summary": {"type": "string", "maxLength": 140},
                    "detail": {"type": "string"},
                    "indicator": {"enum": ["info", "warning", "critical"]},
                    "source": {
                        "type": "object",
                        "required": ["label"],
                        "properties": {"label": {"type": "string"}, "url": {"type": "string"}},
                    },
                    "suggestions": {"type": "array", "items": {"type": "object"}},
                    "links": {"type": "array", "items": {"type": "object"}},
                    "overrideReasons": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
        "systemActions": {"type": "array", "items": {"type": "object"}},
    },
}


def _json(description: str, schema: dict, media_type: str = "application/json") -> dict:
    return {"description": description, "content": {media_type: {"schema": schema}}}


def _problem(description: str) -> dict:
    return _json(description, PROBLEM)


def _outcome(description: str) -> dict:
    return _json(description, OPERATION_OUTCOME, FHIR_JSON)


UNAUTHORIZED = "the bearer JWT is missing (when one is required) or fails a check"

# Responses of each operation, by (method, path relative to its router); int status keys, as
# ninja uses, so they replace its default "200: OK" instead of sitting beside it.
CDS_RESPONSES = {
    ("GET", ""): {200: _json("The services medref offers", CDS_DISCOVERY)},
    ("POST", "/{service_id}"): {
        200: _json("Cards, one per finding; an empty list when there is nothing to say", CDS_CARDS),
        400: _problem("the request is not a valid CDS Hooks call"),
        401: _problem(UNAUTHORIZED),
        404: _problem("no such service"),
        412: _problem("the FHIR data the service needs was neither prefetched nor fetchable"),
        413: _problem("the request body is too large, or holds too many medications"),
    },
    ("POST", "/{service_id}/feedback"): {
        200: _json(
            "How many feedback items were stored",
            {
                "type": "object",
                "required": ["stored"],
                "properties": {"stored": {"type": "integer", "minimum": 0}},
            },
        ),
        400: _problem("the feedback is not valid CDS Hooks feedback"),
        401: _problem(UNAUTHORIZED),
        404: _problem("no such service"),
        413: _problem("the request body is too large"),
    },
}
FHIR_RESPONSES = {
    ("GET", "/metadata"): {
        200: _json("The CapabilityStatement", CAPABILITY_STATEMENT, FHIR_JSON),
    },
    ("GET", "/OperationDefinition/{definition_id}"): {
        200: _json("The OperationDefinition", OPERATION_DEFINITION, FHIR_JSON),
        404: _outcome("no such OperationDefinition"),
    },
    ("POST", "/DetectedIssue/$check"): {
        200: _json("One DetectedIssue per finding", DETECTED_ISSUE_BUNDLE, FHIR_JSON),
        400: _outcome("the input is not a valid Parameters, Bundle or medication resource"),
        401: _outcome(UNAUTHORIZED),
        413: _outcome(
            "the request body is too large, or holds more medications than "
            "MEDREF_CDS_MAX_MEDICATIONS"
        ),
        415: _outcome("the body is not JSON (FHIR XML is not supported)"),
    },
}
FHIR_CHECK_BODY = {
    "required": True,
    "content": {
        media_type: {
            "schema": {
                "type": "object",
                "required": ["resourceType"],
                "properties": {
                    "resourceType": {
                        "enum": ["Parameters", "Bundle", "MedicationRequest", "MedicationStatement"]
                    }
                },
            }
        }
        for media_type in (FHIR_JSON, "application/json")
    },
}


def document(router: Router, responses: dict, *, bodies: dict | None = None) -> None:
    """Add the responses (and request bodies) above to the router's operations' OpenAPI entries.

    Call it before the router is added to the API, which copies its operations. Operations not
    listed are left as they are.
    """
    for path, path_view in router.path_operations.items():
        for operation in path_view.operations:
            for method in operation.methods:
                extra = {}
                if (method, path) in responses:
                    extra["responses"] = responses[(method, path)]
                if bodies and (method, path) in bodies:
                    extra["requestBody"] = bodies[(method, path)]
                if extra:
                    operation.openapi_extra = {**(operation.openapi_extra or {}), **extra}
