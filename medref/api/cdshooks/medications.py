"""Identify the medications in FHIR MedicationRequest / MedicationStatement resources.

Code beats text: a coding the vocabulary holds (RxNorm RxCUI, ingredient or product; WHO ATC;
NDC) decides. The concept text or a coding display is used only when no coding is known, and
never through a fuzzy match (a prescribing system must not act on a guess). When the text names
something other than the code, the code still wins and the disagreement is kept as a warning.
`medicationReference` is followed to a contained Medication, then to a Medication elsewhere in
the request's Bundles (by fullUrl or by resourceType/id), and only then to `reference.display`.
Orders and statements whose status says they do not apply are left out (see `IGNORED_STATUS`).
Every field read from the request is type-checked: a wrong JSON type is a `BadRequest` naming
the field, never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medref.checker.engine import DrugResult, Index, resolved_drug
from medref.vocab.resolve import Resolution

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
NDC = "http://hl7.org/fhir/sid/ndc"
# FHIR code-system URI -> the key the checker index uses in `Index.codes`.
SYSTEMS = {RXNORM: "rxcui", ATC: "atc", NDC: "ndc"}
MED_TYPES = ("MedicationRequest", "MedicationStatement")

# Statuses that mean the medication is not part of the patient's regimen (FHIR R4 4.0.1 value
# sets http://hl7.org/fhir/CodeSystem/medicationrequest-status and
# http://hl7.org/fhir/CodeSystem/medication-statement-status):
# - MedicationRequest: `cancelled` (withdrawn before anything was done) and `entered-in-error`.
#   `completed` and `stopped` are kept: a completed prescription may still be being taken (all
#   of it was dispensed), and a drug stopped yesterday can still interact; for an interaction
#   checker a false alarm costs less than a missed one.
# - MedicationStatement: `entered-in-error`, `not-taken`, and `completed` / `stopped`, which
#   the R4 definitions state mean "no longer being taken".
IGNORED_STATUS = {
    "MedicationRequest": frozenset({"cancelled", "entered-in-error"}),
    "MedicationStatement": frozenset({"entered-in-error", "not-taken", "completed", "stopped"}),
}
_NDC_SEGMENTS = (5, 4, 2)  # the 11-digit (5-4-2) form RxNorm stores NDCs in


class BadRequest(ValueError):
    """The request is not what CDS Hooks / FHIR require; the message says what is wrong."""


@dataclass
class Med:
    reference: str  # e.g. "MedicationRequest/123"
    label: str
    drug: DrugResult
    coded: bool = False  # carried a coding in a system medref reads (RxNorm, ATC, NDC)
    # e.g. a code/text disagreement; plain text without the reference, which callers add
    warnings: list[str] = field(default_factory=list)


def text(value, where: str) -> str | None:
    """An optional FHIR string: None when absent, else it must be a JSON string."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{where} must be text")
    return value


def obj(value, where: str) -> dict | None:
    """An optional JSON object: None when absent."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be a JSON object")
    return value


def array(value, where: str) -> list:
    """An optional JSON array: empty when absent."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"{where} must be a list")
    return value


def status_applies(resource: dict, where: str) -> bool:
    """False when the resource's status means it is not, or no longer, part of the regimen."""
    status = text(resource.get("status"), f"{where}.status")
    return status not in IGNORED_STATUS.get(resource.get("resourceType"), ())


def _normal_code(key: str, code: str) -> str:
    code = code.strip()
    if key == "atc":
        return code.upper()
    if key == "ndc" and "-" in code:
        # 10-digit NDCs are written 4-4-2, 5-3-2 or 5-4-1; RxNorm pads them to 5-4-2.
        parts = code.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            return "".join(p.zfill(n) for p, n in zip(parts, _NDC_SEGMENTS, strict=True))
    return code


def _referenced(
    resource: dict, where: str, medications: dict[str, dict] | None
) -> tuple[dict | None, str | None]:
    """Follow medicationReference: (the Medication's code, or None; the reference's display)."""
    ref = obj(resource.get("medicationReference"), f"{where}.medicationReference")
    if ref is None:
        return None, None
    target = text(ref.get("reference"), f"{where}.medicationReference.reference") or ""
    display = text(ref.get("display"), f"{where}.medicationReference.display")
    found = None
    if target.startswith("#"):
        for n, contained in enumerate(array(resource.get("contained"), f"{where}.contained")):
            if not isinstance(contained, dict):
                raise BadRequest(f"{where}.contained[{n}] must be a FHIR resource (a JSON object)")
            if contained.get("resourceType") == "Medication" and contained.get("id") == target[1:]:
                found = contained
                break
    elif target and medications:
        # A Bundle entry: by its fullUrl, or by the relative "Medication/x" at the end of it.
        found = medications.get(target)
        if found is None and "/Medication/" in target:
            found = medications.get("Medication/" + target.rsplit("/Medication/", 1)[1])
    if found is None:
        return None, display
    return obj(found.get("code"), f"{where}.medicationReference -> Medication.code"), display


def _codings(concept: dict, where: str) -> list[tuple[str | None, str | None, str | None]]:
    out = []
    for n, coding in enumerate(array(concept.get("coding"), f"{where}.coding")):
        at = f"{where}.coding[{n}]"
        if not isinstance(coding, dict):
            raise BadRequest(f"{at} must be a FHIR Coding (a JSON object)")
        out.append(
            (
                text(coding.get("system"), f"{at}.system"),
                text(coding.get("code"), f"{at}.code"),
                text(coding.get("display"), f"{at}.display"),
            )
        )
    return out


