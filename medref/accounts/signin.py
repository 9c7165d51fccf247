"""Sign-in throttling that cannot be turned against an account's owner.

A lockout keyed on the account lets a stranger lock its owner out with a few wrong passwords; one
keyed on the network address locks out everyone behind a hospital's NAT. medref locks no one out.
django-axes records each failed sign-in; once an account (MEDREF_LOGIN_FAILURE_LIMIT) or an address
(MEDREF_LOGIN_IP_FAILURE_LIMIT) has had too many within MEDREF_LOGIN_WINDOW_MINUTES, the right
password is no longer enough: medref emails the owner a one-time link that finishes signing in.
Whether the password was right or wrong, the page then answers the same, so guessing learns
nothing; the owner still gets in, through their mailbox, which the guesser cannot read.
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from medref.accounts import tokens
from medref.accounts.throttle import allow_account_email


def _failures(**match) -> int:
    since = timezone.now() - timedelta(minutes=settings.MEDREF_LOGIN_WINDOW_MINUTES)
    found = AccessAttempt.objects.filter(attempt_time__gte=since, **match).aggregate(
        n=Sum("failures_since_start")
    )
    return found["n"] or 0


def needs_emailed_link(*, username: str, ip_address: str | None) -> bool:
    """True when a sign-in for this account, from this address, must finish by email."""
    username = username.strip()
    if username and _failures(username__iexact=username) >= settings.MEDREF_LOGIN_FAILURE_LIMIT:
        return True
    return bool(ip_address) and (
        _failures(ip_address=ip_address) >= settings.MEDREF_LOGIN_IP_FAILURE_LIMIT
    )


def send_sign_in_link(*, user, base_url: str, ip_address: str | None) -> None:
    # Only after a correct password, so silence when throttled gives nothing away either.
    if not allow_account_email(email=user.email, ip_address=ip_address):
        return
    link = base_url.rstrip("/") + reverse(
        "sign-in-link", kwargs={"token": tokens.make_token(user, tokens.SIGN_IN)}
    )
    send_mail(
        subject="Finish signing in to medref",
        message=(
            "Someone signed in to your medref account with its password, after several failed "
            "attempts. If it was you, finish signing in within 15 minutes here:\n\n"
            f"{link}\n\n"
            "If it was not you, your password is known to someone else: change it now by "
            "resetting it from the sign-in page."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def forget_failures(*, username: str) -> None:
    """The owner proved both password and mailbox: the failures against the account are over."""
    AccessAttempt.objects.filter(username__iexact=username).delete()
