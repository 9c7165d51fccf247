"""CDS Hooks records: JWT replay protection (each (issuer, jti) may be used once), the finding
cards medref issued, and the feedback CDS clients send about them."""

from django.db import models


class SeenToken(models.Model):
    issuer = models.CharField(max_length=300)
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "jti"], name="jti_once")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.jti}"


class IssuedCard(models.Model):
    """A finding card medref returned, kept so feedback (which names only the card's uuid) can
    be tied back to the finding. Holds no patient data: the ingredients and the severity."""

    uuid = models.UUIDField(primary_key=True)
    service = models.CharField(max_length=100)
    kind = models.CharField(max_length=20)  # interaction or duplication
    finding = models.CharField(max_length=300)  # "clarithromycin + simvastatin"
    severity = models.CharField(max_length=20)
    issued_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.finding} ({self.severity})"


class CardFeedback(models.Model):
    """One feedback item a CDS client POSTed (CDS Hooks 2.0.1 "Feedback"): a card's suggestions
    accepted, or the card overridden, with the reason the clinician chose if any."""

    OUTCOMES = [("accepted", "accepted"), ("overridden", "overridden")]

    service = models.CharField(max_length=100)
    card_uuid = models.CharField(max_length=100, db_index=True)
    # Copied from the IssuedCard when medref still remembers it (blank otherwise), so the summary
    # survives the issued cards being forgotten after a while.
    finding = models.CharField(max_length=300, blank=True, db_index=True)
    severity = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=20, choices=OUTCOMES)
    accepted_suggestions = models.JSONField(default=list, blank=True)
    reason_system = models.CharField(max_length=300, blank=True)
    reason_code = models.CharField(max_length=100, blank=True)
    reason_display = models.CharField(max_length=300, blank=True)
    user_comment = models.TextField(blank=True)
    outcome_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.card_uuid} {self.outcome}"
