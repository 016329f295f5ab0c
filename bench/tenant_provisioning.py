"""Benchmark: how long it takes to provision a tenant, and to migrate a fleet of tenants.

Runs against its own throwaway database (``crm_saas_bench`` on 127.0.0.1:5432, or
BENCH_DATABASE_URL; its name must contain "bench", because it is dropped and re-created), with the
development settings, DEBUG off and Django's default (production) password hasher. It measures:

1. One tenant, ``--provisions`` times each way, alternating: the product's own ``tenant_provision``
   service (create the schema with every tenant migration applied, the domain, the first admin
   and the audit rows, in one transaction),
   - as the product does it: the schema built by replaying the process's recording of the first
     schema's migration (``tenants.schema_builder``);
   - against migrating the empty schema with Django's migration executor (the recording dropped
     before each run, so each run migrates).
   Median, p90, min and max seconds, and the ratio of the medians. One ``make_password`` of the
   admin password is timed on its own, so the share spent hashing is visible.
2. A fleet of ``--tenants`` tenants:
   - creating them one by one with ``Tenant(...).save()`` (total and per-tenant seconds);
   - ``migrate_schemas --tenant`` over every tenant schema when there is nothing to apply (the
     cost every deploy pays);
   - the same with pending migrations, as in a release that changes the leads tables: every
     schema's ``leads`` app is rolled back to ``--pending-from`` (default
     ``0008_work_list_indexes``), so the later leads migrations (a new column, a new table, new
     indexes) are applied to each schema;
   both with django-tenants' ``standard`` executor and its ``multiprocessing`` one.

Usage:
    .venv/bin/python bench/tenant_provisioning.py [--tenants 100] [--provisions 10]
        [--pending-from 0008_work_list_indexes] [--processes N] [--keep]

Prints a table and writes the figures to bench/results/tenant_provisioning.json. The database is
dropped at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime
from urllib.parse import urlsplit

from common import BASE_DIR, django_setup, recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_saas_bench"
ADMIN_PASSWORD = "Bench-admin-password-1"
EXECUTORS = ("standard", "multiprocessing")
PENDING_APP, PENDING_FROM = "leads", "0008_work_list_indexes"
RESULTS = BASE_DIR / "bench" / "results" / "tenant_provisioning.json"


def timed(function: Callable, *args, **kwargs) -> float:
    """Seconds one call takes, with anything it prints swallowed."""
    with redirect_stdout(io.StringIO()):
        started = time.perf_counter()
        function(*args, **kwargs)
        return time.perf_counter() - started


def summary(samples: list[float]) -> dict[str, float]:
    """Median, nearest-rank p90, min and max of ``samples`` (seconds)."""
    ordered = sorted(samples)
    return {
        "median_s": round(statistics.median(ordered), 4),
        "p90_s": round(ordered[math.ceil(0.9 * len(ordered)) - 1], 4),
        "min_s": round(ordered[0], 4),
        "max_s": round(ordered[-1], 4),
        "runs": len(ordered),
    }


def per_tenant(total: float, schemas: int) -> dict[str, float]:
    return {"total_s": round(total, 2), "per_tenant_s": round(total / schemas, 4)}


def bench_database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if "bench" not in urlsplit(url).path:
        raise SystemExit(f"Refusing to drop {url!r}: the bench database's name must contain 'bench'.")
    return url


# --- 1. one tenant ---------------------------------------------------------------------------------


def bench_password_hash(runs: int = 5) -> dict:
    from django.contrib.auth.hashers import get_hasher, make_password

    hasher = get_hasher()
    return {
        "hasher": hasher.algorithm,
        "iterations": getattr(hasher, "iterations", None),
        **summary([timed(make_password, ADMIN_PASSWORD) for _ in range(runs)]),
    }


def bench_provision(count: int) -> tuple[dict, str]:
    """``tenant_provision`` with the schema replayed and with it migrated, alternating; returns the
    figures and the first schema provisioned."""
    from tenants.schema_builder import schema_recordings_forget
    from tenants.services import tenant_provision

    def provision(schema: str) -> float:
        return timed(
            tenant_provision,
            schema_name=schema,
            name=f"Bench {schema}",
            domain=f"{schema.replace('_', '-')}.localhost",
            admin_email=f"admin@{schema.replace('_', '-')}.test",
            admin_password=ADMIN_PASSWORD,
        )

    first = "bench_p_first"
    provision(first)  # records the migration this process replays
    replayed, migrated = [], []
    for index in range(count):
        replayed.append(provision(f"bench_pr{index:03}"))
        schema_recordings_forget()
        migrated.append(provision(f"bench_pm{index:03}"))  # migrates, and records again
    figures = {"replayed": summary(replayed), "migrated": summary(migrated)}
    figures["migrated_vs_replayed"] = round(figures["migrated"]["median_s"] / figures["replayed"]["median_s"], 2)
    return figures, first


def applied_migrations(schema: str) -> set[tuple[str, str]]:
    """(app, name) of the migrations recorded in ``schema``."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder
    from django_tenants.utils import schema_context

    with schema_context(schema):
        return set(MigrationRecorder(connection).applied_migrations())


