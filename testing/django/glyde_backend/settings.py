"""Settings of the glyde-session SimpleJWT test backend.

Environment:
  ACCESS_LIFETIME_SECONDS  access token lifetime in seconds (default 5)
  GLYDE_DB_PATH            SQLite database file (default: a file in the temp dir)
  GLYDE_DEBUG_DJANGO=1     log every request / error to stderr
  GLYDE_INSTANCE_ID        echoed by GET /test/stats as "instance" (lets the
                           Node helper tell its own server from another one)
"""
import os
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Fixed test secrets: this backend only ever runs on 127.0.0.1 inside tests.
SECRET_KEY = "glyde-session-test-backend-not-a-secret-0123456789abcdef0123456789"
SIGNING_KEY = "glyde-session-test-signing-key-hs256-0123456789abcdef0123456789ab"

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
APPEND_SLASH = False

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "accounts",
]

# No session or CSRF middleware: the API is stateless JWT only.
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "glyde_backend.urls"
WSGI_APPLICATION = None
TEMPLATES = []

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("GLYDE_DB_PATH")
        or os.path.join(tempfile.gettempdir(), "glyde-django-test.sqlite3"),
        "OPTIONS": {
            # Concurrent refreshes write (blacklist + outstand) from several
            # runserver threads: take the write lock up front and wait for it
            # instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Fast hashing: this is a test backend, and PBKDF2's default cost would make
# every login take ~0.5 s of CPU on a 2-core machine.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
    ],
    # JSON only out; DRF's default parsers in (JSON, form, multipart), as in
    # a stock SimpleJWT deployment.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}


def _access_lifetime():
    raw = os.environ.get("ACCESS_LIFETIME_SECONDS", "5")
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"ACCESS_LIFETIME_SECONDS must be a number, got {raw!r}")
    if seconds <= 0:
        raise ValueError(f"ACCESS_LIFETIME_SECONDS must be > 0, got {raw!r}")
    return timedelta(seconds=seconds)


SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": _access_lifetime(),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

_DEBUG_LOG = os.environ.get("GLYDE_DEBUG_DJANGO") == "1"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # 4xx are expected in tests; errors (5xx) always reach stderr so the
        # Node helper can show them.
        "django.request": {
            "handlers": ["console"],
            "level": "INFO" if _DEBUG_LOG else "ERROR",
            "propagate": False,
        },
        "django.server": {
            "handlers": ["console"],
            "level": "INFO" if _DEBUG_LOG else "ERROR",
            "propagate": False,
        },
    },
}
