"""Revisions and the audit log.

A document (a topic, or a curated interaction monograph) is what the public reads: its fields
always hold the current *published* revision. Editing creates a new draft Revision holding the
proposed fields; the public page is unchanged until an editor publishes that revision, which
copies its fields onto the document. Every revision is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved by a clinical reviewer"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded by a later revision"
    WITHDRAWN = "withdrawn", "Withdrawn"
    RETIRED = "retired", "Retired"


class RevisionQuerySet(models.QuerySet):
    def for_document(self, document) -> RevisionQuerySet:
        field = "topic" if document._meta.model_name == "topic" else "interaction"
        return self.filter(**{field: document})

    def published(self) -> RevisionQuerySet:
        return self.filter(
            state__in=[State.PUBLISHED, State.SUPERSEDED, State.RETIRED], published_at__isnull=False
        )


class Revision(models.Model):
    topic = models.ForeignKey(
        "reference.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    interaction = models.ForeignKey(
        "knowledge.Interaction",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    fields = models.JSONField(
        help_text="The document's editable fields as this revision proposes them"
    )
    change_note = models.CharField(max_length=500)
    base_number = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The published revision this draft started from; publishing applies only the "
        "fields this revision changed from it, and refuses a conflicting later change",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_team = models.CharField(max_length=200, blank=True)
    review_note = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(topic__isnull=False) ^ models.Q(interaction__isnull=False),
                name="revision_of_one_document",
            ),
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of {self.document} ({self.state})"

    @property
    def document(self):
        return self.topic if self.topic_id else self.interaction


class AuditEvent(models.Model):
    """Who changed which state, and when. Append-only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, help_text="Kept even if the user is deleted")
    action = models.CharField(max_length=40)
    revision = models.ForeignKey(
        Revision, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    document = models.CharField(max_length=300)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.document}"


def workflow_edited_ids(field: str) -> set[int]:
    """Ids of the documents (`field`: "interaction" or "topic") changed through the editorial
    workflow: published revisions by an author. The content files must not silently undo such a
    reviewed change; `medref content import` skips them until they are exported back."""
    return set(
        Revision.objects.filter(
            author__isnull=False, published_at__isnull=False, **{f"{field}__isnull": False}
        ).values_list(f"{field}_id", flat=True)
    )
