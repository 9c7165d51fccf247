"""The FHIR R4 interface (/fhir) and the error bodies of every machine interface.

Every FHIR resource medref emits here is validated strictly with fhir.resources' R4B models (the
package has no R4 models; R4B is R4 4.0.1 plus fixes and has the same elements for these
resources), plus the Bundle invariant bdl-1 and the JSON rule that arrays are never empty, which
the models do not check. A bounded schemathesis run over /api/openapi.json must find no 5xx.
"""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.wsgi import get_wsgi_application
from django.test import Client, override_settings
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.django_db
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CHECK = "/fhir/DetectedIssue/$check"
FHIR_JSON = "application/fhir+json"


def assert_strict_r4(resource: dict) -> None:
    """Valid against the R4B model of its type, bdl-1 for Bundles, and no empty arrays."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    if resource["resourceType"] == "Bundle":
        # bdl-1: "total only when a search or history".
        assert "total" not in resource or resource["type"] in ("searchset", "history")
        for entry in resource.get("entry", []):
            assert_strict_r4(entry["resource"])

    def no_empty_arrays(value, where="$"):
        if isinstance(value, list):
            assert value, f"{where} is an empty array"
            for n, item in enumerate(value):
                no_empty_arrays(item, f"{where}[{n}]")
        elif isinstance(value, dict):
            for key, item in value.items():
                no_empty_arrays(item, f"{where}.{key}")

    no_empty_arrays(resource)


def outcome(response, status: int) -> dict:
    """The response's OperationOutcome, after checking its status, media type and validity."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith(FHIR_JSON)
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert_strict_r4(body)
    return body


def medication(kind: str, display: str, *, rid: str | None = None, code: str | None = None):
    concept = {"text": display}
    if code:
        concept["coding"] = [{"system": RXNORM, "code": code, "display": display}]
    resource = {
        "resourceType": kind,
        "status": "active",
        "medicationCodeableConcept": concept,
        "subject": {"reference": "Patient/p1"},
    }
    if rid:
        resource["id"] = rid
    if kind == "MedicationRequest":
        resource["intent"] = "order"
    return resource


WARFARIN = medication("MedicationRequest", "warfarin", rid="w", code="11289")
ASPIRIN = medication("MedicationStatement", "aspirin", rid="a")


def collection(*entries: dict) -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": list(entries)}


def post(client, body, content_type=FHIR_JSON, **headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(CHECK, data=data, content_type=content_type, **headers)


def checked(response) -> dict:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == FHIR_JSON
    bundle = response.json()
    assert_strict_r4(bundle)
    return bundle


def issues(bundle: dict) -> list[dict]:
    return [
        e["resource"]
        for e in bundle.get("entry", [])
        if e["resource"]["resourceType"] == "DetectedIssue"
    ]


# --- discovery: CapabilityStatement and OperationDefinition -------------------------------


def test_metadata_is_an_r4_capability_statement_listing_check(client):
    response = client.get("/fhir/metadata")

    assert response.status_code == 200 and response["Content-Type"] == FHIR_JSON
    statement = response.json()
    assert_strict_r4(statement)
    assert statement["fhirVersion"] == "4.0.1" and statement["kind"] == "instance"
    (rest,) = statement["rest"]
    operations = {
        op["name"]: op["definition"] for res in rest["resource"] for op in res.get("operation", [])
    }
    assert operations == {"check": "http://testserver/fhir/OperationDefinition/check"}


def test_operation_definition_of_check_is_readable_and_names_its_parameter(client):
    definition = client.get("/fhir/OperationDefinition/check")

    assert definition.status_code == 200
    body = definition.json()
    assert_strict_r4(body)
    assert body["code"] == "check" and body["resource"] == ["DetectedIssue"]
    assert body["type"] is True and body["system"] is False and body["instance"] is False
    uses = {(p["name"], p["use"]) for p in body["parameter"]}
    assert uses == {("medications", "in"), ("return", "out")}
    outcome(client.get("/fhir/OperationDefinition/other"), 404)


# --- $check input and output --------------------------------------------------------------


def test_check_accepts_a_parameters_resource(client, checker):
    parameters = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "medications", "resource": collection({"resource": WARFARIN})},
            {"name": "medications", "resource": ASPIRIN},
        ],
    }
    assert_strict_r4(parameters)  # the input is itself valid FHIR

    bundle = checked(post(client, parameters))

    (issue,) = issues(bundle)
    assert issue["severity"] == "high"
    assert {r["reference"] for r in issue["implicated"]} == {
        "MedicationRequest/w",
        "MedicationStatement/a",
    }


