"""What every benchmark needs: a throwaway database and Django configured to use it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    """Drop the database named in ``url`` (forcefully) and, unless ``drop_only``, create it empty."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = sql.Identifier(parts.path.lstrip("/"))
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def django_setup(*, database_url: str, data_dir: Path) -> None:
    """Point the product at the bench database (development settings, tasks in-process, DEBUG off
    as deployed: no query log kept, no debug cursor)."""
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "crm_saas.settings.base",
            "CRM_ENV": "development",
            "CRM_TASKS_IN_PROCESS": "true",
            "CRM_DATA_DIR": str(data_dir),
            "OBJECT_STORAGE_ROOT": str(data_dir / "objects"),
        }
    )
    import django

    django.setup()


def bench_tenant(schema: str) -> None:
    """Migrate the shared schema (if needed) and provision a tenant ``schema`` to measure in."""
    from django.core.management import call_command

    from tenants.services import tenant_provision

    call_command("migrate_schemas", shared=True, verbosity=0)
    tenant_provision(
        schema_name=schema,
        name=f"Bench {schema}",
        domain=f"{schema.replace('_', '-')}.localhost",
        admin_email=f"admin@{schema.replace('_', '-')}.test",
        admin_password="Bench-admin-password-1",
    )


def import_leads_csv(path: Path, *, actor: object, outcome: str | None, external_id: str | None) -> dict:
    """Run a CSV through the product's own import (store, plan, job handler) in this process."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm_saas.jobs.models import Job
    from leads.imports.service import lead_import_plan, lead_import_run, lead_import_store

    with path.open("rb") as handle:
        key, size = lead_import_store(upload=SimpleUploadedFile(path.name, handle.read()))
    plan, _ = lead_import_plan(key=key, outcome_column=outcome, external_id_column=external_id)
    job = Job.objects.create(
        kind="leads.import", created_by=actor, params={"object_key": key, "size": size, "plan": plan.to_dict()}
    )
    return lead_import_run(job, lambda percent: None)
