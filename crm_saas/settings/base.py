"""Settings for every environment, switched by environment variables (see README.md).

``CRM_ENV`` picks the defaults: ``development`` (the default) serves any ``<tenant>.localhost``
host with an insecure development key; ``production`` demands every secret from the environment.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from crm_saas.crypto import kms as _kms
from crm_saas.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("CRM_DATA_DIR", str(BASE_DIR / ".data")))

CRM_ENV = env_str("CRM_ENV", "development")
if CRM_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfiguredEnv(f"CRM_ENV={CRM_ENV!r}: use development, production or test.")
IS_PRODUCTION = CRM_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", CRM_ENV == "development")

if IS_PRODUCTION:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
else:
    # Development and test only: production refuses to start without DJANGO_SECRET_KEY.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "django-insecure-development-only-key-not-for-production")

# The host that serves the platform operators' pages (public schema). Tenants live on subdomains.
PUBLIC_DOMAIN = env_str("CRM_PUBLIC_DOMAIN", "localhost")
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS",
    [] if IS_PRODUCTION else [".localhost", "localhost", "127.0.0.1", "testserver", ".testserver"],
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- Applications -------------------------------------------------------------------------------
# Apps in SHARED_APPS get tables in the public schema, apps in TENANT_APPS in every tenant schema.
# Users, sessions and audit events sit in both: platform operators in public, each tenant's own
# people in its schema, so a user or session of one tenant does not exist in another. Django's
# permission and content-type tables stay in public only: access is decided by roles.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tenants.accounts",
    "crm_saas.audit",
]
TENANT_APPS = [
    "django.contrib.sessions",
    "tenants.accounts",
    "crm_saas.audit",
    "crm_saas.jobs",
    "crm_saas.integrations",
    "leads",
    "voice",
    "lifecycle",
    "ml",
    "crm_saas.privacy",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

MIDDLEWARE = [
    "crm_saas.middleware.ActiveTenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "crm_saas.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "crm_saas.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "crm_saas.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "crm_saas.urls_public"
WSGI_APPLICATION = "crm_saas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm_saas.context_processors.workspace",
            ],
        },
    },
]

# --- Data stores --------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_saas")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
DATABASES["default"]["ENGINE"] = "crm_saas.postgresql"  # django-tenants' backend, see its base.py
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Send `SET search_path` only when the session's path changes instead of before every query. Safe
# because the setting lives in the session: the backend (crm_saas/postgresql) forgets it on every
# rollback, savepoint rollback, close and reconnect (a rolled-back SET is undone by PostgreSQL),
# and PgBouncer, if any, runs in session mode (docs/deploy.md).
TENANT_LIMIT_SET_CALLS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
# Without Redis (a laptop with nothing installed) tasks run inside the web process.
TASKS_IN_PROCESS = env_bool("CRM_TASKS_IN_PROCESS", False)

if TASKS_IN_PROCESS:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "crm_saas.cache.ReusedClientRedisCache",
            "LOCATION": env_str("CACHE_URL", REDIS_URL),
        }
    }
# Cache keys carry the tenant's schema so that throttles and counters never mix tenants.
CACHES["default"]["KEY_FUNCTION"] = "django_tenants.cache.make_key"
CACHES["default"]["REVERSE_KEY_FUNCTION"] = "django_tenants.cache.reverse_key"

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tenants.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins per (e-mail, client address) before further attempts are refused for a while.
LOGIN_FAILURE_LIMIT = env_int("CRM_LOGIN_FAILURE_LIMIT", 10)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("CRM_LOGIN_FAILURE_WINDOW_SECONDS", 900)
# Wider nets in the same window: one account guessed from many addresses, and one address trying
# many accounts (password spraying). Higher than the pair limit, so an office behind one NAT address
# or a user attacked by others is not locked out by a handful of typos.
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("CRM_LOGIN_ACCOUNT_FAILURE_LIMIT", 30)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("CRM_LOGIN_ADDRESS_FAILURE_LIMIT", 50)
# Reverse proxies whose X-Forwarded-For is believed (their own addresses, e.g. 127.0.0.1).
TRUSTED_PROXIES = env_list("CRM_TRUSTED_PROXIES", [])
API_TOKEN_TTL_DAYS = env_int("CRM_API_TOKEN_TTL_DAYS", 30)
# Token lookups are cached this long (0: off); revocation and user changes drop entries at once.
API_TOKEN_CACHE_SECONDS = env_int("CRM_API_TOKEN_CACHE_SECONDS", 30)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Internationalisation and static files -----------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "crm_saas" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # vendor/plotly/plotly.min.js from the pinned plotly package: charts load no CDN.
    "crm_saas.staticfinders.PlotlyFinder",
]
# Serve straight from the source folders unless collectstatic has been run for production.
WHITENOISE_USE_FINDERS = env_bool("CRM_STATIC_USE_FINDERS", not IS_PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Object storage -----------------------------------------------------------------------------
OBJECT_STORAGE = {
    "BACKEND": env_str("OBJECT_STORAGE_BACKEND", "filesystem"),
    "ROOT": env_str("OBJECT_STORAGE_ROOT", str(DATA_DIR / "objects")),
    "S3_ENDPOINT_URL": env_str("S3_ENDPOINT_URL", "") or None,
    "S3_BUCKET": env_str("S3_BUCKET", "crm-saas"),
    "S3_REGION": env_str("S3_REGION", "us-east-1"),
    "S3_CREATE_BUCKET": env_bool("S3_CREATE_BUCKET", not IS_PRODUCTION),
}

# --- Encryption at rest -------------------------------------------------------------------------
# Each tenant's data key is stored wrapped by a master key (crm_saas/crypto). Production refuses to
# start without CRM_MASTER_KEYS ("id:base64,..." current first) or CRM_MASTER_KEY; development and
# test derive a development master key from SECRET_KEY and warn that it is one.
KMS_BACKEND = env_str("CRM_KMS_BACKEND", "local")
if KMS_BACKEND not in _kms.KMS_BACKENDS:
    raise ImproperlyConfigured(f"CRM_KMS_BACKEND={KMS_BACKEND!r}: the only backend is 'local'.")
ENCRYPTION_MASTER_KEYS = _kms.master_keys_from_env(required=IS_PRODUCTION)
# How long a process keeps an unwrapped data key in memory. Every use still reads the key's row,
# so a key destroyed by another process is refused at once; the cache only saves unwrapping.
DATA_KEY_CACHE_SECONDS = env_int("CRM_DATA_KEY_CACHE_SECONDS", 300)
if DATA_KEY_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("CRM_DATA_KEY_CACHE_SECONDS must be 0 (no cache) or more.")

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crm_saas.api.authentication.BearerTokenAuthentication",
        "crm_saas.integrations.authentication.ApiKeyAuthentication",
        "crm_saas.api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crm_saas.api.permissions.HasRoleCapability"],
    "DEFAULT_PAGINATION_CLASS": "crm_saas.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "crm_saas.integrations.api.schema.CrmAutoSchema",
    "EXCEPTION_HANDLER": "crm_saas.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "crm_saas.api.throttling.AnonRateLimit",
        "crm_saas.api.throttling.UserRateLimit",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("CRM_THROTTLE_ANON", "60/min"),
        "user": env_str("CRM_THROTTLE_USER", "1200/min"),
        "auth": env_str("CRM_THROTTLE_AUTH", "20/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "crm_saas API",
    "DESCRIPTION": (
        "Multi-tenant CRM API. Every tenant has its own host name; call the API on your tenant's "
        "host with `Authorization: Token <token>` obtained from `POST /api/v1/auth/token/`, or, for "
        "machine clients, `Authorization: Api-Key <key>` with a scoped key created by a tenant admin. "
        'Every error answers `{"detail": str, "errors": {field: [str]}}`. POSTs accept an '
        "`Idempotency-Key` header for safe retries. Lists are paginated with `?page=` and "
        "`?page_size=` (at most 200). See docs/integration.md for webhooks and client examples."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Choice sets whose field names ("kind", "status") are shared with other models.
    "ENUM_NAME_OVERRIDES": {
        "FollowUpKindEnum": "leads.models.FollowUpKind",
        "FollowUpStatusEnum": ["open", "done", "all"],
        "VoiceLogKindEnum": "voice.models.VoiceLogKind",
        "VoiceLogStatusEnum": "voice.models.VoiceLogStatus",
        "ActivityKindEnum": "leads.models.ActivityKind",
        "LeadStatusEnum": "leads.models.LeadStatus",
        "LeadPriorityEnum": "leads.models.Priority",
        "MessageChannelEnum": "leads.models.MessageChannel",
        "MessageDirectionEnum": "leads.models.MessageDirection",
        "LifecycleEventKindEnum": "lifecycle.models.EventKind",
        "WebhookDeliveryStatusEnum": "crm_saas.integrations.models.DeliveryStatus",
        "LifecycleStageEnum": "lifecycle.models.Stage",
        "PrivacyRequestKindEnum": "crm_saas.privacy.models.PrivacyRequestKind",
        "PrivacyRequestStatusEnum": "crm_saas.privacy.models.PrivacyRequestStatus",
        "OffboardingStatusEnum": "tenants.models.OffboardingStatus",
        "OffboardingArchiveStateEnum": "tenants.models.OffboardingArchiveState",
    },
}

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = TASKS_IN_PROCESS
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# A request that queues a job must not hang on a broker that is down: give up after ~1 s; the job
# row is kept as queued and jobs.requeue_stale sends it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Heavy work gets queues of its own so that a long training run or a transcription never delays
# imports, webhooks and housekeeping: "ml" (training and scoring with the lead, text-priority and
# churn models) and "voice" (transcription). Everything else runs on "default". One local worker
# consumes all three (scripts/run.py); production runs a worker per queue (Procfile, docs/deploy.md).
CRM_CELERY_QUEUES = ("default", "ml", "voice")
CELERY_TASK_ROUTES = {
    **{
        name: {"queue": "ml"}
        for name in (
            "leads.train_model",
            "leads.retrain_if_due",
            "leads.rescore_open",
            "leads.rescore_lead",
            "leads.rescore_pending",
            "leads.explain_scores",
            "leads.train_text_model",
            "leads.refresh_priorities",
            "leads.reprioritise_open",
            "leads.prioritise_lead",
            "lifecycle.churn_train",
            "lifecycle.churn_rescore_all",
            "lifecycle.churn_rescore_customer",
        )
    },
    "voice.transcribe": {"queue": "voice"},
}
CELERY_IMPORTS = ["crm_saas.tasks"]  # platform tasks; app tasks are autodiscovered
# Periodic work runs once per tenant: beat queues the fan-out in the public schema, which queues
# one message per active tenant carrying that tenant's schema.
JOB_RETENTION_DAYS = env_int("CRM_JOB_RETENTION_DAYS", 90)
# A job still queued this long after it was created is sent to the workers again (its message never
# reached the broker, or was lost with it); running jobs whose worker died are sent again at once.
JOB_REQUEUE_AFTER_SECONDS = env_int("CRM_JOB_REQUEUE_AFTER_SECONDS", 600)
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "purge-finished-jobs": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 24 * 3600,
        "args": ("jobs.purge_finished",),
    },
    "requeue-stale-jobs": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 300,
        "args": ("jobs.requeue_stale",),
    },
    "rescore-open-leads": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 24 * 3600,
        "args": ("leads.rescore_open",),
    },
    "retrain-lead-models": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 6 * 3600,  # each tenant retrains only when its own period (default 7 days) is up
        "args": ("leads.retrain_if_due",),
    },
    "rescore-customer-churn": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 24 * 3600,  # recency features age every day; no-op for tenants without a churn model
        "args": ("lifecycle.churn_rescore_all",),
    },
    "purge-stale-import-uploads": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 24 * 3600,
        "args": ("leads.purge_stale_uploads",),
    },
    "purge-stale-customer-import-uploads": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 24 * 3600,
        "args": ("lifecycle.purge_stale_uploads",),
    },
    "refresh-lead-priorities": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 24 * 3600,  # retrains each tenant's text model weekly when its history allows
        "args": ("leads.refresh_priorities",),
    },
    "recompute-customer-stages": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 24 * 3600,  # tenure and inactivity move customers between stages as days pass
        "args": ("lifecycle.stages_recompute",),
    },
    "purge-expired-privacy-exports": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 3600,  # bundles live for hours, so look hourly
        "args": ("privacy.purge_expired_exports",),
    },
    "purge-expired-voice-audio": {
        "task": "crm_saas.fan_out_to_tenants",
        "schedule": 24 * 3600,  # each tenant's own retention_days decides what has expired
        "args": ("voice.purge_expired_audio",),
    },
}

# --- Integrations (API keys, webhooks, idempotent POSTs) ----------------------------------------
# Webhooks may target private, loopback and link-local addresses only outside production (SSRF).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("CRM_WEBHOOK_ALLOW_PRIVATE_TARGETS", not IS_PRODUCTION)
# Seconds to wait before each retry of a failed delivery: 1 min, 5 min, 30 min, 2 h, 6 h.
WEBHOOK_RETRY_DELAYS = [
    int(value) for value in env_list("CRM_WEBHOOK_RETRY_DELAYS", ["60", "300", "1800", "7200", "21600"])
]
# A subscription is switched off after this many deliveries in a row failed every retry.
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("CRM_WEBHOOK_DISABLE_AFTER_FAILURES", 5)
WEBHOOK_TIMEOUT_SECONDS = env_int("CRM_WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_DELIVERY_RETENTION_DAYS = env_int("CRM_WEBHOOK_DELIVERY_RETENTION_DAYS", 30)
IDEMPOTENCY_TTL_HOURS = env_int("CRM_IDEMPOTENCY_TTL_HOURS", 24)
CELERY_BEAT_SCHEDULE["purge-idempotency-records"] = {
    "task": "crm_saas.fan_out_to_tenants",
    "schedule": 3600,
    "args": ("integrations.purge_idempotency_records",),
}
CELERY_BEAT_SCHEDULE["purge-old-webhook-deliveries"] = {
    "task": "crm_saas.fan_out_to_tenants",
    "schedule": 24 * 3600,
    "args": ("integrations.purge_webhook_deliveries",),
}
# --- Privacy ------------------------------------------------------------------------------------
# How long a person's data export can be downloaded before its bundle is deleted from the store.
PRIVACY_EXPORT_TTL_HOURS = env_int("CRM_PRIVACY_EXPORT_TTL_HOURS", 72)
if PRIVACY_EXPORT_TTL_HOURS < 1:
    raise ImproperlyConfigured("CRM_PRIVACY_EXPORT_TTL_HOURS must be at least 1.")
# How long an offboarded tenant's archive is kept for the operators to hand over; then an hourly
# task in the public schema deletes it (the expiry date is fixed when the archive is made).
OFFBOARDING_ARCHIVE_DAYS = env_int("CRM_OFFBOARDING_ARCHIVE_DAYS", 30)
if OFFBOARDING_ARCHIVE_DAYS < 1:
    raise ImproperlyConfigured("CRM_OFFBOARDING_ARCHIVE_DAYS must be at least 1.")
CELERY_BEAT_SCHEDULE["purge-expired-offboarding-archives"] = {
    # Platform work: queued by beat in the public schema, not fanned out to tenants.
    "task": "privacy.purge_expired_offboarding_archives",
    "schedule": 3600,
}

# --- Email and logging --------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crm@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