def reference_of(
    resource: dict, position: int, *, full_url: str | None = None, where: str = "resource"
) -> str:
    """How cards and DetectedIssues name the resource: "Type/id", else the entry's fullUrl,
    else "Type/#position" (the position in the request)."""
    kind = resource.get("resourceType")
    rid = text(resource.get("id"), f"{where}.id")
    if rid:
        return f"{kind}/{rid}"
    return full_url or f"{kind}/#{position}"


def identify(
    index: Index,
    resource: dict,
    position: int,
    *,
    medications: dict[str, dict] | None = None,
    where: str = "resource",
    full_url: str | None = None,
) -> Med:
    """Identify one MedicationRequest / MedicationStatement. `medications` maps fullUrl and
    "Medication/id" to the Medication resources of the request's Bundles."""
    reference = reference_of(resource, position, full_url=full_url, where=where)
    concept = obj(resource.get("medicationCodeableConcept"), f"{where}.medicationCodeableConcept")
    ref_display = None
    if concept is None:
        concept, ref_display = _referenced(resource, where, medications)
    concept = concept or {}
    concept_text = text(concept.get("text"), f"{where}.medicationCodeableConcept.text")
    codings = _codings(concept, where)
    texts = [t for t in (concept_text, *(d for _, _, d in codings), ref_display) if t and t.strip()]
    known = [(SYSTEMS[s], _normal_code(SYSTEMS[s], c)) for s, c, _ in codings if s in SYSTEMS and c]
    label = (
        texts[0]
        if texts
        else next((f"{s}|{c}" for s, c, _ in codings if c), None)
        or "medication with no code or name"
    )
    coded = bool(known)

    by_code = next(((k, c) for k, c in known if (k, c) in index.codes), None)
    by_text = None
    for candidate in texts:
        found = index.names.resolve(candidate)
        if found.resolved and found.matched_by != "fuzzy":
            by_text = found
            break

    if by_code is not None:
        key, code = by_code
        ids = index.codes[by_code]
        display = next((d for s, c, d in codings if s in SYSTEMS and c and d), None)
        found = Resolution(
            label, True, ids, {"rxcui": "rxnorm"}.get(key, key), display or f"{key} {code}"
        )
        med = Med(reference, label, resolved_drug(index, label, found), coded)
        if by_text is not None and set(by_text.ingredient_ids) != set(ids):
            med.warnings.append(
                f"the code {key.upper()} {code} means "
                f"{' + '.join(med.drug.ingredients)}, but the text {by_text.input!r} reads as "
                f"{' + '.join(index.ingredients[i][1] for i in by_text.ingredient_ids)}; "
                "medref used the code"
            )
        return med
    if by_text is not None:
        return Med(reference, label, resolved_drug(index, label, by_text), coded)
    return Med(
        reference,
        label,
        resolved_drug(index, label, Resolution(label, False, note="not identified")),
        coded,
    )


def _entries(bundle, where: str) -> list[tuple[dict, str | None, str]]:
    """(resource, fullUrl, where) for every entry of a Bundle, or the bare resource itself."""
    if not isinstance(bundle, dict):
        raise BadRequest(f"{where} must be a FHIR Bundle or resource (a JSON object)")
    kind = bundle.get("resourceType")
    if kind != "Bundle":
        if kind in MED_TYPES:
            return [(bundle, None, where)]
        raise BadRequest(f"{where}: expected resourceType Bundle, got {kind!r}")
    out = []
    for number, entry in enumerate(array(bundle.get("entry"), f"{where}.entry")):
        at = f"{where}.entry[{number}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            raise BadRequest(f"{at} has no resource")
        out.append((resource, text(entry.get("fullUrl"), f"{at}.fullUrl"), f"{at}.resource"))
    return out


def medication_entries(bundle, where: str) -> list[tuple[dict, str | None, str]]:
    """The MedicationRequest/MedicationStatement entries of a Bundle (or a bare resource), as
    (resource, fullUrl, where), including those whose status makes them not apply."""
    if bundle is None:
        return []
    return [e for e in _entries(bundle, where) if e[0].get("resourceType") in MED_TYPES]


def medication_resources(bundle, where: str) -> list[dict]:
    """The MedicationRequest/MedicationStatement resources of a Bundle (or a bare resource)."""
    return [resource for resource, _, _ in medication_entries(bundle, where)]


def referenced_medications(*bundles) -> dict[str, dict]:
    """The Medication resources of the given Bundles, by fullUrl and by "Medication/id", so a
    medicationReference can find them (FHIR R4 Bundle "Resolving references in Bundles")."""
    out: dict[str, dict] = {}
    for bundle in bundles:
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            continue
        for entry in bundle.get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or resource.get("resourceType") != "Medication":
                continue
            if isinstance(entry.get("fullUrl"), str):
                out[entry["fullUrl"]] = resource
            if isinstance(resource.get("id"), str):
                out[f"Medication/{resource['id']}"] = resource
    return out


def plain(value: str) -> str:
    """Free text from a request, made safe to show inside card Markdown (GitHub Flavored): the
    characters that could start a link, an image, HTML, emphasis, code or a table are
    backslash-escaped, autolinks (`http://`, `www.`, e-mail addresses) are broken, and line
    breaks become spaces, so input shows as the plain text it is and never adds markup."""
    flat = " ".join(value.split())
    flat = _MARKDOWN_INLINE.sub(r"\\\g<0>", flat)
    flat = flat.replace("://", ":\\/\\/")
    flat = _WWW.sub(lambda m: m.group(0)[:-1] + "\\.", flat)
    # At the start of a line (each name is listed as "- name") these would begin a heading, a
    # list or a quote.
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), flat)


_MARKDOWN_INLINE = re.compile(r"[\\`*_\[\]<>!|~&@]")
_WWW = re.compile(r"www\.", re.IGNORECASE)
_BLOCK_START = re.compile(r"^(\d*)([#+\-=.)])")
