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
    if not isinstance(issuer, str) or issuer not in known:
        # A list or an object here is not an issuer (RFC 7519 4.1.1: a StringOrURI).
        raise Unauthorized(f"unknown issuer {str(issuer)[:100]!r}")
    kid = header.get("kid")
    try:
        key = known[issuer][kid] if isinstance(kid, str) else None
    except KeyError:
        key = None
    if key is None:
        raise Unauthorized(f"issuer {issuer!r} has no key {str(kid)[:100]!r}")
    # The token must be signed with the algorithm of the key its kid names: an RS384 key used to
    # check an ES384 signature (or the reverse) is refused, never tried.
    algorithm = header.get("alg")
    expected = {"EC": "ES384", "RSA": "RS384"}.get(key.key_type)
    if algorithm not in ALGORITHMS or algorithm != expected:
        raise Unauthorized(
            f"the token's algorithm {str(algorithm)[:20]!r} does not match key {kid!r} "
            f"(a {key.key_type} key); CDS Hooks allows {' or '.join(ALGORITHMS)}"
        )
    try:
        claims = jwt.decode(
            token,
            key=key.key,
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired") from None
    except jwt.InvalidAudienceError:
        raise Unauthorized(f"the token's audience is not this service ({audience})") from None
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        # PyJWT raises plain ValueError/TypeError for some key and claim mix-ups.
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


def check_issuers_file(app_configs=None, **kwargs) -> list:
    """Django system check: a configured MEDREF_CDS_ISSUERS_FILE must exist and be readable, so
    a wrong path stops `medref check` and startup instead of failing every signed request."""
    from django.core.checks import Error

    path = settings.MEDREF_CDS_ISSUERS_FILE
    if not path:
        return []
    try:
        _issuers.cache_clear()
        _issuers(path)
    except FileNotFoundError as exc:
        problem = f"the file {exc.filename} does not exist"
    except (OSError, ValueError, KeyError, TypeError, AttributeError, jwt.PyJWTError) as exc:
        problem = f"it cannot be read as trusted issuers ({type(exc).__name__}: {exc})"
    else:
        return []
    return [
        Error(
            f"MEDREF_CDS_ISSUERS_FILE is set to {path!r} but {problem}.",
            hint="Point MEDREF_CDS_ISSUERS_FILE at the issuers JSON file described in the README, "
            "or unset it.",
            id="medref.E101",
        )
    ]