def schema_contents(schema: str) -> dict[str, int]:
    """What one freshly provisioned schema holds: migrations recorded, migrations of tenant apps
    (the others are recorded but not run in a tenant schema), and tables."""
    from django.apps import apps
    from django.conf import settings
    from django.db import connection

    tenant_labels = {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}
    recorded = applied_migrations(schema)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [schema])
        (tables,) = cursor.fetchone()
    return {
        "migrations_recorded": len(recorded),
        "tenant_app_migrations": sum(1 for app, _ in recorded if app in tenant_labels),
        "tables": tables,
    }


# --- 2. a fleet of tenants ---------------------------------------------------------------------------


def bench_fleet_create(count: int) -> dict:
    from tenants.models import Tenant

    samples = []
    for index in range(count):
        tenant = Tenant(schema_name=f"bench_f{index:04}", name=f"Fleet {index:04}")
        samples.append(timed(tenant.save, verbosity=0))
    return {**per_tenant(sum(samples), count), **summary(samples)}


def migrate_tenants(executor: str, *args: str) -> float:
    from django.core.management import call_command

    return timed(call_command, "migrate_schemas", *args, tenant=True, executor=executor, interactive=False, verbosity=0)


def bench_pending(schemas: int, probe_schema: str, pending_from: str) -> dict:
    """Roll every schema's leads app back, then time applying the leads migrations again."""
    before = applied_migrations(probe_schema)
    figures: dict[str, object] = {}
    for executor in EXECUTORS:
        rollback = migrate_tenants("standard", PENDING_APP, pending_from)
        pending = before - applied_migrations(probe_schema)
        if not pending:
            raise RuntimeError(f"Rolling {PENDING_APP} back to {pending_from} left nothing to apply.")
        figures[executor] = {**per_tenant(migrate_tenants(executor), schemas), "rollback_s": round(rollback, 2)}
        if applied_migrations(probe_schema) != before:
            raise RuntimeError(f"migrate_schemas ({executor}) did not re-apply every rolled-back migration.")
    figures["pending"] = [f"{app}.{name}" for app, name in sorted(pending)]
    return figures


