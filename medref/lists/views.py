"""Saved-list pages: "My lists", one list (edit, re-check, what changed), and exports."""

from __future__ import annotations

import csv
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from medref.checker.repository import get_checker
from medref.lists import actions
from medref.lists.changes import PairFinding, compare
from medref.lists.models import MAX_MEDICINES, MAX_NAME, MedicationList


def _own_list(request: HttpRequest, pk: int) -> MedicationList:
    return get_object_or_404(MedicationList.objects.visible_to(request.user), pk=pk)


def _page(medication_list: MedicationList) -> str:
    return f"/lists/{medication_list.pk}/"


def check_url(medicines: list[str], view: str = "") -> str:
    query = {"drugs": ", ".join(medicines)}
    if view == "patient":
        query["view"] = "patient"
    return "/check/?" + urlencode(query)


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    lists = MedicationList.objects.visible_to(request.user).prefetch_related("checks")
    return render(
        request,
        "lists/mine.html",
        {"lists": lists, "max_name": MAX_NAME, "max_medicines": MAX_MEDICINES},
    )


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    """From "My lists" or from the check page's "Save this list" button."""
    try:
        medication_list = actions.create_list(
            name=request.POST.get("name", ""),
            medicines=actions.split_medicines(request.POST.get("medicines", "")),
            by=request.user,
        )
    except ValidationError as exc:
        _error(request, exc)
        return redirect("/lists/")
    messages.success(request, f"Saved \u201c{medication_list.name}\u201d.")
    return redirect(_page(medication_list))


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    medication_list = _own_list(request, pk)
    last = medication_list.last_check()
    context = {
        "list": medication_list,
        "medicines": list(enumerate(medication_list.medicines)),
        "medicines_text": "\n".join(medication_list.medicines),
        "last": last,
        "check_url": check_url(medication_list.medicines),
        "max_name": MAX_NAME,
    }
    if last is not None:
        # The same medicines as last time, checked against today's knowledge base: any
        # difference is the knowledge base's doing, not an edit of the list.
        now = get_checker().check(last.medicines) if last.medicines else None
        current = actions.pair_findings(now) if now else []
        context.update(
            changes=compare((PairFinding.from_dict(f) for f in last.findings), current),
            current_version=now.knowledge_base_version if now else last.knowledge_base_version,
            edited_since=last.medicines != medication_list.medicines,
        )
    return render(request, "lists/detail.html", context)


@login_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    medication_list = _own_list(request, pk)
    try:
        actions.edit_list(
            medication_list=medication_list,
            by=request.user,
            name=request.POST.get("name", ""),
            medicines=actions.split_medicines(request.POST.get("medicines", "")),
        )
    except ValidationError as exc:
        _error(request, exc)
    return redirect(_page(medication_list))


@login_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    medication_list = _own_list(request, pk)
    try:
        actions.add_medicine(
            medication_list=medication_list,
            medicine=request.POST.get("medicine", ""),
            by=request.user,
        )
    except ValidationError as exc:
        _error(request, exc)
    return redirect(_page(medication_list))


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    medication_list = _own_list(request, pk)
    try:
        position = int(request.POST.get("position", ""))
        actions.remove_medicine(medication_list=medication_list, position=position, by=request.user)
    except ValueError:
        messages.error(request, "That medicine is no longer on the list.")
    except ValidationError as exc:
        _error(request, exc)
    return redirect(_page(medication_list))


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    medication_list = _own_list(request, pk)
    name = medication_list.name
    actions.delete_list(medication_list=medication_list, by=request.user)
    messages.success(request, f"Deleted \u201c{name}\u201d.")
    return redirect("/lists/")


@login_required
@require_POST
def recheck(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the list now, remember what was found, and show the results on the check page."""
    medication_list = _own_list(request, pk)
    if not medication_list.medicines:
        messages.error(request, "Add at least two medicines, foods or drinks to check the list.")
        return redirect(_page(medication_list))
    result = get_checker().check(medication_list.medicines)
    actions.record_check(medication_list=medication_list, result=result, by=request.user)
    return redirect(check_url(medication_list.medicines, request.POST.get("view", "")))


def export_rows(user, pk: int | None = None) -> list[dict]:
    lists = MedicationList.objects.visible_to(user).prefetch_related("checks")
    if pk is not None:
        lists = lists.filter(pk=pk)
    rows = []
    for m in lists:
        last = m.last_check()
        rows.append(
            {
                "id": m.pk,
                "name": m.name,
                "medicines": list(m.medicines),
                "check_url": check_url(m.medicines),
                "created_at": m.created_at.isoformat(),
                "updated_at": m.updated_at.isoformat(),
                "last_check": None
                if last is None
                else {
                    "checked_at": last.checked_at.isoformat(),
                    "knowledge_base_version": last.knowledge_base_version,
                    "medicines": list(last.medicines),
                    "findings": list(last.findings),
                },
            }
        )
    return rows


def _download(response: HttpResponse, pk: int | None, ext: str) -> HttpResponse:
    name = f"medref-list-{pk}" if pk is not None else "medref-lists"
    response["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


@login_required
def export_json(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        _own_list(request, pk)
    body = json.dumps({"lists": export_rows(request.user, pk)}, indent=2, ensure_ascii=False)
    return _download(HttpResponse(body, content_type="application/json"), pk, "json")


CSV_FIELDS = [
    "list_id",
    "list_name",
    "position",
    "medicine",
    "list_updated_at",
    "last_checked_at",
    "knowledge_base_version",
]


@login_required
def export_csv(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """One row per medicine: the shape a spreadsheet or another system imports most easily."""
    if pk is not None:
        _own_list(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.DictWriter(response, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for row in export_rows(request.user, pk):
        last = row["last_check"] or {}
        for position, medicine in enumerate(row["medicines"], start=1):
            values = {
                "list_id": row["id"],
                "list_name": row["name"],
                "position": position,
                "medicine": medicine,
                "list_updated_at": row["updated_at"],
                "last_checked_at": last.get("checked_at", ""),
                "knowledge_base_version": last.get("knowledge_base_version", ""),
            }
            # A leading =, +, - or @ would run as a formula in a spreadsheet: quote it as text.
            writer.writerow(
                {
                    k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v)
                    for k, v in values.items()
                }
            )
    return _download(response, pk, "csv")
