"""Editorial pages for staff: dashboard, editing, review, publication, history and diffs."""

from __future__ import annotations

import difflib
import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from medref.editorial import actions
from medref.editorial.actions import (
    AUTHORS,
    EDITORS,
    INTERACTION_TEXT,
    REVIEWERS,
    BadTransition,
    NotAllowed,
    has_role,
)
from medref.editorial.forms import posted_rows, reference_rows
from medref.editorial.models import AuditEvent, Revision, State
from medref.knowledge.models import Interaction
from medref.reference.citations import render_topic_body
from medref.reference.models import Topic

ROLES = (AUTHORS, REVIEWERS, EDITORS)


def staff_only(view):
    """Signed in, and an author, reviewer or editor (or a superuser); anyone else gets 404 for
    pages and 403 for actions, so the area does not advertise itself."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not any(has_role(request.user, role) for role in ROLES):
            raise PermissionDenied("The editorial area is for the editorial team.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _curated():
    return Interaction.objects.filter(source__key="medref-curated").select_related(
        "a_ingredient", "b_ingredient", "a_class", "b_class"
    )


def _label(interaction: Interaction) -> str:
    sides = [
        interaction.a_ingredient or interaction.a_class,
        interaction.b_ingredient or interaction.b_class,
    ]
    return " + ".join(str(s) for s in sides)


@staff_only
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.now().date()
    interval = timedelta(days=settings.MEDREF_REVIEW_INTERVAL_DAYS)
    due: list[dict] = []
    for topic in Topic.objects.published().exclude(last_reviewed__isnull=True):
        due.append(
            {
                "title": topic.title,
                "url": f"/editorial/topics/{topic.slug}/",
                "next": topic.last_reviewed + interval,
            }
        )
    for row in _curated().filter(status="published").exclude(reviewed_at__isnull=True):
        due.append(
            {
                "title": _label(row),
                "url": f"/editorial/interactions/{row.pk}/",
                "next": row.reviewed_at + interval,
            }
        )
    overdue = sorted((d for d in due if d["next"] < today), key=lambda d: d["next"])
    soon = sorted(
        (d for d in due if today <= d["next"] <= today + timedelta(days=90)),
        key=lambda d: d["next"],
    )
    waiting = Revision.objects.filter(state=State.IN_REVIEW).select_related(
        "topic", "interaction", "author"
    )
    approved = Revision.objects.filter(state=State.APPROVED).select_related("topic", "interaction")
    never_topics = Topic.objects.published().filter(last_reviewed__isnull=True).order_by("title")
    never_monographs = _curated().filter(status="published", review_status="unreviewed")
    return render(
        request,
        "editorial/dashboard.html",
        {
            "overdue": overdue,
            "soon": soon,
            "waiting": waiting,
            "approved": approved,
            "never_topics": never_topics,
            "never_topics_count": never_topics.count(),
            "never_monographs": [{"label": _label(r), "id": r.pk} for r in never_monographs[:50]],
            "never_monographs_count": never_monographs.count(),
            "roles": [r for r in ROLES if has_role(request.user, r)],
        },
    )


TOPIC_LINES = ("title", "specialty", "authors", "body")


def _topic_changes(post, rows) -> dict:
    changes = {k: post[k] for k in TOPIC_LINES if k in post}
    if rows is not None:
        changes["references"] = rows.references()
    return changes


@staff_only
def edit_topic(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    values = {k: getattr(topic, k) for k in TOPIC_LINES}
    rows = reference_rows(references=topic.references)
    if request.method == "POST":
        posted = posted_rows(request.POST)
        try:
            if posted is not None and not posted.is_valid():
                raise BadTransition("Some references need correcting: see the rows marked below.")
            revision = actions.start_revision(
                document=topic,
                changes=_topic_changes(request.POST, posted),
                change_note=request.POST.get("change_note", ""),
                by=request.user,
            )
        except (NotAllowed, BadTransition) as exc:
            messages.error(request, str(exc))
            # Show what the editor typed, not the stored text, so nothing they wrote is lost.
            values.update({k: request.POST[k] for k in TOPIC_LINES if k in request.POST})
            rows = posted if posted is not None else rows
        else:
            messages.success(
                request,
                f"Draft revision {revision.number} saved. The public page is unchanged until it is published.",
            )
            return redirect("editorial-revision", pk=revision.pk)
    return render(
        request,
        "editorial/edit_topic.html",
        {
            "topic": topic,
            "values": values,
            "change_note": request.POST.get("change_note", "") if request.method == "POST" else "",
            "reference_rows": rows,
            "revisions": Revision.objects.for_document(topic).order_by("-number"),
        },
    )


@staff_only
def edit_interaction(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(_curated(), pk=pk)
    if request.method == "POST":
        changes = {
            k: request.POST[k]
            for k in (*INTERACTION_TEXT, "severity", "evidence", "onset")
            if k in request.POST
        }
        try:
            revision = actions.start_revision(
                document=row,
                changes=changes,
                change_note=request.POST.get("change_note", ""),
                by=request.user,
            )
        except (NotAllowed, BadTransition) as exc:
            messages.error(request, str(exc))
        else:
            return redirect("editorial-revision", pk=revision.pk)
    return render(
        request,
        "editorial/edit_interaction.html",
        {
            "row": row,
            "label": _label(row),
            "text_fields": INTERACTION_TEXT,
            "revisions": Revision.objects.for_document(row).order_by("-number"),
        },
    )


def _published_fields(revision: Revision) -> dict:
    current = (
        Revision.objects.for_document(revision.document)
        .filter(state=State.PUBLISHED)
        .exclude(pk=revision.pk)
        .first()
    )
    return current.fields if current else actions.editable_fields(revision.document)


def _diff(old: dict, new: dict) -> list[dict]:
    out = []
    for name in new:
        a, b = _text(old.get(name)), _text(new.get(name))
        if a != b:
            lines = difflib.unified_diff(
                a.splitlines(), b.splitlines(), "before", "after", lineterm="", n=2
            )
            out.append({"field": name, "lines": list(lines)[2:]})
    return out


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)


@staff_only
def revision_page(request: HttpRequest, pk: int) -> HttpResponse:
    revision = get_object_or_404(
        Revision.objects.select_related("topic", "interaction", "author", "reviewed_by"), pk=pk
    )
    preview = None
    if revision.topic_id:
        refs = revision.fields.get("references") or []
        preview = render_topic_body(revision.fields.get("body", ""), len(refs))
    user = request.user
    return render(
        request,
        "editorial/revision.html",
        {
            "revision": revision,
            "document": revision.document,
            "preview": preview,
            "diff": _diff(_published_fields(revision), revision.fields),
            "can_submit": revision.state == State.DRAFT and has_role(user, AUTHORS),
            "can_review": revision.state == State.IN_REVIEW
            and has_role(user, REVIEWERS)
            and revision.author_id != user.pk,
            "can_publish": revision.state == State.APPROVED and has_role(user, EDITORS),
            "can_withdraw": revision.state in (State.DRAFT, State.IN_REVIEW, State.APPROVED)
            and (has_role(user, EDITORS) or revision.author_id == user.pk),
            "others": Revision.objects.for_document(revision.document)
            .exclude(pk=revision.pk)
            .order_by("-number"),
            "events": revision.events.order_by("at"),
        },
    )


@staff_only
@require_POST
def revision_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    revision = get_object_or_404(Revision, pk=pk)
    by = request.user
    try:
        if action == "submit":
            actions.submit_for_review(revision=revision, by=by)
        elif action == "approve":
            actions.approve(
                revision=revision,
                review_note=request.POST.get("review_note", ""),
                reviewer_team=request.POST.get("reviewer_team", ""),
                by=by,
            )
        elif action == "send-back":
            actions.send_back(
                revision=revision, review_note=request.POST.get("review_note", ""), by=by
            )
        elif action == "publish":
            actions.publish(revision=revision, by=by)
        elif action == "withdraw":
            actions.withdraw(revision=revision, by=by)
        else:
            raise Http404("no such action")
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except BadTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Revision {revision.number}: {revision.get_state_display().lower()}."
        )
    return redirect("editorial-revision", pk=revision.pk)


@staff_only
def diff_page(request: HttpRequest, a: int, b: int) -> HttpResponse:
    old, new = get_object_or_404(Revision, pk=a), get_object_or_404(Revision, pk=b)
    if old.document != new.document:
        raise Http404("those revisions belong to different pages")
    return render(
        request,
        "editorial/diff.html",
        {"old": old, "new": new, "diff": _diff(old.fields, new.fields)},
    )


@staff_only
@require_POST
def retire_topic(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    try:
        actions.retire(document=topic, note=request.POST.get("note", ""), by=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    return redirect("editorial-topic", slug=slug)


@staff_only
def audit_log(request: HttpRequest) -> HttpResponse:
    return render(request, "editorial/audit.html", {"events": AuditEvent.objects.all()[:300]})
