"""/api/v1/annotations: the signed-in user's private notes. Session authentication (with CSRF
for writes); another user's note id answers 404, exactly as a missing one does."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from medref.annotations import actions
from medref.annotations.models import MAX_LENGTH, Annotation
from medref.reference.models import Topic

router = Router(tags=["annotations"], auth=django_auth)


class AnnotationIn(Schema):
    topic: str = Field(..., max_length=160, description="The topic's slug or its stable id (uid)")
    text: str = Field(..., max_length=MAX_LENGTH)


class AnnotationUpdate(Schema):
    text: str = Field(..., max_length=MAX_LENGTH)


class AnnotationOut(Schema):
    id: int
    topic_uid: uuid.UUID
    topic_slug: str
    topic_title: str
    topic_retired: bool
    text: str
    created_at: datetime
    updated_at: datetime


class Problem(Schema):
    detail: str


def _out(note: Annotation) -> dict:
    return {
        "id": note.pk,
        "topic_uid": note.topic.uid,
        "topic_slug": note.topic.slug,
        "topic_title": note.topic.title,
        "topic_retired": note.topic.status == Topic.Status.RETIRED,
        "text": note.text,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
    }


def _topic(ref: str) -> Topic:
    try:
        return get_object_or_404(Topic.objects.published(), uid=uuid.UUID(ref))
    except ValueError:
        return get_object_or_404(Topic.objects.published(), slug=ref)


def _mine(request: HttpRequest, annotation_id: int) -> Annotation:
    return get_object_or_404(
        Annotation.objects.visible_to(request.user).select_related("topic"), pk=annotation_id
    )


@router.get("/annotations", response=list[AnnotationOut], summary="List your annotations")
def list_annotations(request: HttpRequest, topic: str | None = None):
    notes = Annotation.objects.visible_to(request.user).select_related("topic")
    if topic:
        notes = notes.filter(topic=_topic(topic))
    return [_out(n) for n in notes]


@router.post(
    "/annotations",
    response={201: AnnotationOut, 404: Problem, 422: Problem},
    summary="Add an annotation",
)
def create_annotation(request: HttpRequest, payload: AnnotationIn):
    try:
        note = actions.add_annotation(
            topic=_topic(payload.topic), text=payload.text, by=request.user
        )
    except ValidationError as exc:
        return Status(422, {"detail": " ".join(exc.messages)})
    return Status(201, _out(note))


@router.get(
    "/annotations/{annotation_id}",
    response={200: AnnotationOut, 404: Problem},
    summary="One annotation",
)
def get_annotation(request: HttpRequest, annotation_id: int):
    return _out(_mine(request, annotation_id))


@router.put(
    "/annotations/{annotation_id}",
    response={200: AnnotationOut, 404: Problem, 422: Problem},
    summary="Edit an annotation",
)
def update_annotation(request: HttpRequest, annotation_id: int, payload: AnnotationUpdate):
    note = _mine(request, annotation_id)
    try:
        actions.edit_annotation(annotation=note, text=payload.text, by=request.user)
    except ValidationError as exc:
        return Status(422, {"detail": " ".join(exc.messages)})
    return _out(note)


@router.delete(
    "/annotations/{annotation_id}",
    response={204: None, 404: Problem},
    summary="Delete an annotation",
)
def delete_annotation(request: HttpRequest, annotation_id: int):
    actions.delete_annotation(annotation=_mine(request, annotation_id), by=request.user)
    return Status(204, None)