def test_check_parameters_with_an_unknown_parameter_is_refused(client, checker):
    parameters = {
        "resourceType": "Parameters",
        "parameter": [{"name": "drugs", "resource": ASPIRIN}],
    }

    body = outcome(post(client, parameters), 400)

    assert "'medications'" in body["issue"][0]["diagnostics"]


def test_check_collection_bundle_carries_no_total(client, checker):
    bundle = checked(post(client, collection({"resource": WARFARIN}, {"resource": ASPIRIN})))

    assert bundle["type"] == "collection" and "total" not in bundle
    assert len(issues(bundle)) == 1


def test_check_with_nothing_found_has_no_empty_entry_array(client, checker):
    bundle = checked(post(client, collection({"resource": WARFARIN})))

    assert issues(bundle) == [] and "total" not in bundle


def test_check_implicates_entries_without_id_by_their_full_url(client, checker):
    warfarin = {k: v for k, v in WARFARIN.items() if k != "id"}
    aspirin = {k: v for k, v in ASPIRIN.items() if k != "id"}
    body = collection(
        {"fullUrl": "urn:uuid:5a0e1c52-8f0a-4a43-9d6b-6c1f0d3e7b11", "resource": warfarin},
        {"fullUrl": "https://ehr.example.org/fhir/MedicationStatement/77", "resource": aspirin},
    )

    (issue,) = issues(checked(post(client, body)))

    assert sorted(r["reference"] for r in issue["implicated"]) == [
        "https://ehr.example.org/fhir/MedicationStatement/77",
        "urn:uuid:5a0e1c52-8f0a-4a43-9d6b-6c1f0d3e7b11",
    ]


def test_check_never_implicates_a_position_as_a_reference(client, checker):
    warfarin = {k: v for k, v in WARFARIN.items() if k != "id"}

    (issue,) = issues(
        checked(post(client, collection({"resource": warfarin}, {"resource": ASPIRIN})))
    )

    references = [r.get("reference", "") for r in issue["implicated"]]
    assert "MedicationStatement/a" in references
    assert not any("#" in ref for ref in references), references


def test_check_more_medications_than_the_cap_gets_413(client, checker):
    with override_settings(MEDREF_CDS_MAX_MEDICATIONS=2):
        response = post(client, collection(*({"resource": WARFARIN} for _ in range(3))))

    body = outcome(response, 413)
    assert "at most 2" in body["issue"][0]["diagnostics"]


def test_check_xml_body_gets_415(client, checker):
    xml = '<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/></Bundle>'

    body = outcome(post(client, xml, content_type="application/fhir+xml"), 415)

    assert body["issue"][0]["code"] == "not-supported"


def test_check_malformed_json_gets_an_operation_outcome(client, checker):
    outcome(post(client, "{not json"), 400)
    outcome(post(client, {"resourceType": "Patient"}), 400)
    # Python's parser gives up on deep nesting; the reply is still an OperationOutcome.
    body = outcome(post(client, "[" * 100_000), 400)
    assert "nested too deeply" in body["issue"][0]["diagnostics"]


# --- JWT: the same rule as CDS Hooks calls ------------------------------------------------

ISSUER = "https://ehr.example.org"


@pytest.fixture
def issuer_key(tmp_path):
    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "k1", "alg": "ES384", "use": "sig"})
    issuers = tmp_path / "issuers.json"
    issuers.write_text(json.dumps({ISSUER: {"jwks": {"keys": [public]}}}))
    from medref.api.cdshooks import auth

    auth._issuers.cache_clear()
    with override_settings(MEDREF_CDS_ISSUERS_FILE=str(issuers), MEDREF_CDS_REQUIRE_JWT="always"):
        yield key
    auth._issuers.cache_clear()


def bearer(key, audience: str = "http://testserver" + CHECK) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": audience, "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())}
    token = jwt.encode(claims, key, algorithm="ES384", headers={"kid": "k1"})
    return f"Bearer {token}"


def test_check_without_a_token_is_refused_when_tokens_are_required(client, checker, issuer_key):
    body = outcome(post(client, collection({"resource": WARFARIN})), 401)

    assert body["issue"][0]["code"] == "login"


def test_check_with_a_token_for_another_audience_is_refused(client, checker, issuer_key):
    wrong = bearer(issuer_key, "http://testserver/cds-services/medref-interactions-order-sign")

    outcome(post(client, collection({"resource": WARFARIN}), HTTP_AUTHORIZATION=wrong), 401)


def test_check_with_a_valid_token_is_answered(client, checker, issuer_key):
    response = post(
        client, collection({"resource": WARFARIN}), HTTP_AUTHORIZATION=bearer(issuer_key)
    )

    checked(response)


