"""Production settings: the base settings with ``CRM_ENV=production`` forced, plus what only a
deployment behind a TLS-terminating reverse proxy needs (see docs/deploy.md).

Run with ``DJANGO_SETTINGS_MODULE=crm_saas.settings.production``. Every secret comes from the
environment; start-up fails with a clear message when one is missing.
"""

from __future__ import annotations

import os

from crm_saas.env import ImproperlyConfiguredEnv

# This module means production whatever the shell says: a stray CRM_ENV=development must not
# quietly switch off secure cookies, HSTS and the required secrets.
if os.environ.setdefault("CRM_ENV", "production") != "production":
    raise ImproperlyConfiguredEnv(
        f"CRM_ENV={os.environ['CRM_ENV']!r} contradicts crm_saas.settings.production; unset it or use 'production'."
    )

from crm_saas.env import env_bool, env_int, env_list, env_str
from crm_saas.settings.base import *  # noqa: F403
from crm_saas.settings.base import DATABASES

if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfiguredEnv(
        "DJANGO_ALLOWED_HOSTS is required in production, e.g. '.crm.example.com,crm.example.com'."
    )

# --- Database: persistent connections, checked before reuse ------------------------------------
# A connection proxy such as PgBouncer must run in session mode: the tenant's schema is a session
# setting (docs/deploy.md explains why).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False)

# --- HTTPS behind a reverse proxy ---------------------------------------------------------------
# The proxy terminates TLS and must overwrite (never pass through) X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# The health check is probed over plain HTTP by load balancers inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 14 * 24 * 3600)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Collected files are served by WhiteNoise with far-future caching; the finders are for development.
WHITENOISE_USE_FINDERS = env_bool("CRM_STATIC_USE_FINDERS", False)

# --- Logging: one line per record on stdout, JSON for log shippers or plain for humans ----------
LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfiguredEnv(f"LOG_FORMAT={LOG_FORMAT!r}: use json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "crm_saas.logs.JsonFormatter"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # Requests refused for a bad Host header are noise from scanners, not errors.
        "django.security.DisallowedHost": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}
