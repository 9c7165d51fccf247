"""Replay protection for CDS Hooks JWTs: each (issuer, jti) may be used once."""

from django.db import models


class SeenToken(models.Model):
    issuer = models.CharField(max_length=300)
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "jti"], name="jti_once")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.jti}"
