"""A user's saved medication lists and what each check of them found.

Medicines are kept as the user typed them (a brand, a misspelling), never as resolved
ingredients: the resolution may improve with the knowledge base, and the list should too.
Each check stores the knowledge-base version and the findings (pair and severity), so the list
page can show what changed when the knowledge base moved."""

from __future__ import annotations

from django.conf import settings
from django.db import models

MAX_NAME = 100
# The checker's own limits (medref.api.v1): a saved list must stay checkable in one request.
MAX_MEDICINES = 50
MAX_MEDICINE_LENGTH = 200
# Enough for anyone's own medicines and a few relatives'; stops a script filling the table.
MAX_LISTS_PER_USER = 100
# Only the latest check is compared with; a few more are kept as a short history.
KEEP_CHECKS = 10


class MedicationListQuerySet(models.QuerySet):
    def visible_to(self, user) -> MedicationListQuerySet:
        """Only the user's own lists: anyone else's id behaves as if it did not exist."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class MedicationList(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="medication_lists"
    )
    name = models.CharField(max_length=MAX_NAME)
    medicines = models.JSONField(default=list, help_text="Names as typed, in the user's order")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MedicationListQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["user", "name"])]

    def __str__(self) -> str:
        return f"list {self.pk}: {self.name}"

    def last_check(self) -> ListCheck | None:
        return self.checks.order_by("-checked_at", "-id").first()


class ListCheck(models.Model):
    medication_list = models.ForeignKey(
        MedicationList, on_delete=models.CASCADE, related_name="checks"
    )
    checked_at = models.DateTimeField(auto_now_add=True)
    knowledge_base_version = models.PositiveIntegerField()
    medicines = models.JSONField(default=list, help_text="The list as it was when checked")
    findings = models.JSONField(
        default=list, help_text='[{"pair": [slug, slug], "drugs": [name, name], "severity": ...}]'
    )

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"check {self.pk} of list {self.medication_list_id}"
