"""The professional reference's pages: the HCP notice, metered topic pages with the reader's
private notes, the topic index, editorial pages. They sit here, above accounts, annotations and
the editorial workflow that they use, rather than in the reference app below those. Topic pages
are never cached: they carry the reader's meter and private notes."""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from medref.accounts.metering import (
    HCP_COOKIE,
    hcp_confirmed,
    meter_topic,
    readable_topics,
    set_visitor_cookie,
)
from medref.annotations.models import MAX_LENGTH, Annotation
from medref.editorial.models import Revision
from medref.reference.citations import reference_links, render_topic_body
from medref.reference.excerpt import first_paragraph
from medref.reference.markdown import render_markdown
from medref.reference.models import Page, Topic


def editorial_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(Page, slug=slug)
    return render(
        request, "medref/page.html", {"page": page, "body_html": render_markdown(page.body)}
    )


def _notice(request: HttpRequest) -> HttpResponse:
    return render(request, "medref/hcp_notice.html", {"next": request.get_full_path()})


@never_cache
def topic_index(request: HttpRequest) -> HttpResponse:
    if not hcp_confirmed(request):
        return _notice(request)
    topics = Topic.objects.published().order_by("title")
    by_specialty: dict[str, list[Topic]] = defaultdict(list)
    for topic in topics:
        by_specialty[topic.specialty or "General"].append(topic)
    return render(
        request,
        "medref/topic_index.html",
        {"topics": topics, "by_specialty": sorted(by_specialty.items())},
    )


@never_cache
def topic_page(request: HttpRequest, slug: str) -> HttpResponse:
    # Drafts and topics in review are not public; retired topics stay readable, marked as such.
    topic = get_object_or_404(
        Topic, slug=slug, status__in=[Topic.Status.PUBLISHED, Topic.Status.RETIRED]
    )
    if not hcp_confirmed(request):
        return _notice(request)
    meter = meter_topic(request, topic)
    if not meter.allowed:
        # Title and first paragraph only: the rest of the text is not in the HTML at all.
        response = render(
            request,
            "medref/topic_locked.html",
            {"topic": topic, "first_paragraph": first_paragraph(topic.body), "meter": meter},
        )
        set_visitor_cookie(response, meter)
        return response
    references = [
        {**ref, "number": n, "links": reference_links(ref)}
        for n, ref in enumerate(topic.references, start=1)
    ]
    response = render(
        request,
        "medref/topic.html",
        {
            "topic": topic,
            "body_html": render_topic_body(topic.body, len(references)),
            "references": references,
            "drugs": topic.drugs.order_by("name"),
            "related": topic.related.filter(status=Topic.Status.PUBLISHED).order_by("title"),
            "retired": topic.status == Topic.Status.RETIRED,
            "meter": meter,
            "notes": Annotation.objects.visible_to(request.user).filter(topic=topic),
            "note_max": MAX_LENGTH,
            "changes": Revision.objects.for_document(topic)
            .published()
            .order_by("-published_at")[:10],
        },
    )
    set_visitor_cookie(response, meter)
    return response


@require_POST
def confirm_hcp(request: HttpRequest) -> HttpResponse:
    """Remember that this browser's user confirmed the professional notice."""
    target = request.POST.get("next") or "/topics/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/topics/"
    response = redirect(target)
    response.set_cookie(
        HCP_COOKIE,
        "1",
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response


def topic_by_uid(request: HttpRequest, uid) -> HttpResponse:
    """A stable address that survives renames of the slug."""
    topic = get_object_or_404(Topic, uid=uid)
    return redirect("topic", slug=topic.slug)


def open_topics(request: HttpRequest) -> set[uuid.UUID] | None:
    """Topics whose full text search may quote to this reader (None: all). Search is metered
    like topic pages: a snippet must not reveal what the locked page would hide."""
    return readable_topics(request)
