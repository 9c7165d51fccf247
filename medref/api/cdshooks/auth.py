"""Optional verification of the CDS Hooks bearer JWT (CDS Hooks 2.0, "Trusting CDS Clients").

Trusted issuers and their JWKS come from a local JSON file (MEDREF_CDS_ISSUERS_FILE):
    {"https://ehr.example.org": {"jwks": {"keys": [...]}}}
or  {"https://ehr.example.org": {"jwks_file": "/etc/medref/ehr-jwks.json"}}
Checks: a known `iss`, a key by `kid`, ES384 or RS384, `aud` equal to the service URL, `exp`
present and not past, no more than 5 minutes after `iat`, `iat` not in the future, and a `jti`
never seen before. Off in development; required in production mode when issuers are configured.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import jwt
from django.conf import settings
from django.db import IntegrityError

ALGORITHMS = ["ES384", "RS384"]
LEEWAY = 30  # seconds of clock skew tolerated
MAX_LIFETIME = 300  # the spec: exp no more than 5 minutes in the future


class Unauthorized(Exception):
    """The request's JWT is missing or fails a check; the message says which."""


@lru_cache(maxsize=4)
def _issuers(path: str) -> dict[str, jwt.PyJWKSet]:
    raw = json.loads(Path(path).read_text())
    out = {}
    for issuer, conf in raw.items():
        jwks = (
            conf.get("jwks") if "jwks" in conf else json.loads(Path(conf["jwks_file"]).read_text())
        )
        out[issuer] = jwt.PyJWKSet.from_dict(jwks)
    return out


def issuers() -> dict[str, jwt.PyJWKSet]:
    path = settings.MEDREF_CDS_ISSUERS_FILE
    return _issuers(path) if path else {}


def required() -> bool:
    mode = settings.MEDREF_CDS_REQUIRE_JWT
    if mode == "auto":
        return settings.PRODUCTION and bool(settings.MEDREF_CDS_ISSUERS_FILE)
    return mode == "always"


def verify(authorization: str | None, *, audience: str) -> dict | None:
    """The verified claims, or None when no token is needed and none was sent."""
    if not authorization:
        if required():
            raise Unauthorized("a bearer JWT is required (Authorization: Bearer <token>)")
        return None
    if not authorization.startswith("Bearer "):
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    known = issuers()
    if not known:
        if required():
            raise Unauthorized("no trusted issuers are configured")
        return None  # development: nothing to verify against
    token = authorization[7:].strip()
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"the token cannot be read: {exc}") from None
    issuer = unverified.get("iss")
    if issuer not in known:
        raise Unauthorized(f"unknown issuer {issuer!r}")
    try:
        key = known[issuer][header.get("kid")]
    except KeyError:
        raise Unauthorized(f"issuer {issuer!r} has no key {header.get('kid')!r}") from None
    try:
        claims = jwt.decode(
            token,
            key=key.key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired") from None
    except jwt.InvalidAudienceError:
        raise Unauthorized(f"the token's audience is not this service ({audience})") from None
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"the token is not valid: {exc}") from None
    now = datetime.now(UTC).timestamp()
    if claims["iat"] > now + LEEWAY:
        raise Unauthorized("the token was issued in the future")
    if claims["exp"] - claims["iat"] > MAX_LIFETIME + LEEWAY:
        raise Unauthorized("the token lives longer than the 5 minutes CDS Hooks allows")
    _remember_jti(issuer, str(claims["jti"]), claims["exp"])
    return claims


def _remember_jti(issuer: str, jti: str, exp: float) -> None:
    from medref.api.models import SeenToken

    try:
        SeenToken.objects.create(
            issuer=issuer[:300], jti=jti[:200], expires_at=datetime.fromtimestamp(exp, UTC)
        )
    except IntegrityError:
        raise Unauthorized("this token (jti) has already been used") from None
    SeenToken.objects.filter(expires_at__lt=datetime.now(UTC)).delete()
