"""Turns the engine's results into what people and programs read: the JSON the API promises
(`result_json`), the prose around it (`message`, `explanation`), guide links (`guide_url`), and
the check page's view of it: one finding per pair, grouped by severity, with a summary, a
severity filter, advice in the chosen wording and links that keep that wording.

Django-free and cheap to import, so the one-shot `medref check`, the check page, the printable
report and its PDF all share one reading of the engine's findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from medref.domain.limits import MAX_DRUGS, MAX_NAME_LENGTH
from medref.domain.paths import guide_path
from medref.domain.severity import Severity

if TYPE_CHECKING:
    from medref.checker.engine import CheckResult, DrugResult, Finding, SourceRating

PATIENT = "patient"
PROFESSIONAL = "professional"
ADD_ANOTHER = "Add at least one more medicine to check for interactions."

_SPLIT = re.compile(r"[,\n;]+")
# The engine names the shared classes of a duplication in its explanation; see engine._duplications.
_DUP_CLASSES = re.compile(r"both belong to (?P<classes>.+) \(duplication class\)")


# --- the engine's results as JSON, prose and links ---------------------------------------------


def guide_url(finding: Finding) -> str:
    """The public guide page of an interaction finding; "" for a duplication (no page)."""
    return guide_path(*finding.slugs) if finding.kind == "interaction" else ""


def rating_json(rating: SourceRating) -> dict[str, Any]:
    return {
        "name": rating.name,
        "key": rating.key,
        "version": rating.version,
        "licence": rating.licence,
        "severity": rating.severity.value,
        "review_status": rating.review_status,
        "language": rating.language,
        "via": rating.via,
        "mechanism": rating.mechanism,
        "management": rating.management,
        "overridden_by": rating.overridden_by or None,
        "original": {
            "language": rating.original_language,
            "mechanism": rating.original_mechanism,
            "management": rating.original_management,
            "note": rating.translation_note,
        }
        if rating.original_language
        else None,
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    """A finding on its own, as a guide page or a check of just its two ingredients shows it.
    `result_json` adds what depends on the check: how the inputs were read and which inputs
    each side came from."""
    return {
        "kind": finding.kind,
        "drugs": list(finding.drugs),
        "severity": finding.severity.value,
        "action": finding.severity.action,
        "summary": finding.summary,
        "mechanism": finding.mechanism,
        "management": finding.management,
        "patient_text": finding.patient_text,
        "explanation": finding.explanation,
        "sources": [rating_json(s) for s in finding.sources],
        "sources_disagree": finding.sources_disagree,
        "guide_url": guide_url(finding),
        "language": finding.language,
        "evidence": finding.evidence,
        "ingredient_ids": list(finding.ingredient_ids),
    }


def drug_json(drug: DrugResult) -> dict[str, Any]:
    r = drug.resolution
    return {
        "input": drug.input,
        "resolved": r.resolved,
        "ingredients": list(drug.ingredients),
        "matched_by": r.matched_by or None,
        "matched_name": r.matched_name or None,
        "suggestions": list(r.suggestions),
        "note": r.note or None,
    }


def result_json(result: CheckResult) -> dict[str, Any]:
    """The whole check in the shape the JSON API promises (medref.api.v1.CheckOut)."""
    notes = input_notes(result.drugs)
    return {
        "drugs": [drug_json(d) for d in result.drugs],
        "findings": [
            {
                **finding_json(f),
                "explanation": explanation(result, f, notes),
                "inputs": [list(side) for side in result.positions(f)],
            }
            for f in result.findings
        ],
        "sources_checked": [
            {"name": s.name, "key": s.key, "version": s.version, "licence": s.licence}
            for s in result.sources_checked
        ],
        "message": message(result),
        "knowledge_base_version": result.knowledge_base_version,
    }


def message(result: CheckResult) -> str:
    """What to say besides the findings: which sources were checked when nothing was found,
    and which names could not be checked."""
    checked = ", ".join(f"{s.name} ({s.version})" for s in result.sources_checked)
    unresolved = [d.input for d in result.drugs if not d.resolution.resolved]
    parts = []
    if not result.findings:
        parts.append(
            f"No interaction recorded in: {checked}. This does not mean the combination is safe."
        )
    if unresolved:
        parts.append(
            "Not checked, because the name was not recognised: " + ", ".join(unresolved) + "."
        )
    return " ".join(parts)


def input_notes(drugs: Sequence[DrugResult]) -> dict[str, str]:
    """Ingredient name -> how the inputs named it ("Zocor \u2192 simvastatin (brand)"), sorted
    so input order never shows. Names typed as the ingredient itself need no note."""
    mappings: dict[str, set[str]] = {}
    for drug in drugs:
        if drug.resolution.matched_by in ("", "inn"):
            continue
        for name in drug.ingredients:
            mappings.setdefault(name, set()).add(
                f"{drug.input.strip()} \u2192 {name} ({drug.resolution.matched_by})"
            )
    return {name: "; ".join(sorted(m)) for name, m in mappings.items()}


def explanation(
    result: CheckResult, finding: Finding, notes: Mapping[str, str] | None = None
) -> str:
    """Why a finding matched, with how the inputs were read (e.g. "Zocor \u2192 simvastatin"):
    before the rule for an interaction, after the count for an ingredient listed twice. Pass
    `notes` (from `input_notes`) when explaining many findings of one check."""
    notes = notes if notes is not None else input_notes(result.drugs)
    if finding.kind == "duplication":
        name = finding.drugs[0]
        if finding.drugs[1] == name and name in notes:
            return f"{finding.explanation}; {notes[name]}"
        return finding.explanation
    named = [notes[d] for d in dict.fromkeys(finding.drugs) if d in notes]
    return "; ".join([*named, finding.explanation])


# --- the check page ---------------------------------------------------------------------------


def parse_drug_list(raw: str) -> list[str]:
    """The names typed, split on commas, semicolons and new lines, blanks dropped."""
    return [part.strip() for part in _SPLIT.split(raw) if part.strip()]


def wording_mode(raw: str | None) -> str:
    return PATIENT if raw == PATIENT else PROFESSIONAL


def input_errors(drugs: Sequence[str]) -> list[str]:
    errors = []
    if len(drugs) > MAX_DRUGS:
        errors.append(f"Enter at most {MAX_DRUGS} medicines at once.")
    if any(len(d) > MAX_NAME_LENGTH for d in drugs):
        errors.append(f"Each medicine name can be at most {MAX_NAME_LENGTH} characters.")
    return errors


def shown_severities(values: Iterable[str]) -> frozenset[Severity]:
    """The severities the reader chose to see; none chosen (or none valid) means all of them."""
    chosen = frozenset(s for s in Severity if s.value in set(values))
    return chosen or frozenset(Severity)


def check_query(drugs: Sequence[str], view: str, shown: Iterable[Severity] = ()) -> str:
    """The query string of a check page (or report) for these names in this wording; `shown`
    adds the severity filter unless it shows everything anyway."""
    chosen = set(shown)
    params: list[tuple[str, str]] = [("drugs", ", ".join(drugs)), ("view", view)]
    if chosen != set(Severity):
        params += [("severity", s.value) for s in Severity if s in chosen]
    return urlencode(params)


def fold_duplications(findings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One finding per pair: a duplication of a pair that also interacts becomes a note on the
    interaction finding instead of a second entry.

    The engine words the two independently (an interaction may say the drugs act "by separate
    routes" while the duplication says they "act in the same way"), so the note says only what
    the duplication rule knows for sure: both are in one treatment group, and one is usually
    enough."""
    interactions = {tuple(f["drugs"]) for f in findings if f["kind"] == "interaction"}
    duplicates: dict[tuple[str, ...], Mapping[str, Any]] = {}
    for f in findings:
        if f["kind"] == "duplication" and tuple(f["drugs"]) in interactions:
            duplicates.setdefault(tuple(f["drugs"]), f)
    out = []
    for f in findings:
        pair = tuple(f["drugs"])
        if f["kind"] == "duplication" and pair in interactions:
            continue
        item = dict(f)
        if f["kind"] == "interaction" and pair in duplicates:
            item = _with_duplication(item, duplicates[pair])
        out.append(item)
    # Folding can raise a pair's severity; keep the most severe first (a stable sort keeps the
    # engine's order within a severity).
    out.sort(key=lambda f: -Severity(f["severity"]).rank)
    return out


