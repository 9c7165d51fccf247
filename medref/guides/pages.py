"""Build what a guide page shows from the same facts the checker uses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from medref.checker.engine import Finding, Index, pair_finding
from medref.guides import wording
from medref.knowledge.severity import Severity

SEVERITY_ONLY_NOTE = (
    "{source} gives a severity only: it does not describe a mechanism or what to do."
)
SEVERITY_ONLY_SOURCES = {"ddinter"}


@dataclass
class PairPage:
    a: str  # ingredient names, alphabetical
    b: str
    slugs: tuple[str, str]
    finding: Finding | None
    brands: dict[str, list[str]]
    sources_checked: list
    severity: str = wording.NONE
    label: str = "No interaction recorded"
    action: str = ""
    quick_answer: str = ""
    how: str = ""
    what_to_do: str = ""
    key_mechanism: str = ""
    faq: list[tuple[str, str]] = field(default_factory=list)
    severity_only_sources: list[str] = field(default_factory=list)
    professional_language: str = "en"

    @property
    def reviewed_date(self):
        import datetime as dt

        return (
            dt.date.fromisoformat(self.finding.reviewed_at)
            if self.finding and self.finding.reviewed_at
            else None
        )

    @property
    def title(self) -> str:
        return f"{self.a[:1].upper() + self.a[1:]} and {self.b[:1].upper() + self.b[1:]}: Drug Interaction Guide"


def build_pair_page(index: Index, x: int, y: int, brands: dict[str, list[str]]) -> PairPage:
    (slug_a, a), (slug_b, b) = sorted((index.ingredients[x], index.ingredients[y]))
    finding = pair_finding(index, x, y)
    page = PairPage(
        a=a,
        b=b,
        slugs=(slug_a, slug_b),
        finding=finding,
        brands=brands,
        sources_checked=list(index.sources_checked),
    )
    if finding is None:
        page.quick_answer = wording.quick_answer(wording.NONE, a, b)
        page.faq = wording.faq(wording.NONE, a, b, label="", action="", patient_management="")
        return page
    severity: Severity = finding.severity
    page.severity, page.label, page.action = severity.value, severity.label, severity.action
    page.quick_answer = wording.quick_answer(severity.value, a, b)
    lead_is_english = finding.language == "en"
    # Patient sections use the plain-language text; otherwise English professional text; never
    # another language in a patient section (it is shown, marked, under Sources).
    patient_how, patient_do = finding.patient_mechanism, finding.patient_management
    page.how = patient_how or (finding.mechanism if lead_is_english else "")
    page.what_to_do = patient_do or (finding.management if lead_is_english else "")
    page.key_mechanism = wording.cut_at_word(page.how) if page.how else ""
    page.professional_language = finding.language
    page.faq = wording.faq(
        severity.value,
        a,
        b,
        label=severity.label,
        action=severity.action,
        patient_management=patient_do,
    )
    page.severity_only_sources = [
        SEVERITY_ONLY_NOTE.format(source=s.name)
        for s in finding.sources
        if s.key in SEVERITY_ONLY_SOURCES
    ]
    return page


def json_ld(page: PairPage, url: str, description: str) -> str:
    """schema.org MedicalWebPage + FAQPage, with Drug/interactingDrug, as one JSON-LD block."""
    drug_a = {"@type": "Drug", "name": page.a, "interactingDrug": {"@type": "Drug", "name": page.b}}
    drug_b = {"@type": "Drug", "name": page.b, "interactingDrug": {"@type": "Drug", "name": page.a}}
    graph = [
        {
            "@type": "MedicalWebPage",
            "@id": url,
            "url": url,
            "name": page.title,
            "description": description,
            "about": [drug_a, drug_b],
            "audience": {"@type": "PeopleAudience", "audienceType": "Patients"},
            "medicalAudience": "Patient",
        },
        {
            "@type": "FAQPage",
            "mainEntity": [
                {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": ans}}
                for q, ans in page.faq
            ],
        },
    ]
    text = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)
    return escape_script_data(text)


# Inside a <script> element the HTML parser, not JSON, decides where the element ends: "</script>",
# and "<!--" followed by "<script" (which makes a later "</script>" not count), both break out of
# the block. Escaping every <, > and & as \uXXXX (as Django's json_script does) leaves nothing the
# parser can act on, and the JSON still decodes to the same text. U+2028/2029 are escaped too:
# they are legal in JSON but end a line in older JavaScript parsers that eval such blocks.
_SCRIPT_DATA_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def escape_script_data(json_text: str) -> SafeString:
    """JSON text made safe to place between <script type="application/ld+json"> tags."""
    return mark_safe(json_text.translate(_SCRIPT_DATA_ESCAPES))