# --- running and reporting ---------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import Tenant
    from tenants.services import tenant_ensure_public

    if args.processes:
        settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = args.processes
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    figures: dict[str, object] = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": {
            "python": platform.python_version(),
            "django": django.get_version(),
            "postgresql": postgres,
            "cpus": os.cpu_count(),
            "multiprocessing_processes": getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2),
        },
        "migrate_shared_s": round(timed(call_command, "migrate_schemas", shared=True, verbosity=0), 2),
    }
    tenant_ensure_public()

    figures["password_hash"] = bench_password_hash()
    figures["provision"], first_schema = bench_provision(args.provisions)
    figures["schema"] = schema_contents(first_schema)

    figures["fleet_create"] = bench_fleet_create(args.tenants)
    schemas = list(Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
    figures["schemas_migrated"] = len(schemas)
    figures["migrate_noop"] = {executor: per_tenant(migrate_tenants(executor), len(schemas)) for executor in EXECUTORS}
    figures["migrate_pending"] = bench_pending(len(schemas), first_schema, args.pending_from)
    return figures


def report(figures: dict) -> None:
    env, hashing, provision = figures["environment"], figures["password_hash"], figures["provision"]
    replayed, migrated = provision["replayed"], provision["migrated"]
    schema, fleet, pending = figures["schema"], figures["fleet_create"], figures["migrate_pending"]
    width = 58

    def row(label: str, value: str) -> str:
        return f"{label:<{width}}{value}"

    lines = [
        "Tenant provisioning and migration (crm_saas)",
        f"Python {env['python']}, Django {env['django']}, PostgreSQL {env['postgresql']}, {env['cpus']} CPUs",
        "",
        row(f"One tenant: tenant_provision, {replayed['runs']} runs each", "seconds"),
        row(
            "  schema replayed (as the product does): median / p90",
            f"{replayed['median_s']:.3f} / {replayed['p90_s']:.3f}",
        ),
        row("  schema migrated from empty: median / p90", f"{migrated['median_s']:.3f} / {migrated['p90_s']:.3f}"),
        row("  migrated vs replayed (ratio of medians)", f"{provision['migrated_vs_replayed']:.2f}x"),
        row(
            "  of which one make_password, median",
            f"{hashing['median_s']:.3f}  ({hashing['hasher']}, {hashing['iterations']:,} iterations)",
        ),
        row("  replayed minus the hash, median", f"{replayed['median_s'] - hashing['median_s']:.3f}"),
        f"  schema made: {schema['tables']} tables, {schema['tenant_app_migrations']} tenant-app migrations run"
        f" ({schema['migrations_recorded']} recorded)",
        "",
        row(f"Fleet of {fleet['runs']} tenants", " total s   per tenant s"),
        row("  created one by one with Tenant.save()", f"{fleet['total_s']:8.1f}   {fleet['per_tenant_s']:.3f}")
        + f"  (median {fleet['median_s']:.3f}, p90 {fleet['p90_s']:.3f}, max {fleet['max_s']:.3f})",
        f"  migrate_schemas --tenant over all {figures['schemas_migrated']} tenant schemas:",
    ]
    cases = [
        ("nothing to apply", figures["migrate_noop"]),
        (f"{len(pending['pending'])} pending leads migrations", pending),
    ]
    for label, case in cases:
        for executor in EXECUTORS:
            processes = f" ({env['multiprocessing_processes']} proc.)" if executor == "multiprocessing" else ""
            seconds = case[executor]
            lines.append(
                row(f"    {label}, {executor}{processes}", f"{seconds['total_s']:8.1f}   {seconds['per_tenant_s']:.3f}")
            )
    lines.append(f"  pending migrations: {', '.join(pending['pending'])}")
    print("\n" + "\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=100, help="tenants in the fleet (default 100)")
    parser.add_argument("--provisions", type=int, default=10, help="single provisionings to time (default 10)")
    parser.add_argument(
        "--processes", type=int, default=0, help="multiprocessing executor processes (default: setting)"
    )
    parser.add_argument(
        "--pending-from",
        default=PENDING_FROM,
        help=f"roll every schema's {PENDING_APP} app back to this migration before the pending run",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    if args.tenants < 1 or args.provisions < 1:
        parser.error("--tenants and --provisions must be at least 1")

    url = bench_database_url()
    recreate_database(url)
    os.environ.setdefault("DJANGO_DEBUG", "false")  # as in production: no query log kept in memory
    django_setup(database_url=url, data_dir=BASE_DIR / ".data" / "bench")
    from django.db import connection

    try:
        figures = {
            "tenants": args.tenants,
            "provisions": args.provisions,
            "pending_from": args.pending_from,
            **run(args),
        }
    finally:
        connection.close()
        if not args.keep:
            recreate_database(url, drop_only=True)

    report(figures)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nWritten to {RESULTS.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
