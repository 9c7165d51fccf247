"""Turn checker findings into CDS Hooks cards and FHIR DetectedIssue resources."""

from __future__ import annotations

import uuid

from medref.checker.engine import Finding

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
    parts.append(f"_Why this was flagged:_ {explanation}")
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


def card(
    finding: Finding,
    *,
    explanation: str,
    implicated: list[str],
    patient_id: str | None,
    base_url: str,
) -> dict:
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
                "system": base_url + "/cds-services/topics",
                "code": code,
                "display": display,
            },
        },
        "overrideReasons": [
            {"code": c, "system": base_url + "/cds-services/override-reasons", "display": d}
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
            }
        ],
    }
    if finding.guide_url:
        out["links"] = [
            {
                "label": "medref guide to this interaction",
                "url": base_url + finding.guide_url,
                "type": "absolute",
            }
        ]
    return out


def info_card(summary_text: str, detail: str, base_url: str) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary_text[:140],
        "indicator": "info",
        "detail": detail,
        "source": {"label": "medref drug-interaction checker", "url": base_url + "/"},
    }
