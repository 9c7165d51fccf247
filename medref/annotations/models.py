"""Private notes a user keeps on a topic page. Tied to the topic's stable uid, never its slug,
and topics are retired rather than deleted, so notes outlive renames and retirements."""

from __future__ import annotations

from django.conf import settings
from django.db import models

MAX_LENGTH = 2000


class AnnotationQuerySet(models.QuerySet):
    def visible_to(self, user) -> AnnotationQuerySet:
        """Only the user's own notes: anyone else's id behaves as if it did not exist."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class Annotation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="annotations"
    )
    topic = models.ForeignKey(
        "reference.Topic", to_field="uid", on_delete=models.PROTECT, related_name="annotations"
    )
    text = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "topic"])]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.topic_id}"
