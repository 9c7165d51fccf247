"""Account actions that touch several models."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from medref.accounts.models import Profile

VERIFY_SALT = "medref.accounts.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600  # a verification link works for three days


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


def send_verification(*, user, base_url: str) -> None:
    token = signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT)
    link = base_url.rstrip("/") + reverse("verify-email", kwargs={"token": token})
    send_mail(
        subject="Confirm your medref account",
        message=(
            "Welcome to medref.\n\n"
            f"Confirm your email address by opening this link within three days:\n\n{link}\n\n"
            "If you did not create an account, you can ignore this message."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def verify_email(*, token: str):
    """Activate the account named in a valid, unexpired token; None when the token is bad."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    Profile.objects.filter(user=user, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now()
    )
    return user


@transaction.atomic
def delete_account(*, by) -> None:
    """Delete the user, their profile and every annotation they wrote."""
    by.delete()
