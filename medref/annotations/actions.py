"""Writing annotations: validation in one place for the pages and the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from medref.annotations.models import MAX_LENGTH, Annotation


def clean_text(text: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError("A note cannot be empty.")
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            f"A note can be at most {MAX_LENGTH} characters (this one has {len(text)})."
        )
    return text


@transaction.atomic
def add_annotation(*, topic, text: str, by) -> Annotation:
    return Annotation.objects.create(user=by, topic=topic, text=clean_text(text))


@transaction.atomic
def edit_annotation(*, annotation: Annotation, text: str, by) -> Annotation:
    if annotation.user_id != by.pk:  # callers look notes up with visible_to(); this is a backstop
        raise PermissionError("not your annotation")
    annotation.text = clean_text(text)
    annotation.save(update_fields=["text", "updated_at"])
    return annotation


@transaction.atomic
def delete_annotation(*, annotation: Annotation, by) -> None:
    if annotation.user_id != by.pk:
        raise PermissionError("not your annotation")
    annotation.delete()
