"""From an empty database: `migrate_schemas --shared` then `provision_tenant` is all it takes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from crm_saas.testing.processes import child_database_url

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_database(django_db_setup, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        url = urlsplit(child_database_url())
    name = f"{url.path.lstrip('/')}_fresh"
    admin = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield urlunsplit(url._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "crm_saas.settings.base"}
    env.pop("CRM_ENV", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


PROVISION_ACME = (
    "provision_tenant",
    "acme",
    *("--name", "Acme Inc", "--domain", "acme.localhost"),
    *("--admin-email", "admin@acme.test", "--admin-password", "Acme-admin-pass-1"),
)


def test_fresh_database_needs_only_two_commands(empty_database: str) -> None:
    migrated = manage(empty_database, "migrate_schemas", "--shared", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    provisioned = manage(empty_database, *PROVISION_ACME)
    assert provisioned.returncode == 0, provisioned.stderr
    assert "Tenant 'acme' ready at acme.localhost" in provisioned.stdout
    again = manage(empty_database, *PROVISION_ACME)
    assert again.returncode != 0
    assert "A tenant with schema 'acme' already exists." in again.stderr

    with psycopg.connect(empty_database) as conn:
        tenants = conn.execute("SELECT schema_name FROM tenants_tenant ORDER BY schema_name").fetchall()
        domains = conn.execute("SELECT domain FROM tenants_domain ORDER BY domain").fetchall()
        admins = conn.execute("SELECT email, role FROM acme.accounts_user").fetchall()
    assert tenants == [("acme",), ("public",)]
    assert domains == [("acme.localhost",), ("localhost",)]
    assert admins == [("admin@acme.test", "admin")]


def test_migrations_match_the_models(django_db_setup) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=BASE_DIR,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert connection.settings_dict["NAME"].startswith("test_")
