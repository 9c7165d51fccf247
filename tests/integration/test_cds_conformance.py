"""CDS Hooks 2.0.1 conformance: the failures listed in issue 17 (items 1-6 and 9), one test each.

Requests come from tests/fixtures/cds (modelled on the spec's R4 order-select and order-sign
examples; see its README) or from the helpers of test_cds_hooks. Spec sections are named in
each test.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core import checks
from django.test import override_settings

from medref.api.cdshooks import service
from medref.api.cdshooks.medications import BadRequest
from tests.integration.test_cds_hooks import (
    ISSUER,
    RXNORM,
    SELECT,
    SIGN,
    assert_cards_valid,
    call,
    med_request,
    request_body,
)

pytestmark = pytest.mark.django_db
NDC = "http://hl7.org/fhir/sid/ndc"  # FHIR R4 "Using Codes": the NDC code system URI
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cds"
SIMVASTATIN_CLARITHROMYCIN = (
    "Contraindicated interaction: clarithromycin + simvastatin (do not use together)"
)


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def cards_of(response) -> list[dict]:
    assert response.status_code == 200, response.content
    cards = response.json()["cards"]
    assert_cards_valid(cards)
    return cards


def active_clarithromycin() -> dict:
    return med_request("clr", code="21212", display="clarithromycin", status="active")


# --- 1. code beats text -------------------------------------------------------------------


def test_code_and_text_that_disagree_use_the_code_and_warn(client, checker):
    # RxCUI 36567 is simvastatin; the text says warfarin.
    draft = med_request("d1", code="36567", display="warfarin")
    cards = cards_of(
        call(client, SIGN, request_body("order-sign", [draft], active=[active_clarithromycin()]))
    )
    assert cards[0]["summary"] == SIMVASTATIN_CLARITHROMYCIN
    (conflict,) = [c for c in cards if "disagree" in c["summary"]]
    assert conflict["indicator"] == "warning"
    assert "simvastatin" in conflict["detail"] and "warfarin" in conflict["detail"]


def test_ndc_coding_identifies_the_medication_without_text(client, checker):
    index = checker.index()
    index.codes[("ndc", "00093715698")] = index.codes[("rxcui", "36567")]  # as RXNSAT would give
    draft = {
        "resourceType": "MedicationRequest",
        "id": "ndc1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/1288992"},
        # 4-4-2 hyphenated NDC; RxNorm keeps the 11-digit 5-4-2 form.
        "medicationCodeableConcept": {"coding": [{"system": NDC, "code": "0093-7156-98"}]},
    }
    cards = cards_of(
        call(client, SIGN, request_body("order-sign", [draft], active=[active_clarithromycin()]))
    )
    assert [c["summary"] for c in cards] == [SIMVASTATIN_CLARITHROMYCIN]


def test_coded_medication_not_identified_gets_a_warning_card(client, checker):
    draft = {
        "resourceType": "MedicationRequest",
        "id": "p1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/1288992"},
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "99999999"}]},
    }
    cards = cards_of(
        call(client, SIGN, request_body("order-sign", [draft], active=[active_clarithromycin()]))
    )
    (card,) = cards
    assert card["indicator"] == "warning" and "could not be identified" in card["summary"]
    assert "99999999" in card["detail"] and "carried a code" in card["detail"]


def test_fhir_check_reports_unidentified_coded_medication_in_an_operation_outcome(checker):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": med_request("a", code="99999999", display="x", status="active")},
            {"resource": active_clarithromycin()},
        ],
    }
    bundle["entry"][0]["resource"]["medicationCodeableConcept"].pop("text")
    bundle["entry"][0]["resource"]["medicationCodeableConcept"]["coding"][0].pop("display")
    result = service.detected_issues(bundle, base_url="http://testserver")
    (outcome,) = [e["resource"] for e in result["entry"]]
    assert outcome["resourceType"] == "OperationOutcome"
    assert "MedicationRequest/a" in outcome["issue"][0]["diagnostics"]
    assert "total" not in result  # bdl-1: a collection carries no total


# --- 2. medicationReference -----------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    ["Medication/clr-med", "https://fhir.example.org/r4/Medication/clr-med"],
)
def test_medication_reference_to_a_bundle_entry_is_followed(client, checker, reference):
    # "Example prefetch data": an active order whose Medication came by _include.
    body = load("order-sign-r4.json")
    entry = body["prefetch"]["medicationRequests"]["entry"][0]
    entry["resource"]["medicationReference"]["reference"] = reference
    cards = cards_of(call(client, SIGN, body))
    assert [c["summary"] for c in cards] == [SIMVASTATIN_CLARITHROMYCIN]


def test_medication_reference_display_is_the_last_resort(client, checker):
    body = load("order-sign-r4.json")
    body["prefetch"]["medicationRequests"]["entry"].pop()  # the Medication was not included
    resource = body["prefetch"]["medicationRequests"]["entry"][0]["resource"]
    resource["medicationReference"]["display"] = "clarithromycin 500 mg tablet"
    cards = cards_of(call(client, SIGN, body))
    assert [c["summary"] for c in cards] == [SIMVASTATIN_CLARITHROMYCIN]


# --- 3. order status -----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["cancelled", "entered-in-error"])
def test_withdrawn_draft_orders_are_not_checked(client, checker, status):
    drafts = [
        med_request("w", code="11289", display="warfarin", status=status),
        med_request("a", code="1191", display="aspirin"),
    ]
    assert cards_of(call(client, SIGN, request_body("order-sign", drafts))) == []


@pytest.mark.parametrize("status", ["completed", "stopped", "not-taken", "entered-in-error"])
def test_statements_no_longer_taken_are_not_checked(client, checker, status):
    statement = med_request("s", code="11289", display="warfarin", kind="MedicationStatement")
    statement["status"] = status
    body = request_body(
        "order-sign", [med_request("a", code="1191", display="aspirin")], active=[statement]
    )
    assert cards_of(call(client, SIGN, body)) == []


# --- 4. prefetch ---------------------------------------------------------------------------


def test_prefetch_operation_outcome_means_not_available(client, checker):
    # "CDS Services SHOULD check any prefetched data for the existence of OperationOutcomes."
    body = load("order-sign-r4.json")
    body["prefetch"]["medicationRequests"] = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "timeout", "diagnostics": "search timed out"}],
    }
    cards = cards_of(call(client, SIGN, body))
    (card,) = cards
    assert card["indicator"] == "warning" and "search timed out" in card["detail"]


def test_prefetch_keys_set_to_null_mean_no_data_not_no_prefetch(client, checker):
    # "If the CDS Client has no data to populate a template prefetch key, the prefetch template
    # key MUST have a value of null."
    body = load("order-sign-r4.json")
    body["prefetch"]["medicationRequests"] = None
    assert cards_of(call(client, SIGN, body)) == []


def test_paginated_prefetch_bundle_is_flagged(client, checker):
    body = load("order-sign-r4.json")
    page = body["prefetch"]["medicationRequests"]
    page["total"] = 57
    page["link"] = [
        {"relation": "next", "url": "https://fhir.example.org/r4/MedicationRequest?page=2"}
    ]
    cards = cards_of(call(client, SIGN, body))
    assert cards[0]["summary"] == SIMVASTATIN_CLARITHROMYCIN
    (flag,) = [c for c in cards if c["indicator"] == "warning"]
    assert "only 1 of 57" in flag["detail"]


def test_fhir_access_without_prefetch_answers_412(client, checker):
    # "HTTP Status Codes": 412 when the data needed was neither prefetched nor fetched.
    body = load("order-sign-r4.json")
    del body["prefetch"]
    body["fhirAuthorization"] = {
        "access_token": "some-opaque-fhir-access-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/MedicationRequest.read",
        "subject": "cds-service",
    }
    response = call(client, SIGN, body)
    assert response.status_code == 412 and "prefetch" in response.json()["detail"]


# --- 5. nothing to say: an empty array ------------------------------------------------------


def test_order_select_with_only_non_drug_orders_selected_is_200_with_no_cards(client, checker):
    assert cards_of(call(client, SELECT, load("order-select-r4.json"))) == []


def test_lab_only_order_sign_returns_no_cards(client, checker):
    body = load("order-sign-r4.json")
    body["context"]["draftOrders"]["entry"].pop()  # only the NutritionOrder is left
    assert cards_of(call(client, SIGN, body)) == []


def test_no_interaction_returns_no_cards(client, checker):
    body = request_body("order-sign", [med_request("amd", code="17767", display="amlodipine")])
    body["prefetch"]["medicationRequests"] = None
    assert cards_of(call(client, SIGN, body)) == []


# --- 6. feedback ---------------------------------------------------------------------------


def test_feedback_is_stored_summarised_and_shown_in_admin(
    client, admin_client, checker, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "200")  # one table row per finding, unwrapped
    (card,) = cards_of(call(client, SIGN, load("order-sign-r4.json")))
    feedback = load("feedback.json")
    accepted, overridden = feedback["feedback"]
    accepted["card"] = overridden["card"] = card["uuid"]
    accepted["acceptedSuggestions"][0]["id"] = card["suggestions"][0]["uuid"]
    response = call(client, SIGN + "/feedback", feedback)
    assert response.status_code == 200 and response.json() == {"stored": 2}

    from medref.api.models import CardFeedback
    from medref.cli import main

    stored = CardFeedback.objects.get(outcome="overridden")
    assert (
        stored.finding == "clarithromycin + simvastatin"
        and stored.reason_code == "already-tolerated"
    )
    assert main(["cds", "feedback"]) == 0
    out = capsys.readouterr().out
    assert "clarithromycin + simvastatin" in out
    assert "Patient already takes both without problems: 1" in out
    assert admin_client.get("/admin/api/cardfeedback/").status_code == 200


@pytest.mark.parametrize(
    "item",
    [
        {"card": "c", "outcome": "maybe", "outcomeTimestamp": "2026-11-30T10:00:00Z"},
        {"card": "c", "outcome": "accepted", "outcomeTimestamp": "2026-11-30T10:00:00Z"},
        {"card": "c", "outcome": "overridden", "outcomeTimestamp": "yesterday"},
        {"card": 5, "outcome": "overridden", "outcomeTimestamp": "2026-11-30T10:00:00Z"},
    ],
)
def test_feedback_that_breaks_the_spec_gets_400(client, db, item):
    response = call(client, SIGN + "/feedback", {"feedback": [item]})
    assert response.status_code == 400 and response.json()["detail"].startswith("feedback[0]")


# --- suggestions ----------------------------------------------------------------------------


def test_finding_card_offers_to_remove_the_draft_order(client, checker):
    (card,) = cards_of(call(client, SIGN, load("order-sign-r4.json")))
    deletes = [a for s in card["suggestions"] for a in s["actions"] if a["type"] == "delete"]
    # Only the draft, never the patient's active order (Action: `delete` with a resourceId).
    assert deletes == [
        {
            "type": "delete",
            "description": "Remove the draft order MedicationRequest/smv-draft",
            "resourceId": "MedicationRequest/smv-draft",
        }
    ]


# --- 9. security --------------------------------------------------------------------------


def test_too_many_medications_get_413_naming_the_limit(client, checker):
    drafts = [med_request(f"w{n}", display="warfarin") for n in range(6)]
    with override_settings(MEDREF_CDS_MAX_MEDICATIONS=5):
        response = call(client, SIGN, request_body("order-sign", drafts))
    assert response.status_code == 413 and "at most 5" in response.json()["detail"]


def test_repeated_medications_are_identified_once(client, checker, monkeypatch):
    index = checker.index()
    calls = []
    resolve = index.names.resolve
    monkeypatch.setattr(index.names, "resolve", lambda text: calls.append(text) or resolve(text))
    drafts = [med_request(f"w{n}", display="warfarin") for n in range(40)]
    drafts += [med_request("a", display="aspirin")]
    cards = cards_of(call(client, SIGN, request_body("order-sign", drafts)))
    assert sorted(calls) == ["aspirin", "warfarin"]
    interaction = next(c for c in cards if "aspirin + warfarin" in c["summary"])
    implicated = interaction["suggestions"][0]["actions"][0]["resource"]["implicated"]
    assert len(implicated) == 41


def test_free_text_is_escaped_in_card_markdown(client, checker):
    sneaky = "Blorbitol [see here](https://evil.example/x) ![t](https://t.example/p.png) <b>x</b>"
    cards = cards_of(
        call(client, SIGN, request_body("order-sign", [med_request("x", display=sneaky)]))
    )
    (card,) = cards
    assert "Blorbitol \\[see here\\]" in card["detail"]
    assert "](" not in card["detail"].replace("\\]", "") and "https://" not in card["detail"]
    assert "<b>" not in card["detail"]


def test_code_systems_do_not_follow_the_host_header(client, checker):
    body = load("order-sign-r4.json")
    systems = []
    with override_settings(ALLOWED_HOSTS=["medref.example.org", "attacker.example"]):
        for host in ("medref.example.org", "attacker.example"):
            (card,) = cards_of(call(client, SIGN, body, HTTP_HOST=host))
            systems.append(
                (card["source"]["topic"]["system"], card["overrideReasons"][0]["system"])
            )
    assert systems[0] == systems[1]
    assert "attacker" not in json.dumps(systems)


def test_issuers_file_that_does_not_exist_fails_the_system_check(tmp_path):
    with override_settings(MEDREF_CDS_ISSUERS_FILE=str(tmp_path / "missing.json")):
        errors = checks.run_checks()
    assert [e.id for e in errors if e.id.startswith("medref.")] == ["medref.E101"]
    assert "does not exist" in next(e.msg for e in errors if e.id == "medref.E101")


def _with(path: str, value):
    """A copy of the order-sign fixture with one field of the draft order replaced."""
    body = load("order-sign-r4.json")
    target = body["context"]["draftOrders"]["entry"][1]["resource"]
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[last] = value
    return body


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (_with("medicationCodeableConcept.coding.0.system", []), "coding[0].system must be text"),
        (_with("medicationCodeableConcept.coding.0.system", {}), "coding[0].system must be text"),
        (_with("medicationCodeableConcept.coding.0.code", 36567), "coding[0].code must be text"),
        (_with("medicationCodeableConcept.text", 5), "medicationCodeableConcept.text must be text"),
        (_with("medicationCodeableConcept.text", "\ud800"), "unpaired"),
        (_with("status", 5), "status must be text"),
    ],
)
def test_wrong_json_types_get_a_clear_400(client, checker, body, fragment):
    response = call(client, SIGN, body)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("medicationReference", "Medication/x", "medicationReference must be a JSON object"),
        ("medicationReference", ["Medication/x"], "medicationReference must be a JSON object"),
        ("contained", 5, "contained must be a list"),
    ],
)
def test_wrong_medication_reference_types_get_a_clear_400(client, checker, field, value, fragment):
    body = load("order-sign-r4.json")
    resource = body["context"]["draftOrders"]["entry"][1]["resource"]
    del resource["medicationCodeableConcept"]
    resource["medicationReference"] = {"reference": "#m1"}
    resource[field] = value
    response = call(client, SIGN, body)
    assert response.status_code == 400 and fragment in response.json()["detail"]


def test_fhir_check_subject_reference_of_the_wrong_type_is_a_bad_request(checker):
    resource = med_request("w", code="11289", display="warfarin", status="active")
    resource["subject"] = {"reference": 5}
    with pytest.raises(BadRequest, match="subject.reference must be text"):
        service.detected_issues(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": resource}]},
            base_url="http://testserver",
        )


@pytest.fixture
def two_issuer_keys(tmp_path):
    """An issuer with an EC (ES384) key and an RSA (RS384) key."""
    ec_key = ec.generate_private_key(ec.SECP384R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    ec_jwk.update({"kid": "ec-1", "alg": "ES384"})
    rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    rsa_jwk.update({"kid": "rsa-1", "alg": "RS384"})
    path = tmp_path / "issuers.json"
    path.write_text(json.dumps({ISSUER: {"jwks": {"keys": [ec_jwk, rsa_jwk]}}}))
    from medref.api.cdshooks import auth

    auth._issuers.cache_clear()
    with override_settings(MEDREF_CDS_ISSUERS_FILE=str(path), MEDREF_CDS_REQUIRE_JWT="always"):
        yield ec_key, rsa_key
    auth._issuers.cache_clear()


def _token(key, *, algorithm: str, kid: str, iss=ISSUER) -> str:
    now = int(time.time())
    claims = {
        "iss": iss,
        "sub": "ehr",
        "aud": "http://testserver" + SIGN,
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
    }
    # Signed as raw JWS: PyJWT's jwt.encode itself refuses an `iss` that is not a string.
    payload = json.dumps(claims).encode()
    return jwt.api_jws.PyJWS().encode(payload, key, algorithm=algorithm, headers={"kid": kid})


@pytest.mark.parametrize("case", ["iss-list", "ec-token-rsa-kid", "rsa-token-ec-kid"])
def test_jwt_odd_issuer_or_key_of_the_other_algorithm_is_401(
    client, checker, two_issuer_keys, case
):
    ec_key, rsa_key = two_issuer_keys
    bearer = {
        "iss-list": lambda: _token(ec_key, algorithm="ES384", kid="ec-1", iss=[ISSUER]),
        "ec-token-rsa-kid": lambda: _token(ec_key, algorithm="ES384", kid="rsa-1"),
        "rsa-token-ec-kid": lambda: _token(rsa_key, algorithm="RS384", kid="ec-1"),
    }[case]()
    body = copy.deepcopy(load("order-sign-r4.json"))
    response = call(client, SIGN, body, HTTP_AUTHORIZATION=f"Bearer {bearer}")
    assert response.status_code == 401


def test_jwt_rsa_token_with_its_own_key_is_accepted(client, checker, two_issuer_keys):
    _, rsa_key = two_issuer_keys
    bearer = _token(rsa_key, algorithm="RS384", kid="rsa-1")
    response = call(client, SIGN, load("order-sign-r4.json"), HTTP_AUTHORIZATION=f"Bearer {bearer}")
    assert response.status_code == 200
