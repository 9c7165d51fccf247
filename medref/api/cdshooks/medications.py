"""Identify the medications in FHIR MedicationRequest / MedicationStatement resources.

Order: an RxNorm RxCUI or ATC code the vocabulary holds; otherwise the coding display or the
concept text through the checker's name resolution (never a fuzzy match: a prescribing system
must not act on a guess). A medicationReference to a contained Medication is followed.
"""

from __future__ import annotations

from dataclasses import dataclass

from medref.checker.engine import DrugResult, Index, resolved_drug
from medref.vocab.resolve import Resolution

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
MED_TYPES = ("MedicationRequest", "MedicationStatement")


class BadRequest(ValueError):
    """The request is not what CDS Hooks / FHIR require; the message says what is wrong."""


@dataclass
class Med:
    reference: str  # e.g. "MedicationRequest/123"
    label: str
    drug: DrugResult


def _concept(resource: dict) -> dict | None:
    concept = resource.get("medicationCodeableConcept")
    if isinstance(concept, dict):
        return concept
    ref = (resource.get("medicationReference") or {}).get("reference", "")
    if isinstance(ref, str) and ref.startswith("#"):
        for contained in resource.get("contained") or []:
            if (
                isinstance(contained, dict)
                and contained.get("resourceType") == "Medication"
                and contained.get("id") == ref[1:]
            ):
                code = contained.get("code")
                return code if isinstance(code, dict) else None
    return None


def identify(index: Index, resource: dict, position: int) -> Med:
    kind = resource.get("resourceType")
    reference = f"{kind}/{resource.get('id')}" if resource.get("id") else f"{kind}/#{position}"
    concept = _concept(resource) or {}
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    label = (
        concept.get("text")
        or next((c.get("display") for c in codings if c.get("display")), None)
        or next((f"{c.get('system')}|{c.get('code')}" for c in codings), None)
        or "medication with no code or name"
    )
    for coding in codings:
        system, code = coding.get("system"), str(coding.get("code", "")).strip()
        key = {RXNORM: "rxcui", ATC: "atc"}.get(system)
        if key and (key, code) in index.codes:
            ids = index.codes[(key, code)]
            found = Resolution(
                label,
                True,
                ids,
                "rxnorm" if key == "rxcui" else "atc",
                coding.get("display") or code,
            )
            return Med(reference, label, resolved_drug(index, label, found))
    for text in [concept.get("text"), *(c.get("display") for c in codings)]:
        if isinstance(text, str) and text.strip():
            found = index.names.resolve(text)
            if found.resolved and found.matched_by != "fuzzy":
                return Med(reference, label, resolved_drug(index, label, found))
    return Med(
        reference,
        label,
        resolved_drug(index, label, Resolution(label, False, note="not identified")),
    )


def medication_resources(bundle, where: str) -> list[dict]:
    """The MedicationRequest/MedicationStatement resources of a Bundle (or a bare resource)."""
    if bundle is None:
        return []
    if not isinstance(bundle, dict):
        raise BadRequest(f"{where} must be a FHIR Bundle or resource (a JSON object)")
    if bundle.get("resourceType") in MED_TYPES:
        return [bundle]
    if bundle.get("resourceType") != "Bundle":
        raise BadRequest(
            f"{where}: expected resourceType Bundle, got {bundle.get('resourceType')!r}"
        )
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise BadRequest(f"{where}.entry must be a list")
    out = []
    for number, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            raise BadRequest(f"{where}.entry[{number}] has no resource")
        if resource.get("resourceType") in MED_TYPES:
            out.append(resource)
    return out
