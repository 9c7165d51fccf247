"""Annotation pages: add, edit and delete from the topic page; "My annotations" with exports."""

from __future__ import annotations

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from medref.annotations import actions
from medref.annotations.models import Annotation
from medref.reference.models import Topic


def _back(annotation_or_topic) -> str:
    topic = getattr(annotation_or_topic, "topic", annotation_or_topic)
    return f"/topics/{topic.slug}/#notes"


@login_required
@require_POST
def add(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.published(), slug=slug)
    try:
        actions.add_annotation(topic=topic, text=request.POST.get("text", ""), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back(topic))


@login_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Annotation.objects.visible_to(request.user), pk=pk)
    try:
        actions.edit_annotation(annotation=note, text=request.POST.get("text", ""), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back(note))


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Annotation.objects.visible_to(request.user), pk=pk)
    back = _back(note)
    actions.delete_annotation(annotation=note, by=request.user)
    return redirect(
        request.POST.get("next") if request.POST.get("next") == "/annotations/" else back
    )


def export_rows(user) -> list[dict]:
    notes = (
        Annotation.objects.visible_to(user)
        .select_related("topic")
        .order_by("topic__title", "created_at")
    )
    return [
        {
            "id": n.pk,
            "topic_uid": str(n.topic.uid),
            "topic_title": n.topic.title,
            "topic_url": f"/topics/{n.topic.slug}/",
            "topic_retired": n.topic.status == Topic.Status.RETIRED,
            "text": n.text,
            "created_at": n.created_at.isoformat(),
            "updated_at": n.updated_at.isoformat(),
        }
        for n in notes
    ]


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "medref/annotations.html", {"rows": export_rows(request.user)})


@login_required
def export_json(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"annotations": export_rows(request.user)}, indent=2, ensure_ascii=False),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="medref-annotations.json"'
    return response


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="medref-annotations.csv"'
    rows = export_rows(request.user)
    fields = [
        "id",
        "topic_uid",
        "topic_title",
        "topic_url",
        "topic_retired",
        "text",
        "created_at",
        "updated_at",
    ]
    writer = csv.DictWriter(response, fieldnames=fields)
    writer.writeheader()
    for row in rows:
        # A leading =, +, - or @ would run as a formula in a spreadsheet: quote it as text.
        writer.writerow(
            {k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in row.items()}
        )
    return response