def _in_sentence(name: str) -> str:
    # "Multiple sclerosis disease-modifying therapies" reads mid-sentence in lower case, while an
    # initialism such as "SSRIs" or "MS ..." keeps its capitals.
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _with_duplication(finding: dict[str, Any], dup: Mapping[str, Any]) -> dict[str, Any]:
    match = _DUP_CLASSES.search(dup.get("explanation", ""))
    group = _in_sentence(match.group("classes")) if match else "in the same treatment group"
    first = str(finding["drugs"][0]).capitalize()
    second = finding["drugs"][1]
    severity = max(Severity(finding["severity"]), Severity(dup["severity"]), key=lambda s: s.rank)
    finding.update(
        severity=severity.value,
        action=severity.action,
        sources=[*finding["sources"], *dup["sources"]],
        explanation=f"{finding['explanation']}; {dup['explanation']}",
        duplication={
            "group": group,
            "text": f"{first} and {second} are also both {group}: usually one medicine of this kind is enough, so check that both are intended.",
            "patient_text": "They are also used for the same kind of treatment, so ask your prescriber or pharmacist whether you need both.",
        },
    )
    return finding


@dataclass
class Group:
    severity: Severity
    findings: list[dict[str, Any]]
    shown: bool

    @property
    def id(self) -> str:
        return f"sev-{self.severity.value}"

    @property
    def label(self) -> str:
        return self.severity.label

    @property
    def action(self) -> str:
        return self.severity.action

    @property
    def count(self) -> int:
        return len(self.findings)


