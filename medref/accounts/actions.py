"""Account actions that touch several models."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from medref.accounts import tokens
from medref.accounts.models import EmailRequest, MeterEntry, Profile
from medref.accounts.throttle import address_key


@transaction.atomic
def create_account(*, email: str, password: str, profession: str, registration_number: str = ""):
    """A new, inactive account: it can sign in once the email address is verified."""
    user = get_user_model().objects.create_user(
        username=email.lower(), email=email.lower(), password=password
    )
    user.is_active = False
    user.save(update_fields=["is_active"])
    Profile.objects.create(
        user=user, profession=profession, registration_number=registration_number.strip()
    )
    return user


def sign_up(*, base_url: str, **details) -> None:
    """Create the account and send its verification link, or, when the address already has an
    account, email its owner instead. The caller answers the same either way, so sign-up does not
    tell anyone which addresses have accounts."""
    email = details["email"].lower()
    existing = get_user_model().objects.filter(username=email).first()
    if existing is None:
        try:
            user = create_account(**details)
        except IntegrityError:  # a parallel sign-up for the same address won
            existing = get_user_model().objects.get(username=email)
        else:
            send_verification(user=user, base_url=base_url)
            return
    # Hash the password anyway: creating an account costs one argon2 hash, and the two answers
    # should take about as long as each other.
    make_password(details["password"])
    send_existing_account_notice(user=existing, base_url=base_url)


def _verification_link(user, base_url: str) -> str:
    token = tokens.make_token(user, tokens.VERIFY)
    return base_url.rstrip("/") + reverse("verify-email", kwargs={"token": token})


def send_verification(*, user, base_url: str) -> None:
    send_mail(
        subject="Confirm your medref account",
        message=(
            "Welcome to medref.\n\n"
            "Confirm your email address by opening this link within three days:\n\n"
            f"{_verification_link(user, base_url)}\n\n"
            "If you did not create an account, you can ignore this message."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def send_existing_account_notice(*, user, base_url: str) -> None:
    """Someone tried to sign up with an address that already has an account: tell its owner."""
    verified = Profile.objects.filter(user=user, email_verified_at__isnull=False).exists()
    if not user.is_active and not verified:
        # Never confirmed: the first link may have expired or been lost; here is a fresh one.
        next_step = (
            "It has not been confirmed yet. Confirm it by opening this link within three days:"
            f"\n\n{_verification_link(user, base_url)}"
        )
    else:
        root = base_url.rstrip("/")
        next_step = (
            f"Sign in at {root}{reverse('login')}, or if you have forgotten the password, "
            f"reset it at {root}{reverse('password_reset')}. If you cannot sign in, contact the "
            "people who run this medref."
        )
    send_mail(
        subject="Your medref account",
        message=(
            "Someone, perhaps you, tried to create a medref account with this email address, "
            f"but it already has one.\n\n{next_step}\n\n"
            "If it was not you, you can ignore this message: nothing has changed."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def verify_email(*, token: str):
    """Activate the account named in a valid, unexpired, unused token; None when it is not.

    The token is bound to the account's state (see tokens.py), so it works once, and a link sent
    before an administrator deactivated the account does not re-activate it.
    """
    user = tokens.user_from_token(token, tokens.VERIFY)
    if user is None or Profile.objects.filter(user=user, email_verified_at__isnull=False).exists():
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    Profile.objects.filter(user=user).update(email_verified_at=timezone.now())
    return user


def _sessions_of(user) -> list[str]:
    # Sessions are stored encoded, not by user; reading them all is slow on a busy site but
    # deleting an account is rare, and a session left behind would keep the id of a deleted user.
    wanted = str(user.pk)
    return [
        s.session_key
        for s in Session.objects.iterator()
        if str(s.get_decoded().get("_auth_user_id")) == wanted
    ]


@transaction.atomic
def delete_account(*, by, visitor: uuid.UUID | None = None) -> dict[str, int]:
    """Delete the user and every row about them: the profile and annotations (by cascade), their
    sign-in records (django-axes: attempts, failures and the access log, which hold the address,
    IP and browser), their sessions, the account-email throttle entries for their address and the
    meter ledger of the browser they delete it from (`visitor`). Returns how many of each went."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    username = by.get_username()
    removed = {
        "sign-in attempts": AccessAttempt.objects.filter(username__iexact=username).delete()[0],
        "sign-in failures": AccessFailureLog.objects.filter(username__iexact=username).delete()[0],
        "sign-in log": AccessLog.objects.filter(username__iexact=username).delete()[0],
        "sessions": Session.objects.filter(session_key__in=_sessions_of(by)).delete()[0],
        "email requests": EmailRequest.objects.filter(address_key=address_key(by.email)).delete()[
            0
        ],
        "meter entries": MeterEntry.objects.filter(visitor=visitor).delete()[0] if visitor else 0,
    }
    removed["account"] = by.delete()[0]
    return removed
