"""Professional reference views: topic pages, the topic index, editorial pages."""

from __future__ import annotations

from collections import defaultdict

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from medref.reference.citations import reference_links, render_topic_body
from medref.reference.markdown import render_markdown
from medref.reference.models import Page, Topic


def editorial_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(Page, slug=slug)
    return render(
        request, "medref/page.html", {"page": page, "body_html": render_markdown(page.body)}
    )


def topic_index(request: HttpRequest) -> HttpResponse:
    topics = Topic.objects.published().order_by("title")
    by_specialty: dict[str, list[Topic]] = defaultdict(list)
    for topic in topics:
        by_specialty[topic.specialty or "General"].append(topic)
    return render(
        request,
        "medref/topic_index.html",
        {
            "topics": topics,
            "by_specialty": sorted(by_specialty.items()),
        },
    )


def topic_page(request: HttpRequest, slug: str) -> HttpResponse:
    # Drafts and topics in review are not public; retired topics stay readable, marked as such.
    topic = get_object_or_404(
        Topic, slug=slug, status__in=[Topic.Status.PUBLISHED, Topic.Status.RETIRED]
    )
    references = [
        {**ref, "number": n, "links": reference_links(ref)}
        for n, ref in enumerate(topic.references, start=1)
    ]
    return render(
        request,
        "medref/topic.html",
        {
            "topic": topic,
            "body_html": render_topic_body(topic.body, len(references)),
            "references": references,
            "drugs": topic.drugs.order_by("name"),
            "related": topic.related.filter(status=Topic.Status.PUBLISHED).order_by("title"),
            "retired": topic.status == Topic.Status.RETIRED,
        },
    )


def topic_by_uid(request: HttpRequest, uid) -> HttpResponse:
    """A stable address that survives renames of the slug."""
    topic = get_object_or_404(Topic, uid=uid)
    return redirect("topic", slug=topic.slug)
