"""Accounts: the professional profile of a user, and the metering ledger for anonymous readers."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profession(models.TextChoices):
    DOCTOR = "doctor", "Doctor"
    PHARMACIST = "pharmacist", "Pharmacist"
    NURSE = "nurse", "Nurse"
    OTHER_HCP = "other_hcp", "Other healthcare professional"
    STUDENT = "student", "Student"
    OTHER = "other", "Other"


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    profession = models.CharField(max_length=16, choices=Profession.choices)
    registration_number = models.CharField(
        max_length=40,
        blank=True,
        help_text="Professional registration number; stored, not verified",
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_profession_display()})"


class MeterEntry(models.Model):
    """One topic page read by one anonymous visitor. The count lives here, on the server; the
    visitor only holds a signed id, so editing the cookie cannot buy more pages."""

    visitor = models.UUIDField(db_index=True)
    topic_uid = models.UUIDField()
    first_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visitor", "topic_uid"], name="meter_once_per_topic")
        ]
        indexes = [models.Index(fields=["visitor", "first_read_at"])]

    def __str__(self) -> str:
        return f"{self.visitor} read {self.topic_uid}"


class EmailRequest(models.Model):
    """One request that makes medref send an account email (sign-up or password reset), kept an
    hour for the per-address and per-network throttles, then deleted. The address is stored only
    as a keyed hash: the throttle needs to recognise it, not to read it."""

    address_key = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    requested_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"account email requested at {self.requested_at:%Y-%m-%d %H:%M}"
