"""CDS Hooks 2.0 contract tests and the FHIR $check operation.

Requests follow the shape of the CDS Hooks specification's order-select and order-sign examples,
rewritten with our own drugs. Every FHIR resource we accept or return is validated with
fhir.resources (R4B, identical to R4 for these resources). Cards are snapshot-tested.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import override_settings
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.detectedissue import DetectedIssue

pytestmark = pytest.mark.django_db
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
SIGN = "/cds-services/medref-interactions-order-sign"
SELECT = "/cds-services/medref-interactions-order-select"


def med_request(
    rid: str,
    *,
    code: str | None = None,
    display: str,
    status: str = "draft",
    kind="MedicationRequest",
) -> dict:
    coding = [{"system": RXNORM, "code": code, "display": display}] if code else []
    resource = {
        "resourceType": kind,
        "id": rid,
        "status": status,
        "medicationCodeableConcept": {"coding": coding, "text": display},
        "subject": {"reference": "Patient/1288992"},
    }
    if kind == "MedicationRequest":
        resource["intent"] = "order" if status != "draft" else "proposal"
    else:
        resource["status"] = "active"
    return resource


def bundle(*resources: dict) -> dict:
    data = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
    Bundle.model_validate(data)  # our test inputs are themselves valid FHIR
    return data


def request_body(
    hook: str,
    drafts: list[dict],
    *,
    active: list[dict] | None = None,
    selections=None,
    prefetch=True,
) -> dict:
    context = {
        "userId": "Practitioner/example",
        "patientId": "1288992",
        "encounterId": "89284",
        "draftOrders": bundle(*drafts),
    }
    if hook == "order-select":
        context["selections"] = selections or []
    body = {
        "hookInstance": str(uuid.uuid4()),
        "fhirServer": "https://fhir.example.org",
        "hook": hook,
        "context": context,
    }
    if prefetch:
        body["prefetch"] = {
            "medicationRequests": bundle(*(active or [])),
            "medicationStatements": None,
        }
    return body


def call(client, path: str, body, **headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", **headers)


def assert_cards_valid(cards: list[dict]) -> None:
    for card in cards:
        assert len(card["summary"]) <= 140
        assert card["indicator"] in ("info", "warning", "critical")
        assert card["source"]["label"]
        for suggestion in card.get("suggestions", []):
            assert card["selectionBehavior"] == "at-most-one"
            for action in suggestion["actions"]:
                if action["type"] == "delete":  # CDS Hooks 2.0.1 "Action": a relative resourceId
                    assert re.fullmatch(r"MedicationRequest/[A-Za-z0-9\-.]+", action["resourceId"])
                else:
                    DetectedIssue.model_validate(action["resource"])


def normalise(cards: list[dict]) -> str:
    text = json.dumps(cards, indent=2, sort_keys=True)
    text = re.sub(
        r'"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"', '"<uuid>"', text
    )
    return re.sub(r"\(([0-9a-f]{12}), CC BY 4.0\)", "(<version>, CC BY 4.0)", text) + "\n"


def assert_snapshot(name: str, cards: list[dict]) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = normalise(cards)
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), (
        f"snapshot {path.name} changed; review and rerun with UPDATE_SNAPSHOTS=1"
    )


def test_discovery_lists_both_hooks_with_prefetch(client):
    services = client.get("/cds-services").json()["services"]
    assert {s["hook"] for s in services} == {"order-select", "order-sign"}
    for s in services:
        assert s["id"] and s["title"] and s["description"]
        assert (
            s["prefetch"]["medicationRequests"]
            == "MedicationRequest?patient={{context.patientId}}&status=active"
            "&_include=MedicationRequest:medication"
        )
        assert "MedicationStatement" in s["prefetch"]["medicationStatements"]


def test_order_sign_simvastatin_draft_against_active_clarithromycin(client, checker):
    body = request_body(
        "order-sign",
        [med_request("smv", code="314231", display="Simvastatin 40 MG Oral Tablet")],
        active=[med_request("clr", code="21212", display="clarithromycin", status="active")],
    )
    response = call(client, SIGN, body)
    cards = response.json()["cards"]
    assert response.status_code == 200
    assert_cards_valid(cards)
    (card,) = cards
    assert card["indicator"] == "critical"
    assert (
        card["summary"]
        == "Contraindicated interaction: clarithromycin + simvastatin (do not use together)"
    )
    assert "**Management:**" in card["detail"] and "medref curated content" in card["detail"]
    assert (
        card["links"][0]["url"] == "http://testserver/interactions/clarithromycin-and-simvastatin/"
    )
    issue = card["suggestions"][0]["actions"][0]["resource"]
    assert issue["severity"] == "high" and issue["status"] == "preliminary"
    assert issue["code"]["coding"][0]["code"] == "DRG"
    assert {i["reference"] for i in issue["implicated"]} == {
        "MedicationRequest/smv",
        "MedicationRequest/clr",
    }
    assert issue["mitigation"][0]["action"]["text"]
    assert card["overrideReasons"]
    assert_snapshot("cds-order-sign-simvastatin-clarithromycin", cards)


def test_order_select_warfarin_with_active_ibuprofen(client, checker):
    body = request_body(
        "order-select",
        [
            med_request("wrf", code="11289", display="warfarin"),
            med_request("amd", display="amlodipine 5 MG Oral Tablet"),
        ],
        active=[med_request("ibu", code="5640", display="Ibuprofen 400 MG", status="active")],
        selections=["MedicationRequest/wrf"],
    )
    cards = call(client, SELECT, body).json()["cards"]
    assert_cards_valid(cards)
    assert [c["summary"] for c in cards] == [
        "Major interaction: ibuprofen + warfarin (avoid or monitor closely)"
    ]
    assert cards[0]["indicator"] == "critical"


def test_order_select_reports_only_pairs_with_the_selected_order(client, checker):
    body = request_body(
        "order-select",
        [
            med_request("amd", display="amlodipine"),
            med_request("zoc", display="Zocor"),
            med_request("clr", code="21212", display="clarithromycin"),
        ],
        selections=["MedicationRequest/amd"],
    )
    cards = call(client, SELECT, body).json()["cards"]
    # Nothing involves the selection: no card at all (CDS Hooks 2.0.1 "CDS Service Response").
    assert cards == []


def test_order_sign_tysabri_and_ocrevus_by_rxcui(client, checker):
    body = request_body(
        "order-sign",
        [
            med_request("nat", code="354770", display="Tysabri"),
            med_request("ocr", code="1876366", display="Ocrevus"),
        ],
    )
    cards = call(client, SIGN, body).json()["cards"]
    assert_cards_valid(cards)
    assert (
        cards[0]["summary"]
        == "Major interaction: natalizumab + ocrelizumab (avoid or monitor closely)"
    )
    assert cards[0]["indicator"] == "critical"


def test_active_medications_against_each_other_are_not_reported(client, checker):
    body = request_body(
        "order-sign",
        [med_request("amd", display="amlodipine")],
        active=[
            med_request("w", code="11289", display="warfarin", status="active"),
            med_request("a", code="1191", display="aspirin", status="active"),
        ],
    )
    summaries = [c["summary"] for c in call(client, SIGN, body).json()["cards"]]
    assert not any("warfarin" in s for s in summaries)


def test_contained_medication_reference_is_followed(client, checker):
    draft = {
        "resourceType": "MedicationRequest",
        "id": "c1",
        "status": "draft",
        "intent": "proposal",
        "subject": {"reference": "Patient/1"},
        "medicationReference": {"reference": "#m1"},
        "contained": [
            {
                "resourceType": "Medication",
                "id": "m1",
                "code": {
                    "coding": [{"system": RXNORM, "code": "354770", "display": "natalizumab"}]
                },
            }
        ],
    }
    body = request_body("order-sign", [draft, med_request("ocr", display="ocrelizumab")])
    assert call(client, SIGN, body).json()["cards"][0]["summary"].startswith("Major interaction")


def test_missing_prefetch_checks_drafts_alone_and_says_so(client, checker):
    body = request_body(
        "order-sign",
        [med_request("w", display="warfarin"), med_request("a", display="aspirin")],
        prefetch=False,
    )
    cards = call(client, SIGN, body).json()["cards"]
    assert cards[0]["summary"].startswith("Major interaction: aspirin + warfarin")
    assert any(
        c["summary"] == "Active medications not checked: no prefetch was sent" for c in cards
    )


def test_unidentifiable_medications_get_one_warning_card(client, checker):
    body = request_body(
        "order-sign",
        [
            med_request("x1", code="99999999", display="Zzqx 5 MG"),
            med_request("x2", display="Blorbitol"),
        ],
    )
    cards = call(client, SIGN, body).json()["cards"]
    (info,) = [c for c in cards if "could not be identified" in c["summary"]]
    assert (
        info["indicator"] == "warning"
        and "Zzqx 5 MG" in info["detail"]
        and "Blorbitol" in info["detail"]
    )


@pytest.mark.parametrize(
    ("path", "body", "status", "fragment"),
    [
        (SIGN, "{nope", 400, "not valid JSON"),
        (SIGN, "[]", 400, "JSON object"),
        (SIGN, {"hookInstance": "x", "context": {}}, 400, "hook is required"),
        (
            SIGN,
            {"hook": "order-select", "hookInstance": "x", "context": {}},
            400,
            "answers 'order-sign'",
        ),
        (
            SIGN,
            {
                "hook": "order-sign",
                "hookInstance": "x",
                "context": {"draftOrders": {"resourceType": "Patient"}},
            },
            400,
            "expected resourceType Bundle",
        ),
        (
            SELECT,
            {
                "hook": "order-select",
                "hookInstance": "x",
                "context": {
                    "selections": ["MedicationRequest/none"],
                    "draftOrders": {"resourceType": "Bundle", "entry": []},
                },
            },
            400,
            "selections",
        ),
        ("/cds-services/nope", {}, 404, "no CDS service"),
    ],
)
def test_malformed_requests_get_a_clear_4xx(client, checker, path, body, status, fragment):
    response = call(client, path, body)
    assert response.status_code == status
    assert fragment in response.json()["detail"]


def test_fhir_detected_issue_check_returns_a_valid_bundle(client, checker):
    body = bundle(
        med_request("w", code="11289", display="warfarin", status="active"),
        med_request("a", display="aspirin", kind="MedicationStatement"),
    )
    response = client.post(
        "/fhir/DetectedIssue/$check", data=json.dumps(body), content_type="application/fhir+json"
    )
    result = response.json()
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    Bundle.model_validate(result)
    (entry,) = result["entry"]
    issue = DetectedIssue.model_validate(entry["resource"])
    assert issue.severity == "high" and issue.patient.reference == "Patient/1288992"
    bad = client.post("/fhir/DetectedIssue/$check", data="{}", content_type="application/fhir+json")
    assert bad.status_code == 400 and bad.json()["resourceType"] == "OperationOutcome"


def test_cds_endpoints_allow_cross_origin_calls_without_credentials(client):
    response = client.options("/cds-services", HTTP_ORIGIN="https://sandbox.cds-hooks.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


# --- JWT ---------------------------------------------------------------------------------

ISSUER = "https://ehr.example.org"


@pytest.fixture
def issuer_key(tmp_path):
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "ehr-key-1", "alg": "ES384", "use": "sig"})
    path = tmp_path / "issuers.json"
    path.write_text(json.dumps({ISSUER: {"jwks": {"keys": [jwk]}}}))
    from medref.api.cdshooks import auth

    auth._issuers.cache_clear()
    with override_settings(MEDREF_CDS_ISSUERS_FILE=str(path), MEDREF_CDS_REQUIRE_JWT="always"):
        yield key
    auth._issuers.cache_clear()


def token(key, *, iss=ISSUER, aud="http://testserver" + SIGN, exp_in=120, jti=None) -> str:
    now = int(time.time())
    claims = {
        "iss": iss,
        "sub": "ehr-client",
        "aud": aud,
        "iat": now,
        "exp": now + exp_in,
        "jti": jti or str(uuid.uuid4()),
    }
    return jwt.encode(claims, key, algorithm="ES384", headers={"kid": "ehr-key-1", "typ": "JWT"})


def signed_call(client, bearer: str | None):
    body = request_body("order-sign", [med_request("w", display="warfarin")])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {bearer}"} if bearer else {}
    return call(client, SIGN, body, **headers)


def test_jwt_valid_token_is_accepted_once(client, checker, issuer_key):
    bearer = token(issuer_key, jti="one-time")
    assert signed_call(client, bearer).status_code == 200
    replay = signed_call(client, bearer)
    assert replay.status_code == 401 and "already been used" in replay.json()["detail"]


def test_jwt_missing_when_required_is_refused(client, checker, issuer_key):
    assert signed_call(client, None).status_code == 401


def test_jwt_wrong_audience_is_refused(client, checker, issuer_key):
    response = signed_call(client, token(issuer_key, aud="https://other.example/cds-services/x"))
    assert response.status_code == 401 and "audience" in response.json()["detail"]


def test_jwt_expired_token_is_refused(client, checker, issuer_key):
    response = signed_call(client, token(issuer_key, exp_in=-120))
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_jwt_unknown_issuer_is_refused(client, checker, issuer_key):
    response = signed_call(client, token(issuer_key, iss="https://rogue.example"))
    assert response.status_code == 401 and "unknown issuer" in response.json()["detail"]


def test_jwt_lifetime_over_five_minutes_is_refused(client, checker, issuer_key):
    response = signed_call(client, token(issuer_key, exp_in=3600))
    assert response.status_code == 401 and "5 minutes" in response.json()["detail"]


def test_jwt_from_another_key_is_refused(client, checker, issuer_key):
    other = ec.generate_private_key(ec.SECP384R1())
    assert signed_call(client, token(other)).status_code == 401
