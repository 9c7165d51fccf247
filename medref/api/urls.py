"""The JSON API, mounted at the site root so one OpenAPI document (/api/openapi.json, docs at
/api/docs) covers /api/v1, /cds-services and /fhir."""

from csp.decorators import csp_update
from django.http import Http404
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import ValidationError

from medref.api.annotations import router as annotations_router
from medref.api.cdshooks.routes import cds_router
from medref.api.docs import SelfHostedSwagger
from medref.api.fhir.routes import fhir_router
from medref.api.openapi import CDS_RESPONSES, FHIR_CHECK_BODY, FHIR_RESPONSES, document
from medref.api.v1 import router as v1_router

api = NinjaAPI(
    title="medref API",
    version="1",
    description="Drug-interaction checking, drug-name lookup, private annotations, CDS Hooks and "
    "FHIR. No interaction found never means safe: every answer names the sources it checked.",
    urls_namespace="api",
    openapi_url="api/openapi.json",
    docs_url="api/docs",
    # Swagger UI from django-ninja's bundled static files, booted by an external script: no CDN,
    # no inline script, so the page works offline and under our CSP.
    docs=SelfHostedSwagger(),
    # Swagger UI sets inline styles; allow those on the docs page only. Scripts stay 'self'.
    docs_decorator=csp_update({"style-src": ["'unsafe-inline'"]}),
)
api.add_router("/api/v1", v1_router)
api.add_router("/api/v1", annotations_router)
# CDS Hooks and FHIR answer plain dicts, so their response schemas are described by hand.
document(cds_router, CDS_RESPONSES)
document(fhir_router, FHIR_RESPONSES, bodies={("POST", "/DetectedIssue/$check"): FHIR_CHECK_BODY})
api.add_router("/cds-services", cds_router)
api.add_router("/fhir", fhir_router)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    """One readable sentence per problem instead of pydantic's nested structure."""
    problems = []
    for error in exc.errors:
        where = ".".join(
            str(p) for p in error.get("loc", []) if p not in ("body", "payload", "query")
        )
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return api.create_response(
        request, {"detail": "; ".join(problems) or "invalid request"}, status=422
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


urlpatterns = [path("", api.urls)]
