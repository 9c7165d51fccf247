"""Turn checker findings into CDS Hooks cards and FHIR DetectedIssue resources.

Card fields follow CDS Hooks 2.0.1 "Card Attributes", "Suggestion" and "Action". Text that came
from the request (medication names as the EHR wrote them) reaches card Markdown only through
`medications.plain`, escaped, so a request cannot put a link or an image under medref's name.
"""

from __future__ import annotations

import uuid

from django.conf import settings

from medref.api.cdshooks.medications import plain
from medref.checker.engine import Finding
from medref.checker.present import guide_url

INDICATOR = {
    "contraindicated": "critical",
    "major": "critical",
    "moderate": "warning",
    "minor": "info",
    "unknown": "info",
}
FHIR_SEVERITY = {
    "contraindicated": "high",
    "major": "high",
    "moderate": "moderate",
    "minor": "low",
    "unknown": "low",
}
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ISSUE_CODE = {
    "interaction": ("DRG", "Drug Interaction Alert"),
    "duplication": ("DUPTHPY", "Duplicate Therapy Alert"),
}
OVERRIDE_REASONS = [
    ("benefit-outweighs-risk", "Benefit outweighs the risk; will monitor"),
    ("already-tolerated", "Patient already takes both without problems"),
    ("not-relevant", "Not relevant for this patient"),
]


def summary(finding: Finding) -> str:
    a, b = finding.drugs
    if finding.kind == "duplication":
        text = f"Duplicate therapy: {a}" + ("" if a == b else f" and {b}")
    else:
        text = f"{finding.severity.label} interaction: {a} + {b} ({finding.severity.action})"
    return text if len(text) <= 140 else text[:139] + "\u2026"


def detail_markdown(finding: Finding, explanation: str) -> str:
    parts = []
    if finding.mechanism:
        parts.append(
            f"**Mechanism** ({finding.language}): {finding.mechanism}"
            if finding.language != "en"
            else f"**Mechanism:** {finding.mechanism}"
        )
    else:
        parts.append("The sources give a severity only, with no mechanism.")
    if finding.management:
        parts.append(f"**Management:** {finding.management}")
    ratings = "\n".join(
        f"- {s.name} ({s.version}, {s.licence}): **{s.severity.value}**" for s in finding.sources
    )
    parts.append(f"**Sources:**\n{ratings}")
    if finding.sources_disagree:
        parts.append(
            "_The sources disagree; the most severe rating is shown unless a reviewed medref entry says otherwise._"
        )
    # The explanation repeats the names the EHR sent ("Zocor -> simvastatin"): escape it.
    parts.append(f"_Why this was flagged:_ {plain(explanation)}")
    return "\n\n".join(parts)


def detected_issue(finding: Finding, *, implicated: list[str], patient_id: str | None) -> dict:
    code, display = ISSUE_CODE[finding.kind]
    issue = {
        "resourceType": "DetectedIssue",
        "status": "preliminary",
        "code": {
            "coding": [{"system": ACT_CODE, "code": code, "display": display}],
            "text": display,
        },
        "severity": FHIR_SEVERITY[finding.severity.value],
        "implicated": [{"reference": ref} for ref in implicated],
        "detail": f"{summary(finding)}. {finding.mechanism}".strip(),
    }
    if patient_id:
        issue["patient"] = {"reference": f"Patient/{patient_id}"}
    if finding.management:
        issue["mitigation"] = [{"action": {"text": finding.management}}]
    return issue


def code_system(name: str) -> str:
    """The URI of one of medref's code systems. From a setting, never from the request's Host
    header: an EHR stores these codes with feedback, so they must not vary by how it called."""
    return f"{settings.MEDREF_CDS_CODE_SYSTEM_BASE.rstrip('/')}/{name}"


def _remove_draft(reference: str, label: str) -> dict:
    """A suggestion to remove one draft order (CDS Hooks 2.0.1 "Action": type `delete` with a
    relative `resourceId`)."""
    return {
        "label": f"Remove the draft order for {label}"[:140],
        "uuid": str(uuid.uuid4()),
        "isRecommended": False,
        "actions": [
            {
                "type": "delete",
                "description": f"Remove the draft order {reference}",
                "resourceId": reference,
            }
        ],
    }


def card(
    finding: Finding,
    *,
    explanation: str,
    implicated: list[str],
    patient_id: str | None,
    base_url: str,
    removable: list[tuple[str, str]] = (),
) -> dict:
    """One finding's card. `removable`: (relative reference, ingredient names) of the draft
    orders the finding involves, each offered as a "remove this draft order" suggestion. No
    "replace with an alternative" suggestion: the knowledge base records alternatives only in
    the management prose, not as a structured field a suggestion could act on."""
    code, display = ISSUE_CODE[finding.kind]
    out = {
        "uuid": str(uuid.uuid4()),
        "summary": summary(finding),
        "indicator": INDICATOR[finding.severity.value],
        "detail": detail_markdown(finding, explanation),
        "source": {
            "label": "medref drug-interaction checker",
            "url": base_url + "/",
            "topic": {
                "system": code_system("cds-topics"),
                "code": code,
                "display": display,
            },
        },
        "overrideReasons": [
            {"code": c, "system": code_system("cds-override-reasons"), "display": d}
            for c, d in OVERRIDE_REASONS
        ],
        "selectionBehavior": "at-most-one",
        "suggestions": [
            {
                "label": "Record this as a detected issue in the chart",
                "uuid": str(uuid.uuid4()),
                "isRecommended": False,
                "actions": [
                    {
                        "type": "create",
                        "description": f"Create a DetectedIssue for {display.lower()}",
                        "resource": detected_issue(
                            finding, implicated=implicated, patient_id=patient_id
                        ),
                    }
                ],
            },
            *(_remove_draft(reference, label) for reference, label in removable),
        ],
    }
    guide = guide_url(finding)
    if guide:
        out["links"] = [
            {
                "label": "medref guide to this interaction",
                "url": base_url + guide,
                "type": "absolute",
            }
        ]
    return out


def info_card(summary_text: str, detail: str, base_url: str, *, indicator: str = "info") -> dict:
    """A card about the check itself (what could not be checked), not about a finding."""
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary_text[:140],
        "indicator": indicator,
        "detail": detail,
        "source": {"label": "medref drug-interaction checker", "url": base_url + "/"},
    }
