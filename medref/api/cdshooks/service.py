"""The interaction services: discovery, and the check behind order-select and order-sign.

What is checked: the draft orders against each other and against the patient's active
medications from prefetch. For order-select, only pairs involving a selected order.

Prefetch (CDS Hooks 2.0.1, "Providing FHIR Resources to a CDS Service" > "Prefetch Template"):
- a key set to `null` means the EHR has no such data ("the prefetch template key MUST have a
  value of null"): nothing to check against, and nothing to warn about;
- an OperationOutcome in a slot ("CDS Services SHOULD check any prefetched data for the
  existence of OperationOutcomes") or an omitted key means the data is not available;
- a Bundle with a `next` link, or a `total` above the entries sent, is only the first page: the
  rest was not checked, and a warning card says so.
medref never calls the EHR's FHIR server itself. When no medication data is available and the
EHR offered FHIR access (`fhirServer` + `fhirAuthorization`), it answers 412 Precondition Failed,
as the spec requires of a service "unable to obtain required data" ("HTTP Status Codes"). Why
not fetch: `fhirServer` is named by the caller, so fetching would let any caller make medref
request URLs of its choosing; a synchronous fetch would also hold a worker for as long as the
EHR takes to answer. The EHR can always satisfy the prefetch templates instead. Without
`fhirAuthorization` the EHR never meant medref to fetch: the drafts are checked on their own
and a card says so.

Work is linear in the number of medications: each distinct medication is identified once, and
which orders a finding implicates is worked out per ingredient, never per pair of orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from medref.api.cdshooks.cards import card, detected_issue, info_card
from medref.api.cdshooks.feedback import remember_cards
from medref.api.cdshooks.medications import (
    MED_TYPES,
    BadRequest,
    Med,
    array,
    identify,
    medication_entries,
    obj,
    plain,
    reference_of,
    referenced_medications,
    status_applies,
    text,
)
from medref.checker.engine import Finding, Index, check_drugs
from medref.checker.present import explanation, input_notes
from medref.checker.repository import get_checker

# `_include` brings the Medication resources that orders point at through medicationReference.
PREFETCH = {
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}&status=active"
    "&_include=MedicationRequest:medication",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}&status=active"
    "&_include=MedicationStatement:medication",
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
LISTED = 20  # names listed in one card; more are counted, so a card stays readable
REMOVABLE = 3  # "remove this draft order" suggestions offered on one card


class PreconditionFailed(Exception):
    """Answer 412: the data the check needs was neither prefetched nor ours to fetch."""


class TooManyMedications(BadRequest):
    """More medications than MEDREF_CDS_MAX_MEDICATIONS; answered 413 (a plain 400 by callers
    that only know BadRequest)."""


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


def _cap(count: int) -> None:
    limit = settings.MEDREF_CDS_MAX_MEDICATIONS
    if count > limit:
        raise TooManyMedications(
            f"this request holds {count} medications; medref checks at most {limit} per request "
            "(MEDREF_CDS_MAX_MEDICATIONS)"
        )


@dataclass
class _Prefetch:
    entries: list[tuple[dict, str | None, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # keys omitted
    failed: list[str] = field(default_factory=list)  # keys holding an OperationOutcome
    problems: list[str] = field(default_factory=list)  # partial data, already escaped


def _outcome_text(outcome: dict) -> str:
    """What an OperationOutcome says, in one line (for a card; escaped by the caller)."""
    said = []
    for issue in outcome.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        details = issue.get("details") if isinstance(issue.get("details"), dict) else {}
        for value in (issue.get("diagnostics"), details.get("text")):
            if isinstance(value, str) and value.strip():
                said.append(value.strip()[:200])
                break
    return "; ".join(said[:3]) or "no details given"


def _read_prefetch(prefetch: dict) -> _Prefetch:
    out = _Prefetch()
    for key in PREFETCH:
        if key not in prefetch:
            out.missing.append(key)
            continue
        value = prefetch[key]
        if value is None:
            continue  # the EHR has no such data for this patient
        where = f"prefetch.{key}"
        if isinstance(value, dict) and value.get("resourceType") == "OperationOutcome":
            out.failed.append(f"{key} ({plain(_outcome_text(value))})")
            continue
        entries = medication_entries(value, where)
        out.entries += entries
        if value.get("resourceType") != "Bundle":
            continue
        matches = 0
        for entry in array(value.get("entry"), f"{where}.entry"):
            resource = entry["resource"]  # medication_entries has checked every entry
            search = entry.get("search") if isinstance(entry.get("search"), dict) else {}
            mode = search.get("mode")
            if resource.get("resourceType") == "OperationOutcome":
                out.problems.append(f"{key}: {plain(_outcome_text(resource))}")
            elif mode == "match" or (mode is None and resource.get("resourceType") in MED_TYPES):
                matches += 1
        links = array(value.get("link"), f"{where}.link")
        paged = any(isinstance(link, dict) and link.get("relation") == "next" for link in links)
        total = value.get("total")
        if isinstance(total, int) and not isinstance(total, bool) and total > matches:
            out.problems.append(
                f"{key}: only {matches} of {total} were sent (one page of a longer list)"
            )
        elif paged:
            out.problems.append(f"{key}: only the first page of a longer list was sent")
    return out


class _Identifier:
    """Identify medications, each distinct one once: a request repeating one medication a
    thousand times costs one identification."""

    def __init__(self, index: Index, medications: dict[str, dict]) -> None:
        self.index, self.medications, self.seen = index, medications, {}

    def __call__(self, resource: dict, position: int, full_url: str | None, where: str) -> Med:
        # repr, not json.dumps(sort_keys=True): several times cheaper, and two copies of one
        # medication from one EHR list their keys in the same order (a miss only costs time).
        key = repr(
            (
                resource.get("medicationCodeableConcept"),
                resource.get("medicationReference"),
                resource.get("contained") if resource.get("medicationReference") else None,
            )
        )
        known = self.seen.get(key)
        if known is None:
            known = self.seen[key] = identify(
                self.index,
                resource,
                position,
                medications=self.medications,
                where=where,
                full_url=full_url,
            )
            return known
        reference = reference_of(resource, position, full_url=full_url, where=where)
        return Med(reference, known.label, known.drug, known.coded, list(known.warnings))


def _reference(resource: dict) -> str | None:
    rid = resource.get("id")
    return f"{resource.get('resourceType')}/{rid}" if isinstance(rid, str) and rid else None


def _implicated(positions: dict[str, list[int]], finding: Finding, focus) -> list[int]:
    """The positions of the medications a finding involves, keeping only pairs of two different
    medications of which at least one is in `focus` (None: every pair counts). Linear in the
    number of positions holding the two ingredients."""
    a, b = finding.drugs
    pa, pb = positions.get(a, []), positions.get(b, [])
    if focus is None:
        fa = fb = None
    else:
        fa, fb = {p for p in pa if p in focus}, {p for p in pb if p in focus}
    set_a, set_b = set(pa), set(pb)
    out = set()
    for mine, theirs, their_focus in ((pa, set_b, fb), (pb, set_a, fa)):
        for p in mine:
            # Another medication holds the partner ingredient...
            others = len(theirs) - (p in theirs)
            if focus is None or p in focus:
                if others:
                    out.add(p)
            # ...or, when p is not in focus, a focused one does.
            elif len(their_focus) - (p in their_focus) > 0:
                out.add(p)
    return sorted(out)


def _names(labels: list[str]) -> str:
    shown = "\n".join(f"- {plain(label)}" for label in labels[:LISTED])
    more = len(labels) - LISTED
    return shown + (f"\n- and {more} more" if more > 0 else "")


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
    fhir_server = text(body.get("fhirServer"), "fhirServer")
    fhir_authorization = obj(body.get("fhirAuthorization"), "fhirAuthorization")
    context = _require(body, "context", dict)
    patient_id = text(context.get("patientId"), "context.patientId")
    draft_bundle = context.get("draftOrders")
    drafts = medication_entries(draft_bundle, "context.draftOrders")
    selections: set[str] | None = None
    if hook == "order-select":
        chosen = _require(context, "selections", list, "context.")
        if not all(isinstance(s, str) for s in chosen):
            raise BadRequest(
                "context.selections must be a list of references such as MedicationRequest/123"
            )
        selections = set(chosen)
        # order-select: "selections ... references FHIR resources in the draftOrders Bundle".
        in_bundle = set()
        if isinstance(draft_bundle, dict) and draft_bundle.get("resourceType") == "Bundle":
            for entry in draft_bundle.get("entry") or []:
                in_bundle.add(_reference(entry["resource"]))
                in_bundle.add(entry.get("fullUrl"))
        elif isinstance(draft_bundle, dict):
            in_bundle.add(_reference(draft_bundle))
        if not selections & in_bundle:
            raise BadRequest("none of context.selections matches a resource in context.draftOrders")
    prefetch = obj(body.get("prefetch"), "prefetch") or {}
    fetched = _read_prefetch(prefetch)
    _cap(len(drafts) + len(fetched.entries))

    index = get_checker().index()
    identify_one = _Identifier(
        index,
        referenced_medications(
            draft_bundle, *(prefetch.get(k) for k in PREFETCH if isinstance(prefetch.get(k), dict))
        ),
    )
    meds: list[Med] = []
    focus: set[int] = set()
    for resource, full_url, where in drafts:
        if not status_applies(resource, where):
            continue  # cancelled or entered in error: not going to be given
        med = identify_one(resource, len(meds), full_url, where)
        if selections is None or med.reference in selections or full_url in selections:
            focus.add(len(meds))
        meds.append(med)
    if not focus:
        # No medication order to check (a lab-only order-sign, or only non-drug or withdrawn
        # orders selected): "no decision support" is an empty array (CDS Service Response).
        return {"cards": []}
    unavailable = fetched.missing + fetched.failed
    if len(unavailable) == len(PREFETCH) and fhir_server and fhir_authorization:
        raise PreconditionFailed(
            "medref needs the patient's active medications as prefetch ("
            + ", ".join(PREFETCH)
            + "); it does not query the FHIR server itself"
        )
    draft_refs = {m.reference for m in meds}
    for resource, full_url, where in fetched.entries:
        if not status_applies(resource, where):
            continue
        med = identify_one(resource, len(meds), full_url, where)
        if med.reference not in draft_refs:  # the same order can come back in prefetch
            meds.append(med)

    result = check_drugs(index, [m.drug for m in meds])
    positions: dict[str, list[int]] = {}
    for n, m in enumerate(meds):
        for name in dict.fromkeys(m.drug.ingredients):
            positions.setdefault(name, []).append(n)
    notes = input_notes(result.drugs)
    cards = []
    issued = []  # (card uuid, kind, finding, severity), remembered for feedback
    for finding in result.findings:
        involved = _implicated(positions, finding, focus)
        if not involved:
            continue  # active medications against each other, or not involving the selection
        removable = [
            (meds[p].reference, " + ".join(meds[p].drug.ingredients) or meds[p].label)
            for p in involved
            if p in focus and meds[p].reference.count("/") == 1 and "#" not in meds[p].reference
        ]
        cards.append(
            card(
                finding,
                explanation=explanation(result, finding, notes),
                implicated=sorted({meds[p].reference for p in involved}),
                patient_id=patient_id,
                base_url=base_url,
                removable=sorted(dict.fromkeys(removable))[:REMOVABLE],
            )
        )
        a, b = finding.drugs
        issued.append(
            (cards[-1]["uuid"], finding.kind, a if a == b else f"{a} + {b}", finding.severity.value)
        )
    remember_cards(service_id, issued)

    unidentified = [m for m in meds if not m.drug.resolution.resolved]
    if unidentified:
        coded = [m for m in unidentified if m.coded]
        cards.append(
            info_card(
                f"{len(unidentified)} medication(s) could not be identified and were not checked",
                "medref could not identify these from their codes or names, so they were **not** "
                "checked for interactions:\n\n"
                + _names([m.label for m in unidentified])
                + (
                    f"\n\n{len(coded)} of them carried a code (RxNorm, ATC or NDC) that medref's "
                    "vocabulary does not hold."
                    if coded
                    else ""
                ),
                base_url,
                indicator="warning",
            )
        )
    conflicts = [f"{m.reference}: {w}" for m in meds for w in m.warnings]
    if conflicts:
        cards.append(
            info_card(
                f"{len(conflicts)} medication(s) have a code and a name that disagree",
                "For these orders the code and the text name different medicines. medref "
                "checked what the code means; check which one is intended:\n\n" + _names(conflicts),
                base_url,
                indicator="warning",
            )
        )
    if fetched.failed or fetched.problems:
        cards.append(
            info_card(
                "Some active medications may not have been checked",
                "The EHR could not send all of the patient's active medications, so some were "
                "not checked against the draft orders:\n\n"
                + "\n".join(f"- {p}" for p in fetched.failed + fetched.problems),
                base_url,
                indicator="warning",
            )
        )
    if fetched.missing:
        whole = len(fetched.missing) == len(PREFETCH) and not fetched.failed
        cards.append(
            info_card(
                "Active medications not checked: no prefetch was sent"
                if whole
                else "Some active medications not checked: prefetch incomplete",
                (
                    "This request carried no prefetched active medications, so medref checked "
                    "the draft orders against each other only."
                    if whole
                    else "This request did not include " + ", ".join(fetched.missing) + "."
                )
                + " medref does not query the FHIR server itself.",
                base_url,
            )
        )
    return {"cards": cards}


def detected_issues(bundle, *, base_url: str) -> dict:
    """FHIR DetectedIssue/$check: every interaction among the Bundle's medications. Medications
    that could not be identified, and code/text disagreements, are reported in an
    OperationOutcome entry, so a coded-only order medref does not know is never silent."""
    entries_in = medication_entries(bundle, "body")
    _cap(len(entries_in))
    resources = [(r, u, w) for r, u, w in entries_in if status_applies(r, w)]
    if not entries_in:
        raise BadRequest("the Bundle holds no MedicationRequest or MedicationStatement")
    index = get_checker().index()
    identify_one = _Identifier(index, referenced_medications(bundle))
    meds = [identify_one(r, n, u, w) for n, (r, u, w) in enumerate(resources)]
    result = check_drugs(index, [m.drug for m in meds])
    positions: dict[str, list[int]] = {}
    for n, m in enumerate(meds):
        for name in dict.fromkeys(m.drug.ingredients):
            positions.setdefault(name, []).append(n)
    patient = ""
    for resource, _, where in resources:
        subject = obj(resource.get("subject"), f"{where}.subject")
        if subject is not None:
            patient = text(subject.get("reference"), f"{where}.subject.reference") or ""
            if patient:
                break
    patient_id = patient.split("/", 1)[1] if patient.startswith("Patient/") else None
    entries = []
    for finding in result.findings:
        implicated = sorted({meds[p].reference for p in _implicated(positions, finding, None)})
        entries.append(
            {"resource": detected_issue(finding, implicated=implicated, patient_id=patient_id)}
        )
    issues = [
        {
            "severity": "warning",
            "code": "not-found",
            "diagnostics": f"{m.reference} ({m.label}) could not be identified from its codes "
            "or names and was not checked for interactions",
        }
        for m in meds
        if not m.drug.resolution.resolved
    ] + [
        {"severity": "warning", "code": "business-rule", "diagnostics": f"{m.reference}: {w}"}
        for m in meds
        for w in m.warnings
    ]
    if issues:
        entries.append({"resource": {"resourceType": "OperationOutcome", "issue": issues}})
    # A Bundle of type collection carries no `total` (FHIR R4 invariant bdl-1).
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
