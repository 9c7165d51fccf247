"""Sources with provenance, and interactions as each source rates them.

Several sources may rate the same pair; each keeps its own row (unique per source and pair),
so an import never overwrites another source's rating. The headline severity of a pair is
derived at read time by `medref.knowledge.headline.headline_severity`.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from medref.domain.fields import DOCUMENT_STATUSES
from medref.domain.sides import Side, pair_key
from medref.knowledge.severity import Evidence, ReviewStatus, Severity
from medref.sources.models import Source

# Sent after a committed change to the knowledge base (`KnowledgeBaseState.bump`), with the new
# version. The checker listens (it sits above this app, so it connects to us, not we to it).
knowledge_changed = Signal()


class Interaction(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="interactions")
    a_ingredient = models.ForeignKey(
        "vocab.Ingredient", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    a_class = models.ForeignKey(
        "vocab.DrugClass", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    b_ingredient = models.ForeignKey(
        "vocab.Ingredient", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    b_class = models.ForeignKey(
        "vocab.DrugClass", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pair_key = models.CharField(max_length=40, db_index=True)
    severity = models.CharField(max_length=16, choices=Severity.choices())
    levels = models.JSONField(
        default=list, blank=True, help_text="Every level the source gives, e.g. by route or dose"
    )
    evidence = models.CharField(
        max_length=12, blank=True, choices=[(e.value, e.value) for e in Evidence]
    )
    onset = models.CharField(max_length=12, blank=True)
    mechanism = models.TextField(blank=True)
    consequence = models.TextField(blank=True)
    management = models.TextField(blank=True)
    patient_mechanism = models.TextField(blank=True)
    patient_management = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="en")
    references = models.JSONField(default=list, blank=True)
    records = models.JSONField(
        default=list, blank=True, help_text="Where in the source this came from (file:line, entry)"
    )
    review_status = models.CharField(
        max_length=12,
        choices=[(r.value, r.label) for r in ReviewStatus],
        default=ReviewStatus.UNREVIEWED.value,
    )
    reviewed_by = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12,
        default="published",
        choices=[("published", "Published"), ("retired", "Retired")],
        help_text="Retired monographs are kept but no longer used by the checker or shown",
    )
    last_edited = models.DateField(null=True, blank=True)
    overrides = models.JSONField(
        default=list,
        db_default=[],  # bulk imports insert raw rows without this column
        blank=True,
        help_text="Broader rules this more specific curated rule replaces: "
        '[{"a": "class:x", "b": "class:y", "reason": "..."}]',
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "pair_key"], name="interaction_per_source"),
            models.CheckConstraint(
                condition=(Q(a_ingredient__isnull=False) ^ Q(a_class__isnull=False))
                & (Q(b_ingredient__isnull=False) ^ Q(b_class__isnull=False)),
                name="interaction_sides_set",
            ),
            # The last line of defence: a value the checker cannot read never reaches the table.
            models.CheckConstraint(
                condition=Q(severity__in=[s.value for s in Severity]), name="interaction_severity"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DOCUMENT_STATUSES), name="interaction_status"
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=[r.value for r in ReviewStatus]),
                name="interaction_review_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pair_key} ({self.source.key}: {self.severity})"

    def compute_pair_key(self) -> str:
        return pair_key(
            Side.of(self.a_ingredient_id, self.a_class_id),
            Side.of(self.b_ingredient_id, self.b_class_id),
        )


class Translation(models.Model):
    """Our English version of one text a source gives in another language (content/translations).
    Keyed by `text_key` of the original, so an edition that keeps a sentence keeps its version."""

    source_key = models.SlugField(max_length=60)
    key = models.CharField(max_length=12, help_text="text_key() of the original text")
    language = models.CharField(max_length=8, default="en")
    text = models.TextField()
    origin = models.CharField(max_length=200, blank=True, help_text="content file it came from")
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text='e.g. "translated from the ANSM thesaurus 2020-01, unreviewed"',
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_key", "key", "language"], name="translation_per_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_key}:{self.key} ({self.language})"


class KnowledgeBaseState(models.Model):
    """One row: a version number bumped by every import, so caches and the checker index know
    when to rebuild."""

    version = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"knowledge base version {self.version}"

    @classmethod
    def current(cls) -> int:
        row = cls.objects.filter(pk=1).values_list("version", flat=True).first()
        return row or 0

    @classmethod
    def stamp(cls) -> str:
        """Version plus change time: unique even if a version number is reused (a restored backup,
        a rolled-back test), so a cached index is never taken for another knowledge base."""
        from medref.domain.stamps import stamp_of

        row = cls.objects.filter(pk=1).values_list("version", "changed_at").first()
        return stamp_of(*row) if row else "0"

    @classmethod
    def bump(cls) -> int:
        obj, _ = cls.objects.get_or_create(pk=1)
        # update() skips auto_now, so the change time is set here: Last-Modified and the
        # sitemap's lastmod come from it.
        cls.objects.filter(pk=1).update(version=models.F("version") + 1, changed_at=timezone.now())
        obj.refresh_from_db()
        # Once the change is committed (never before: a rolled-back change must not be served),
        # listeners such as the checker rebuild and write the knowledge-base snapshot.
        transaction.on_commit(lambda: knowledge_changed.send(sender=cls, version=obj.version))
        return obj.version
