"""The /check/ page and its printable report.

/check/ is a plain GET form (works without JavaScript, shareable as /check/?drugs=a,b,c) with a
summary by severity, a severity filter and collapsible details, in patient or professional
wording. /check/report takes the same query and gives a print-ready page, or a PDF with
`format=pdf` (or /check/report.pdf). What both show comes from `medref.checker.present`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from medref.checker import present as p
from medref.checker.report_pdf import render_pdf
from medref.checker.repository import get_checker


def check_page(request: HttpRequest) -> HttpResponse:
    drugs = p.parse_drug_list(request.GET.get("drugs", ""))
    view = p.wording_mode(request.GET.get("view"))
    shown = p.shown_severities(request.GET.getlist("severity"))
    errors = p.input_errors(drugs)
    raw = ", ".join(drugs) if drugs else request.GET.get("drugs", "")
    context: dict = {"raw": raw, "view": view, "errors": errors}
    if drugs and not errors:
        result = p.result_json(get_checker().check(drugs))
        context["show"] = p.present(result, drugs=drugs, view=view, shown=shown)
    if drugs:
        # Share and report links leave the filter out on purpose: whoever opens or prints them
        # should see every finding. The wording toggle keeps it, since the reader set it here.
        query = p.check_query(drugs, view)
        context.update(
            share_url=f"/check/?{query}",
            report_url=f"/check/report?{query}",
            pdf_url=f"/check/report.pdf?{query}",
            patient_url="?" + p.check_query(drugs, p.PATIENT, shown),
            pro_url="?" + p.check_query(drugs, p.PROFESSIONAL, shown),
        )
    return render(request, "medref/check.html", context, status=400 if errors else 200)


def check_report(request: HttpRequest, pdf: bool = False) -> HttpResponse:
    drugs = p.parse_drug_list(request.GET.get("drugs", ""))
    view = p.wording_mode(request.GET.get("view"))
    errors = p.input_errors(drugs) or ([] if drugs else ["Enter the medicines to report on."])
    if errors:
        return render(request, "medref/check_report.html", {"errors": errors}, status=400)
    result = p.result_json(get_checker().check(drugs))
    report = p.Report(
        date=timezone.now().date(),
        typed=drugs,
        show=p.present(result, drugs=drugs, view=view),
        site=request.build_absolute_uri("/").rstrip("/"),
        knowledge_base_version=result["knowledge_base_version"],
    )
    if pdf or request.GET.get("format") == "pdf":
        response = HttpResponse(render_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{report.filename}"'
        return response
    query = p.check_query(drugs, view)
    context = {
        "report": report,
        "view": view,
        "check_url": f"/check/?{query}",
        "pdf_url": f"/check/report.pdf?{query}",
    }
    return render(request, "medref/check_report.html", context)
