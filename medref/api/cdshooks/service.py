"""The interaction services: discovery, and the check behind order-select and order-sign.

What is checked: the draft orders against each other and against the patient's active
medications from prefetch. For order-select, only pairs involving a selected order. With no
prefetch the service checks the draft orders alone and says so; it never calls the FHIR server
itself (README: "Use medref from an EHR").
"""

from __future__ import annotations

from medref.api.cdshooks.cards import card, info_card
from medref.api.cdshooks.medications import BadRequest, Med, identify, medication_resources
from medref.checker.engine import check_drugs
from medref.checker.repository import get_checker

PREFETCH = {
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}&status=active",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}&status=active",
}
SERVICES = {
    "medref-interactions-order-select": {
        "hook": "order-select",
        "title": "medref drug-interaction check (order select)",
        "description": "Checks the medication being selected against the other draft orders and the patient's active medications, using medref's knowledge base with every source's rating.",
    },
    "medref-interactions-order-sign": {
        "hook": "order-sign",
        "title": "medref drug-interaction check (order sign)",
        "description": "Checks all draft medication orders against each other and against the patient's active medications before signing.",
    },
}


def discovery() -> dict:
    return {
        "services": [{"id": sid, **meta, "prefetch": PREFETCH} for sid, meta in SERVICES.items()]
    }


def _require(body: dict, key: str, kind: type, where: str = ""):
    value = body.get(key)
    if not isinstance(value, kind):
        expected = {str: "text", dict: "an object", list: "a list"}[kind]
        raise BadRequest(f"{where}{key} is required and must be {expected}")
    return value


def run(service_id: str, body, *, base_url: str) -> dict:
    if service_id not in SERVICES:
        raise LookupError(service_id)
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    hook = _require(body, "hook", str)
    if hook != SERVICES[service_id]["hook"]:
        raise BadRequest(
            f"hook is {hook!r} but service {service_id} answers {SERVICES[service_id]['hook']!r}"
        )
    _require(body, "hookInstance", str)
    context = _require(body, "context", dict)
    patient_id = context.get("patientId") if isinstance(context.get("patientId"), str) else None
    drafts = medication_resources(context.get("draftOrders"), "context.draftOrders")
    selections: set[str] | None = None
    if hook == "order-select":
        chosen = _require(context, "selections", list, "context.")
        if not all(isinstance(s, str) for s in chosen):
            raise BadRequest(
                "context.selections must be a list of references such as MedicationRequest/123"
            )
        selections = set(chosen)
    prefetch = body.get("prefetch")
    if prefetch is not None and not isinstance(prefetch, dict):
        raise BadRequest("prefetch must be an object")
    prefetch = prefetch or {}
    have_prefetch = any(prefetch.get(k) is not None for k in PREFETCH)
    active = [r for k in PREFETCH for r in medication_resources(prefetch.get(k), f"prefetch.{k}")]

    index = get_checker().index()
    meds: list[Med] = [identify(index, r, n) for n, r in enumerate(drafts)]
    draft_count = len(meds)
    draft_refs = {m.reference for m in meds}
    # The same order can come back in prefetch; count it once, as a draft.
    meds += [
        m
        for m in (identify(index, r, draft_count + n) for n, r in enumerate(active))
        if m.reference not in draft_refs
    ]
    focus = {
        n
        for n, m in enumerate(meds[:draft_count])
        if selections is None or m.reference in selections
    }
    if selections is not None and not focus:
        raise BadRequest("none of context.selections matches a resource in context.draftOrders")

    result = check_drugs(index, [m.drug for m in meds])
    positions = _positions(meds)
    cards = []
    for finding in result.findings:
        a, b = finding.drugs
        pa, pb = positions.get(a, set()), positions.get(b, set())
        pairs = {(x, y) for x in pa for y in pb if x != y and (x in focus or y in focus)}
        if not pairs:
            continue  # active medications against each other, or not involving the selection
        implicated = sorted({meds[p].reference for pair in pairs for p in pair})
        cards.append(
            card(
                finding,
                explanation=result.explanation(finding),
                implicated=implicated,
                patient_id=patient_id,
                base_url=base_url,
            )
        )
    finding_cards = len(cards)
    unidentified = [m.label for m in meds if not m.drug.resolution.resolved]
    if unidentified:
        cards.append(
            info_card(
                f"{len(unidentified)} medication(s) could not be identified and were not checked",
                "medref could not identify these from their codes or names, so they were **not** checked for "
                "interactions:\n\n" + "\n".join(f"- {label}" for label in unidentified),
                base_url,
            )
        )
    if not have_prefetch:
        cards.append(
            info_card(
                "Active medications not checked: no prefetch was sent",
                "This request carried no prefetched active medications, so medref checked the draft orders "
                "against each other only. medref does not query the FHIR server itself.",
                base_url,
            )
        )
    if finding_cards == 0:
        checked = ", ".join(f"{s.name} ({s.version})" for s in result.sources_checked)
        cards.append(
            info_card(
                "No interaction recorded for these orders",
                f"No interaction recorded in: {checked}. This does not mean the combination is safe.",
                base_url,
            )
        )
    return {"cards": cards}


def _positions(meds: list[Med]) -> dict[str, set[int]]:
    """Ingredient name -> the positions of the medications that contain it."""
    out: dict[str, set[int]] = {}
    for n, m in enumerate(meds):
        for name in m.drug.ingredients:
            out.setdefault(name, set()).add(n)
    return out


def detected_issues(bundle, *, base_url: str) -> dict:
    """FHIR DetectedIssue/$check: every interaction among the Bundle's medications."""
    from medref.api.cdshooks.cards import detected_issue

    resources = medication_resources(bundle, "body")
    if not resources:
        raise BadRequest("the Bundle holds no MedicationRequest or MedicationStatement")
    index = get_checker().index()
    meds = [identify(index, r, n) for n, r in enumerate(resources)]
    result = check_drugs(index, [m.drug for m in meds])
    positions = _positions(meds)
    patient = next(
        (
            r.get("subject", {}).get("reference", "")
            for r in resources
            if isinstance(r.get("subject"), dict)
        ),
        "",
    )
    patient_id = patient.split("/", 1)[1] if patient.startswith("Patient/") else None
    entries = []
    for finding in result.findings:
        a, b = finding.drugs
        implicated = sorted(
            {meds[p].reference for p in positions.get(a, set()) | positions.get(b, set())}
        )
        entries.append(
            {"resource": detected_issue(finding, implicated=implicated, patient_id=patient_id)}
        )
    return {"resourceType": "Bundle", "type": "collection", "total": len(entries), "entry": entries}