@dataclass
class Presentation:
    """Everything the check page and the report show for one check."""

    drugs: list[dict[str, Any]]
    groups: list[Group]
    sources_checked: list[dict[str, Any]]
    view: str
    message: str = ""
    prompt: str = ""
    summary: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def shown_groups(self) -> list[Group]:
        return [g for g in self.groups if g.shown]

    @property
    def hidden_count(self) -> int:
        return sum(g.count for g in self.groups if not g.shown)

    @property
    def filtered(self) -> bool:
        return any(not g.shown for g in self.groups)


def present(
    result: Mapping[str, Any],
    *,
    drugs: Sequence[str],
    view: str,
    shown: frozenset[Severity] = frozenset(Severity),
    page: str = "/check/",
) -> Presentation:
    findings = fold_duplications(result["findings"])
    for f in findings:
        f["advice"] = advice(f, view)
        a, b = f["drugs"]
        f["title"] = f"{str(a).capitalize()} and {b}" if a != b else str(a).capitalize()
    groups = []
    for severity in Severity:
        items = [f for f in findings if f["severity"] == severity.value]
        if items:
            groups.append(Group(severity, items, severity in shown))
    summary = [
        {
            "severity": g.severity.value,
            "label": g.label,
            "count": g.count,
            # A group the filter hides has no anchor on the page: link to the page showing it.
            "url": f"#{g.id}"
            if g.shown
            else f"{page}?{check_query(drugs, view, {*shown, g.severity})}#{g.id}",
        }
        for g in groups
    ]
    resolved = [d for d in result["drugs"] if d["resolved"]]
    pairs_possible = len(resolved) >= 2 or any(len(d["ingredients"]) >= 2 for d in resolved)
    prompt = "" if findings or pairs_possible else ADD_ANOTHER
    return Presentation(
        drugs=[_drug(d, drugs, view, page) for d in result["drugs"]],
        groups=groups,
        sources_checked=list(result["sources_checked"]),
        view=view,
        # With fewer than two medicines, "no interaction recorded" would be true but useless.
        message="" if prompt else result.get("message", ""),
        prompt=prompt,
        summary=summary,
    )


