"""medref's one settings module. Every value comes from the environment and is registered with a
help text in `medref.config.env.SETTINGS`; docs/settings.md lists them all (a test checks)."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from medref.config.env import (
    ConfigError,
    env_bool,
    env_custom,
    env_int,
    env_list,
    env_networks,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION = env_bool(
    "MEDREF_PRODUCTION",
    False,
    "Production mode: requires SECRET_KEY, turns off DEBUG and turns on secure cookies and HSTS.",
)
VAR_DIR = Path(
    env_str(
        "MEDREF_VAR_DIR",
        str(BASE_DIR / "var"),
        "Folder for the SQLite database, the development secret key and benchmark results.",
    )
)
MEDREF_SNAPSHOT_DIR = env_str(
    "MEDREF_SNAPSHOT_DIR",
    str(VAR_DIR / "snapshots"),
    "Folder for the compiled knowledge-base snapshots every process loads instead of reading the "
    "database (empty: no snapshots; every process builds its index from the database).",
)
CONTENT_DIR = Path(
    env_str(
        "MEDREF_CONTENT_DIR",
        str(BASE_DIR / "content"),
        "Folder of curated content that `medref setup` loads.",
    )
)


_MAKE_KEY = "export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\""
# The same bar as Django's `check --deploy` (W009), raised from a warning to a refusal: a short or
# repetitive key lets anyone who guesses it forge sessions, password-reset links and meter cookies.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 10


def _secret_key_problem(key: str) -> str | None:
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it is {len(key)} characters long; production mode needs at least {SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE:
        return (
            f"it has only {len(set(key))} different characters; production mode needs at least "
            f"{SECRET_KEY_MIN_UNIQUE}"
        )
    if key.startswith("django-insecure-"):
        return "it is a key Django generated for development"
    return None


def _secret_key(raw: str) -> str:
    if raw and PRODUCTION:
        problem = _secret_key_problem(raw)
        if problem:
            raise ConfigError(f"SECRET_KEY: too weak ({problem}). Make a new one with {_MAKE_KEY}")
    if raw:
        return raw
    if PRODUCTION:
        raise ConfigError(
            f"SECRET_KEY: not set, and production mode needs one. Set it with e.g. {_MAKE_KEY}"
        )
    # Development: generate once and keep it under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = env_custom(
    "SECRET_KEY",
    "",
    "Django's signing key. Unset in development: generated once into var/secret_key. "
    "Required in production mode: at least 50 characters, at least 10 of them different.",
    _secret_key,
)
DEBUG = (
    env_bool(
        "DEBUG",
        False,
        "Django debug pages. Never turn on in production; ignored in production mode.",
    )
    and not PRODUCTION
)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "[::1]", "testserver"],
    "Comma-separated host names this site answers to.",
)


def _database(raw: str) -> dict:
    raw = raw.strip()
    if not raw:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "medref.sqlite3")}
    if not raw.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ConfigError(
            f"DATABASE_URL: cannot use {raw[:40]!r}; expected postgres://USER:PASSWORD@HOST:PORT/NAME "
            "or sqlite:////absolute/path.sqlite3 (unset means SQLite under var/)"
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60)
    except Exception as exc:  # the library raises several types for malformed URLs
        raise ConfigError(f"DATABASE_URL: cannot parse it ({exc})") from None
    if not config.get("NAME"):
        raise ConfigError("DATABASE_URL: no database name; expected postgres://USER@HOST:PORT/NAME")
    return config


DATABASES = {
    "default": env_custom(
        "DATABASE_URL",
        "",
        "Database to use. Unset: SQLite at var/medref.sqlite3. postgres://USER:PASSWORD@HOST:PORT/NAME: "
        "PostgreSQL through psycopg 3.",
        _database,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; the busy timeout makes writers wait
    # for each other instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "medref.config",  # project-wide guards: text lengths checked before the database
    "medref.sources",
    "medref.vocab",
    "medref.knowledge",
    "medref.checker",
    "medref.guides",
    "medref.reference",
    "medref.accounts",
    "medref.annotations",
    "medref.lists",
    "medref.api",
    "medref.editorial",
    "axes",
    "csp",
    # Only for its bundled static files: /api/docs serves Swagger UI from them (no CDN).
    "ninja",
]

MIDDLEWARE = [
    # First: everything after it, HTTPS detection included, sees only headers we can believe.
    "medref.config.proxy.TrustedProxyMiddleware",
    # Early, so it sees every error response: /api, /cds-services and /fhir never answer HTML.
    "medref.api.errors.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "medref.api.cors.CdsCorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into a clear refusal.
    "axes.middleware.AxesMiddleware",
    "medref.api.guards.BadInputMiddleware",
    "medref.config.lengths.FieldTooLongMiddleware",
]

# Content-Security-Policy: only our own scripts, styles and images; no inline script or style,
# no plugins, no framing. JSON-LD blocks are data, not script, and are not affected.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling (see medref/accounts/signin.py and the README). django-axes records every
# failed sign-in but never locks anyone out: a lockout keyed on the account lets anyone lock its
# owner out, and one keyed on the address locks out a whole hospital behind one NAT. Past either
# limit below, a correct password no longer signs in by itself: medref emails a one-time link.
AXES_LOCK_OUT_AT_FAILURE = False
MEDREF_LOGIN_FAILURE_LIMIT = env_int(
    "MEDREF_LOGIN_FAILURE_LIMIT",
    5,
    "Failed sign-ins to one account (from anywhere) before signing in to it needs an emailed link.",
    minimum=1,
)
MEDREF_LOGIN_IP_FAILURE_LIMIT = env_int(
    "MEDREF_LOGIN_IP_FAILURE_LIMIT",
    20,
    "Failed sign-ins from one address (to any accounts) before sign-ins from it need an emailed link.",
    minimum=1,
)
AXES_FAILURE_LIMIT = MEDREF_LOGIN_FAILURE_LIMIT
MEDREF_LOGIN_WINDOW_MINUTES = env_int(
    "MEDREF_LOGIN_WINDOW_MINUTES",
    30,
    "How long a failed sign-in counts towards those limits, in minutes.",
    minimum=1,
)
AXES_COOLOFF_TIME = MEDREF_LOGIN_WINDOW_MINUTES / 60  # axes takes hours; it then forgets them
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"

MEDREF_EMAILS_PER_ADDRESS = env_int(
    "MEDREF_EMAILS_PER_ADDRESS",
    3,
    "Sign-up and password-reset emails one email address may be sent per hour.",
    minimum=1,
)
MEDREF_EMAILS_PER_IP = env_int(
    "MEDREF_EMAILS_PER_IP",
    30,
    "Sign-up and password-reset emails that requests from one IP address may cause per hour.",
    minimum=1,
)

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/profile/"
LOGOUT_REDIRECT_URL = "/"

_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}


def _email_backend(raw: str) -> str:
    if raw not in _EMAIL_BACKENDS:
        raise ConfigError(f"MEDREF_EMAIL_BACKEND: {raw!r}; use one of {', '.join(_EMAIL_BACKENDS)}")
    return _EMAIL_BACKENDS[raw]


EMAIL_BACKEND = env_custom(
    "MEDREF_EMAIL_BACKEND",
    "console",
    "How email is sent: console (printed by the server), smtp (EMAIL_HOST...), file (into var/mail) or memory.",
    _email_backend,
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost", "SMTP server, with MEDREF_EMAIL_BACKEND=smtp.")
EMAIL_PORT = env_int("EMAIL_PORT", 587, "SMTP port.", minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "", "SMTP user name.")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "", "SMTP password.")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True, "Use STARTTLS with the SMTP server.")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "medref <no-reply@localhost>", "Sender of account emails."
)

MEDREF_REVIEW_INTERVAL_DAYS = env_int(
    "MEDREF_REVIEW_INTERVAL_DAYS",
    3 * 365,
    "Days after a clinical review before a page is due for review again.",
    minimum=1,
)

MEDREF_CDS_ISSUERS_FILE = env_str(
    "MEDREF_CDS_ISSUERS_FILE",
    "",
    "JSON file of trusted CDS Hooks issuers and their JWKS (see the README); empty: none.",
)


def _require_jwt(raw: str) -> str:
    if raw not in ("auto", "always", "never"):
        raise ConfigError(f"MEDREF_CDS_REQUIRE_JWT: {raw!r}; use auto, always or never")
    return raw


MEDREF_CDS_REQUIRE_JWT = env_custom(
    "MEDREF_CDS_REQUIRE_JWT",
    "auto",
    "CDS Hooks JWTs: auto (required in production mode when issuers are configured), always or never.",
    _require_jwt,
)
MEDREF_CDS_MAX_MEDICATIONS = env_int(
    "MEDREF_CDS_MAX_MEDICATIONS",
    500,
    "Most medications (draft orders plus prefetched) one CDS Hooks or FHIR $check request may hold.",
    minimum=2,
)
MEDREF_CDS_CODE_SYSTEM_BASE = env_str(
    "MEDREF_CDS_CODE_SYSTEM_BASE",
    "https://medref.example/fhir/CodeSystem",
    "Base URI of the code systems in CDS cards (override reasons, topics); never the Host header.",
)

MEDREF_FREE_PAGES = env_int(
    "MEDREF_FREE_PAGES",
    10,
    "Topic pages an anonymous visitor may read per window before signing in.",
    minimum=0,
)
MEDREF_FREE_PAGES_DAYS = env_int(
    "MEDREF_FREE_PAGES_DAYS", 30, "Length of the metering window, in days.", minimum=1
)
MEDREF_METER_EXEMPT_CRAWLERS = env_bool(
    "MEDREF_METER_EXEMPT_CRAWLERS",
    False,
    "Let user agents claiming to be search-engine crawlers read topic pages unmetered (see README).",
)

ROOT_URLCONF = "medref.config.urls"
WSGI_APPLICATION = "medref.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "medref" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The site-wide assets live in medref/static, which belongs to no app, so name it explicitly.
STATICFILES_DIRS = [BASE_DIR / "medref" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns (an error under pytest) if absent
# Outside production, serve straight from the app folders so a fresh checkout needs no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Request bodies beyond this are refused with 400 before any view parses them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int(
    "MEDREF_MAX_BODY_BYTES", 1_000_000, "Largest request body accepted, in bytes.", minimum=1024
)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_ssl_redirect = env_bool(
    "MEDREF_SSL_REDIRECT",
    True,
    "In production mode, redirect plain HTTP to HTTPS (turn off behind a TLS-terminating proxy "
    "that already does it).",
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _ssl_redirect
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

MEDREF_ISSUES_URL = env_str(
    "MEDREF_ISSUES_URL",
    "https://github.com/medref/medref/issues",
    "Where readers report an error: the issue tracker linked from the contact page and footer.",
)

MEDREF_TRUSTED_PROXIES = env_networks(
    "MEDREF_TRUSTED_PROXIES",
    "Comma-separated addresses or networks of the reverse proxies in front of medref; only their "
    "X-Forwarded-For and X-Forwarded-Proto are believed. Empty: none (the headers are ignored).",
)
if MEDREF_TRUSTED_PROXIES:
    # Safe only because TrustedProxyMiddleware deletes the header on requests not from a proxy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_str(
            "MEDREF_LOG_LEVEL",
            "WARNING",
            "Log level for the console: DEBUG, INFO, WARNING or ERROR.",
        ),
    },
}
