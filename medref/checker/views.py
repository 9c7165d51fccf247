"""The /check/ page: a plain GET form (works without JavaScript, shareable as
/check/?drugs=a,b,c), results grouped by severity, patient or professional wording."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from medref.api.v1 import MAX_DRUGS, MAX_NAME_LENGTH
from medref.checker.repository import get_checker
from medref.knowledge.severity import Severity

_SPLIT = re.compile(r"[,\n;]+")


def parse_drug_list(raw: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(raw) if part.strip()]


def check_page(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("drugs", "")
    view = "patient" if request.GET.get("view") == "patient" else "professional"
    drugs = parse_drug_list(raw)
    context: dict = {"raw": ", ".join(drugs) if drugs else raw, "view": view, "errors": []}
    if len(drugs) > MAX_DRUGS:
        context["errors"].append(f"Enter at most {MAX_DRUGS} medicines at once.")
    if any(len(d) > MAX_NAME_LENGTH for d in drugs):
        context["errors"].append(f"Each medicine name can be at most {MAX_NAME_LENGTH} characters.")
    if drugs and not context["errors"]:
        result = get_checker().check(drugs)
        data = result.as_dict()
        groups = []
        for severity in Severity:
            items = [f for f in data["findings"] if f["severity"] == severity.value]
            if items:
                groups.append(
                    {
                        "severity": severity.value,
                        "label": severity.label,
                        "action": severity.action,
                        "findings": items,
                    }
                )
        for d in data["drugs"]:
            d["suggestion_links"] = [
                {
                    "name": s,
                    "url": "?"
                    + urlencode({"drugs": ", ".join(_swap(drugs, d["input"], s)), "view": view}),
                }
                for s in d["suggestions"]
            ]
        context.update(result=data, groups=groups, count=len(data["findings"]))
    base = {"drugs": ", ".join(drugs)} if drugs else {}
    context["share_url"] = "/check/?" + urlencode({"drugs": ",".join(drugs)}) if drugs else ""
    context["patient_url"] = "?" + urlencode({**base, "view": "patient"})
    context["pro_url"] = "?" + urlencode({**base, "view": "professional"})
    status = 400 if context["errors"] else 200
    return render(request, "medref/check.html", context, status=status)


def _swap(drugs: list[str], old: str, new: str) -> list[str]:
    # A suggestion may read "Tylenol (paracetamol)": use the name before the bracket.
    name = new.split(" (")[0]
    return [name if d == old else d for d in drugs]
