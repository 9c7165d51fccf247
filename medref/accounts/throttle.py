"""Per-address and per-network limits on account emails (sign-up and password reset).

Without them one request after another sends email after email to a victim's address, and a
script can use medref to send mail to anyone. Every request counts the same whether or not an
account exists, so a refusal says nothing about who has an account. Refused requests are not
counted, so hammering does not push the end of the wait further away.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from medref.accounts.models import EmailRequest

WINDOW = timedelta(hours=1)


def address_key(email: str) -> str:
    return salted_hmac("medref.accounts.email-throttle", email.strip().lower()).hexdigest()


def allow_account_email(*, email: str, ip_address: str | None) -> bool:
    """Record a request for an account email, or refuse it (False) when a limit is reached."""
    now = timezone.now()
    key = address_key(email)
    with transaction.atomic():
        EmailRequest.objects.filter(requested_at__lt=now - WINDOW).delete()
        if (
            EmailRequest.objects.filter(address_key=key).count()
            >= settings.MEDREF_EMAILS_PER_ADDRESS
        ):
            return False
        if ip_address and (
            EmailRequest.objects.filter(ip_address=ip_address).count()
            >= settings.MEDREF_EMAILS_PER_IP
        ):
            return False
        EmailRequest.objects.create(address_key=key, ip_address=ip_address, requested_at=now)
    return True