# --- one error shape per interface, at every status ---------------------------------------

NOT_FOUND = ["/fhir/Patient/1", "/api/v1/nothing-here", "/cds-services/a/b/c"]
WRONG_METHOD = [
    ("get", CHECK),
    ("put", "/fhir/metadata"),
    ("get", "/api/v1/check"),
    ("put", "/cds-services/medref-interactions-order-sign"),
]
TOO_LARGE = [CHECK, "/api/v1/check", "/cds-services/medref-interactions-order-sign"]


def assert_interface_error(path: str, response, status: int) -> None:
    # A rewritten body must not keep the length of the body it replaced.
    if response.has_header("Content-Length"):
        assert int(response["Content-Length"]) == len(response.content)
    if path.startswith("/fhir"):
        outcome(response, status)
    else:
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")
        assert isinstance(response.json()["detail"], str) and response.json()["detail"]


@pytest.mark.parametrize("path", NOT_FOUND)
def test_unknown_api_path_gets_its_interface_404(client, path):
    assert_interface_error(path, client.get(path), 404)


@pytest.mark.parametrize(("method", "path"), WRONG_METHOD)
def test_wrong_method_gets_its_interface_405(client, method, path):
    response = getattr(client, method)(path)

    assert_interface_error(path, response, 405)
    assert response["Allow"]


@pytest.mark.parametrize("path", TOO_LARGE)
def test_body_over_the_upload_limit_gets_its_interface_413(client, path):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
        response = client.post(path, data=json.dumps({"x": "y" * 2000}), content_type=FHIR_JSON)

    assert_interface_error(path, response, 413)
    assert "1024" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "target", "body"),
    [
        (CHECK, "medref.api.cdshooks.service.detected_issues", collection()),
        ("/api/v1/check", "medref.api.v1.get_checker", {"drugs": ["warfarin"]}),
        (
            "/cds-services/medref-interactions-order-sign",
            "medref.api.cdshooks.service.run",
            {"hook": "order-sign"},
        ),
    ],
)
def test_server_error_gets_its_interface_500(monkeypatch, path, target, body):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(target, broken)
    client = Client(raise_request_exception=False)

    response = client.post(path, data=json.dumps(body), content_type="application/json")

    assert_interface_error(path, response, 500)
    assert "simulated failure" not in response.content.decode()


def test_html_pages_keep_their_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_check_api_lone_surrogate_is_a_client_error(client, checker):
    # The JSON escape itself, not a character: json.dumps would refuse to write one.
    response = client.post(
        "/api/v1/check", data='{"drugs": ["\\ud800"]}', content_type="application/json"
    )

    assert response.status_code in (400, 422)
    assert "drug 1" in response.json()["detail"]


# --- OpenAPI --------------------------------------------------------------------------------


def test_openapi_documents_401_and_response_schemas_for_cds_and_fhir(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    for path in (CHECK, "/cds-services/{service_id}", "/cds-services/{service_id}/feedback"):
        responses = paths[path]["post"]["responses"]
        assert "401" in responses, path
        assert any("schema" in c for c in responses["200"]["content"].values()), path
    assert (
        "schema" in paths["/cds-services"]["get"]["responses"]["200"]["content"]["application/json"]
    )
    for path in ("/fhir/metadata", "/fhir/OperationDefinition/{definition_id}"):
        assert "schema" in paths[path]["get"]["responses"]["200"]["content"][FHIR_JSON]


@pytest.fixture
def keep_test_connection():
    """Requests sent straight to the WSGI handler fire Django's request signals, whose
    close_old_connections() closes a connection that is inside the test's transaction (on
    PostgreSQL; SQLite's in-memory test database ignores it). django.test.Client disconnects it
    for the same reason; do the same here, and put it back afterwards."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_openapi_operations_never_answer_a_server_error(checker, keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    server_errors = []

    for found in schema.get_all_operations():
        operation = found.ok()
        # Invalid inputs where there is a body or a query to get wrong; a string path parameter
        # alone has almost no invalid values, and searching for them is slow.
        modes = [GenerationMode.POSITIVE]
        if len(operation.body) or len(operation.query):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            # Bounded and reproducible: a few examples per operation and mode, always the same.
            @settings(
                max_examples=5,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                response = case.call()
                if response.status_code >= 500:
                    server_errors.append(
                        f"{case.method} {case.formatted_path}: {response.status_code}"
                    )
                if case.operation.path.startswith(("/fhir", "/cds-services")):
                    # The hand-written CDS Hooks and FHIR response schemas match the replies.
                    case.validate_response(response, checks=[response_schema_conformance])

            call()

    assert server_errors == []
