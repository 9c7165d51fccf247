"""Build what a guide page shows from the same facts the checker uses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from medref.checker.engine import Finding, Index, Rule, pair_finding
from medref.domain.sources import DDINTER
from medref.guides import wording
from medref.knowledge.severity import Severity
from medref.vocab.display import in_sentence

# Sources that rate pairs without any text. A pair whose only rating is one of these saying
# "unknown" tells the reader nothing they can act on: its page is kept out of search engines.
SEVERITY_ONLY_SOURCES = {DDINTER}


def is_noise(rules: list[Rule] | tuple[Rule, ...]) -> bool:
    """True when every rule about a pair is a severity-only source's "unknown" rating."""
    return bool(rules) and all(
        r.source in SEVERITY_ONLY_SOURCES and r.severity == Severity.UNKNOWN for r in rules
    )


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
    # What a page with no explanation says, once, about what is and is not known.
    known: str = ""
    not_known: str = ""
    noise: bool = False  # only a severity-only source's "unknown" rating: not for search engines
    # Medicine, food, drink or herbal, for a and b: a food is worded as a food ("avoid grapefruit
    # juice while you take simvastatin").
    kinds: tuple[str, str] = wording.MEDICINES
    professional_language: str = "en"

    @property
    def severity_only(self) -> bool:
        """The sources rate the pair but neither explain it nor say what to do."""
        return self.finding is not None and not self.how and not self.what_to_do

    @property
    def source_rows(self) -> list[dict]:
        """The Sources table in plain words: the review status as a phrase, not a code."""
        return [
            {"source": s, "review": wording.REVIEW.get(s.review_status, s.review_status)}
            for s in (self.finding.sources if self.finding else ())
        ]

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
        return wording.guide_title(self.a, self.b, kinds=self.kinds)


def build_pair_page(index: Index, x: int, y: int, brands: dict[str, list[str]]) -> PairPage:
    (slug_a, a), (slug_b, b) = sorted((index.ingredients[x], index.ingredients[y]))
    a, b = in_sentence(a), in_sentence(b)
    finding = pair_finding(index, x, y)
    ids = {index.ingredients[i][0]: i for i in (x, y)}
    kinds = (index.kind(ids[slug_a]), index.kind(ids[slug_b]))
    page = PairPage(
        a=a,
        b=b,
        slugs=(slug_a, slug_b),
        finding=finding,
        brands=brands,
        sources_checked=list(index.sources_checked),
        kinds=kinds,
    )
    if finding is None:
        page.quick_answer = wording.quick_answer(wording.NONE, a, b, kinds=kinds)
        page.faq = wording.faq(
            wording.NONE, a, b, label="", action="", patient_management="", kinds=kinds
        )
        return page
    severity: Severity = finding.severity
    page.severity, page.label, page.action = severity.value, severity.label, severity.action
    page.quick_answer = wording.quick_answer(severity.value, a, b, kinds=kinds)
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
        kinds=kinds,
    )
    if page.severity_only:
        raters = list(dict.fromkeys(s.name for s in finding.sources if not s.overridden_by))
        page.known, page.not_known = wording.what_is_known(
            severity.value,
            a,
            b,
            sources=raters,
            label=severity.label,
            action=severity.action,
            kinds=kinds,
        )
    page.noise = all(
        s.key in SEVERITY_ONLY_SOURCES and s.severity == Severity.UNKNOWN for s in finding.sources
    )
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
