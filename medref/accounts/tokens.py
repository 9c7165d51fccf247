"""The links medref emails: email verification, password reset and the sign-in link.

Each token is signed, expires, and carries a digest of the account's state when it was made: its
password hash, active flag, email address, verification time and last sign-in. Using the link
changes that state (verifying sets the time, a reset changes the password, signing in moves the
last sign-in), and so does an administrator deactivating the account. Any such change makes every
earlier link stop working, so each link works once, and never against a later decision.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

VERIFY = "verify-email"
RESET = "password-reset"
SIGN_IN = "sign-in"
MAX_AGE = {
    VERIFY: 3 * 24 * 3600,  # time to find the email after signing up
    RESET: 3600,  # a reset link is a password: short-lived
    SIGN_IN: 15 * 60,  # asked for a moment ago, on the sign-in page
}


def _state(user, purpose: str) -> str:
    from medref.accounts.models import Profile

    verified = Profile.objects.filter(user=user).values_list("email_verified_at", flat=True).first()
    # Microseconds and time zone dropped as Django's own reset tokens do: not every database
    # keeps them, and a token must survive the round trip.
    last_login = user.last_login.replace(microsecond=0, tzinfo=None) if user.last_login else ""
    facts = "|".join(
        str(f) for f in (user.pk, user.password, user.is_active, user.email, verified, last_login)
    )
    return salted_hmac(f"medref.accounts.{purpose}.state", facts, algorithm="sha256").hexdigest()


def make_token(user, purpose: str) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user, purpose)}, salt=f"medref.{purpose}")


def user_from_token(token: str, purpose: str):
    """The account a valid, unexpired, unused token names; None otherwise."""
    try:
        data = signing.loads(token, salt=f"medref.{purpose}", max_age=MAX_AGE[purpose])
    except signing.BadSignature:  # also raised, as SignatureExpired, for an old token
        return None
    if not isinstance(data, dict):
        return None
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if user is None or not constant_time_compare(str(data.get("s")), _state(user, purpose)):
        return None
    return user


class ResetTokenGenerator:
    """What Django's password-reset views need from a token generator, with the rules above."""

    def make_token(self, user) -> str:
        return make_token(user, RESET)

    def check_token(self, user, token: str | None) -> bool:
        if user is None or not token:
            return False
        found = user_from_token(token, RESET)
        return found is not None and found.pk == user.pk


reset_tokens = ResetTokenGenerator()