def advice(finding: Mapping[str, Any], view: str) -> str:
    """What to do, in the reader's wording; a folded duplication adds its note."""
    dup = finding.get("duplication")
    if view == PATIENT and finding.get("patient_text"):
        parts = [finding["patient_text"], dup["patient_text"] if dup else ""]
    elif finding.get("management"):
        parts = [finding["management"], dup["text"] if dup else ""]
    else:
        parts = [_rating_only(Severity(finding["severity"]), view), dup["text"] if dup else ""]
    return " ".join(p for p in parts if p)


def _rating_only(severity: Severity, view: str) -> str:
    """Advice for a pair its sources rate without explaining (most DDInter pairs): say once, in
    plain words, what is known and what is not, never "a severity only" after "unknown"."""
    if severity is Severity.UNKNOWN:
        if view == PATIENT:
            return "A source lists these medicines as interacting but does not say how much it matters or what to do: ask your pharmacist."
        return "A source lists this pair without a severity or an explanation: judge the risk from the pharmacology and the patient's circumstances."
    if view == PATIENT:
        return f"A source rates this combination {severity.label.lower()} but does not explain it: ask your pharmacist before taking them together."
    return f"Rated {severity.label.lower()} ({severity.action}) with no mechanism or advice from the source."


def _drug(d: Mapping[str, Any], drugs: Sequence[str], view: str, page: str) -> dict[str, Any]:
    links = []
    for suggestion in d["suggestions"]:
        # A suggestion may read "Tylenol (paracetamol)": use the name before the bracket.
        name = suggestion.split(" (")[0]
        swapped = [name if typed == d["input"] else typed for typed in drugs]
        links.append({"name": suggestion, "url": f"{page}?{check_query(swapped, view)}"})
    return {**d, "suggestion_links": links}


REPORT_DISCLAIMER = (
    "This report lists the interactions medref found, on the date shown, in the sources named "
    "above. It is general information, not medical advice, and finding no interaction does not "
    "prove that medicines are safe together. Show it to your pharmacist or doctor, and do not "
    "start, stop or change a medicine because of it without talking to them first."
)
QUESTIONS_HEADING = "Questions for my pharmacist"


@dataclass
class Report:
    """A printable record of one check: what was typed, what medref understood, what it found."""

    date: date
    typed: list[str]
    show: Presentation
    site: str  # e.g. "https://medref.example.org", so printed links still lead somewhere
    knowledge_base_version: int
    disclaimer: str = REPORT_DISCLAIMER
    questions_heading: str = QUESTIONS_HEADING

    @property
    def date_text(self) -> str:
        return f"{self.date.day} {self.date:%B %Y}"

    @property
    def wording(self) -> str:
        return "for patients" if self.show.view == PATIENT else "for healthcare professionals"

    @property
    def filename(self) -> str:
        return f"medref-interaction-report-{self.date.isoformat()}.pdf"

    @property
    def medicines(self) -> list[dict[str, str]]:
        """Each name as typed beside what medref understood it to be."""
        rows = []
        for d in self.show.drugs:
            if d["resolved"]:
                how = "" if d["matched_by"] in (None, "inn") else f" ({d['matched_by']})"
                understood = " + ".join(d["ingredients"]) + how
            else:
                understood = "Not recognised, so not checked"
                if d["suggestions"]:
                    understood += ". Did you mean " + ", ".join(d["suggestions"]) + "?"
            rows.append({"typed": d["input"], "understood": understood})
        return rows
