"""Professional topic pages and editorial pages.

A topic keeps a stable `uid` that never changes, so annotations survive a rename of its slug.
"""

from __future__ import annotations

import uuid

from django.db import models

from medref.domain.fields import TOPIC_STATUSES
from medref.knowledge.severity import ReviewStatus


class TopicQuerySet(models.QuerySet):
    def published(self) -> TopicQuerySet:
        return self.filter(status=Topic.Status.PUBLISHED)


class Topic(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=160, unique=True)
    title = models.CharField(max_length=300)
    specialty = models.CharField(max_length=100, blank=True)
    authors = models.CharField(max_length=300)
    body = models.TextField(help_text="Markdown with [n] citations")
    references = models.JSONField(default=list, blank=True)
    asserted_interactions = models.JSONField(
        default=list,
        blank=True,
        help_text="Interactions the text asserts, [{drugs: [a, b], severity}]; tests hold the "
        "checker to them",
    )
    last_edited = models.DateField()
    last_reviewed = models.DateField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=200, blank=True, help_text="The reviewing team")
    review_status = models.CharField(
        max_length=12,
        choices=[(r.value, r.label) for r in ReviewStatus],
        default=ReviewStatus.UNREVIEWED.value,
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    drugs = models.ManyToManyField("vocab.Ingredient", related_name="topics", blank=True)
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="topics")

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TOPIC_STATUSES), name="topic_status"
            ),
            models.CheckConstraint(
                condition=models.Q(review_status__in=[r.value for r in ReviewStatus]),
                name="topic_review_status",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Page(models.Model):
    """An editorial page such as "About our editorial team"."""

    slug = models.SlugField(max_length=160, unique=True)
    title = models.CharField(max_length=300)
    body = models.TextField()
    last_edited = models.DateField()
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="pages")

    def __str__(self) -> str:
        return self.title


class SearchEntry(models.Model):
    """One searchable document (a topic or an editorial page). The full-text index over it is
    backend-specific: an FTS5 table on SQLite, a GIN expression index on PostgreSQL."""

    kind = models.CharField(max_length=16)
    url = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    body = models.TextField()

    def __str__(self) -> str:
        return self.title
