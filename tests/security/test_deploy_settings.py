"""The production settings module: `check --deploy` is clean, HTTPS-only cookies and HSTS are on,
a contradictory CRM_ENV or a missing secret stops start-up, and logs are JSON lines on stdout."""

from __future__ import annotations

import base64
import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from crm_saas.testing.processes import child_env

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    """A realistic production environment (every secret random, as an operator would set it)."""
    env = child_env()
    # DJANGO_ALLOW_ASYNC_UNSAFE: set in this test process by the browser tests' fixtures, never in production.
    for name in (
        "CRM_ENV",
        "DJANGO_DEBUG",
        "CRM_STATIC_USE_FINDERS",
        "CRM_WEBHOOK_RETRY_DELAYS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="crm_saas.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=".crm.example.com,crm.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://*.crm.example.com,https://crm.example.com",
        CRM_PUBLIC_DOMAIN="crm.example.com",
        CRM_MASTER_KEYS=f"k1:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )
    env.update(overrides)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_notices_a_weak_secret_key() -> None:
    """The check is not vacuous: the same command fails on a short secret key."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(DJANGO_SECRET_KEY="short"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "CRM_ENV", "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "WHITENOISE_USE_FINDERS")} | {"conn_max_age": s.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": s.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "csp": "crm_saas.middleware.ContentSecurityPolicyMiddleware" in s.MIDDLEWARE}))
"""


def test_production_settings_turn_on_https_only_behaviour() -> None:
    result = run_python(PRINT_SETTINGS, production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "CRM_ENV": "production",
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "WHITENOISE_USE_FINDERS": False,
        "conn_max_age": 60,
        "health_checks": True,
        "csp": True,
    }


@pytest.mark.parametrize(
    ("overrides", "removed", "message"),
    [
        ({"CRM_ENV": "development"}, None, "contradicts crm_saas.settings.production"),
        ({}, "DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY is required"),
        ({}, "DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS is required"),
        ({}, "CRM_MASTER_KEYS", "CRM_MASTER_KEYS is required"),
        ({"LOG_FORMAT": "xml"}, None, "LOG_FORMAT='xml'"),
        ({"CRM_OFFBOARDING_ARCHIVE_DAYS": "0"}, None, "CRM_OFFBOARDING_ARCHIVE_DAYS must be at least 1"),
        ({"CRM_OFFBOARDING_ARCHIVE_DAYS": "a month"}, None, "CRM_OFFBOARDING_ARCHIVE_DAYS='a month' is not an integer"),
    ],
)
def test_production_refuses_to_start_misconfigured(overrides: dict, removed: str | None, message: str) -> None:
    env = production_env(**overrides)
    if removed:
        env.pop(removed)
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_logs_json_lines_on_stdout() -> None:
    code = "import django, logging; django.setup(); logging.getLogger('crm_saas.probe').warning('hello %s', 'ops')"
    result = run_python(code, production_env())
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["level"] == "WARNING" and record["logger"] == "crm_saas.probe" and record["message"] == "hello ops"

    plain = run_python(code, production_env(LOG_FORMAT="plain"))
    assert "WARNING crm_saas.probe hello ops" in plain.stdout


ENV_READ = re.compile(
    r"""(?:env_(?:str|int|bool|list)\(|environ(?:\.get)?[\[(]|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)
TEST_ONLY = {"CRM_TEST_DATABASE_NAME"}


def test_every_environment_variable_the_product_reads_is_documented() -> None:
    names: set[str] = set()
    for folder in ("crm_saas", "leads", "lifecycle", "voice", "ml", "tenants", "scripts"):
        for path in (BASE_DIR / folder).rglob("*.py"):
            if "tests" not in path.parts and "testing" not in path.parts:
                names |= set(ENV_READ.findall(path.read_text()))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CRM_MASTER_KEYS", "LOG_FORMAT"} <= names
    guide = (BASE_DIR / "docs" / "deploy.md").read_text()
    undocumented = sorted(name for name in names - TEST_ONLY if f"`{name}`" not in guide)
    assert undocumented == [], f"add these to docs/deploy.md: {undocumented}"
