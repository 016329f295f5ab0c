"""Benchmark: how long it takes to provision a tenant, and to migrate many tenants.

Runs against its own throwaway database (``crm_saas_bench`` on 127.0.0.1:5432, or
BENCH_DATABASE_URL), with the production password hasher, and prints:

- single-tenant provisioning through the product's own service (schema + migrations + domain +
  first admin), over several runs, with the password-hashing share shown separately;
- migrating N tenant schemas from empty, with django-tenants' standard executor and its
  multiprocessing executor side by side, and a no-op migrate over all of them.

Usage: .venv/bin/python bench/tenant_provisioning.py [--tenants 100] [--provisions 10] [--keep]
Figures are also written to bench/results/tenant_provisioning.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from contextlib import redirect_stdout

from common import BASE_DIR, django_setup, recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_saas_bench"


def _timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - started


def _quietly(function, *args, **kwargs) -> float:
    with redirect_stdout(io.StringIO()):
        return _timed(function, *args, **kwargs)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {
        "median_s": round(statistics.median(ordered), 4),
        "p90_s": round(p90, 4),
        "min_s": round(ordered[0], 4),
        "max_s": round(ordered[-1], 4),
        "runs": len(ordered),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=100, help="schemas to migrate (default 100)")
    parser.add_argument("--provisions", type=int, default=10, help="single provisionings to time (default 10)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    django_setup(database_url=url, data_dir=BASE_DIR / ".data" / "bench")
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import Tenant
    from tenants.services import tenant_ensure_public, tenant_provision

    figures: dict[str, object] = {"tenants": args.tenants, "provisions": args.provisions}
    try:
        _quietly(call_command, "migrate_schemas", shared=True, verbosity=0)
        tenant_ensure_public()
        figures["tenant_migrations"] = _tenant_migration_count()

        # --- single provisioning -----------------------------------------------------------
        hashing = [_timed(make_password, "Bench-admin-password-1") for _ in range(3)]
        figures["password_hash"] = summary(hashing)
        provisions = []
        for index in range(args.provisions):
            provisions.append(
                _quietly(
                    tenant_provision,
                    schema_name=f"bench_p{index:03}",
                    name=f"Bench {index}",
                    domain=f"bench-p{index:03}.localhost",
                    admin_email="admin@bench.test",
                    admin_password="Bench-admin-password-1",
                )
            )
        figures["provision"] = summary(provisions)

        # --- migrating many schemas ------------------------------------------------------
        schemas = [f"bench_m{index:04}" for index in range(args.tenants)]
        for schema in schemas:
            tenant = Tenant(schema_name=schema, name=schema)
            tenant.auto_create_schema = False
            tenant.save()

        def empty_schemas() -> None:
            with connection.cursor() as cursor:
                for schema in schemas:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')

        def migrate_all(executor: str) -> float:
            return _quietly(call_command, "migrate_schemas", tenant=True, executor=executor, verbosity=0)

        results = {}
        for executor in ("standard", "multiprocessing"):
            empty_schemas()
            results[executor] = migrate_all(executor)
        figures["migrate_from_empty_s"] = {name: round(value, 2) for name, value in results.items()}
        figures["migrate_from_empty_per_tenant_s"] = {
            name: round(value / (args.tenants + args.provisions), 4) for name, value in results.items()
        }
        figures["migrate_noop_s"] = round(
            _quietly(call_command, "migrate_schemas", tenant=True, executor="standard", verbosity=0), 2
        )
        figures["schemas_migrated"] = args.tenants + args.provisions
    finally:
        connection.close()
        if not args.keep:
            recreate_database(url, drop_only=True)

    _print(figures)
    out = BASE_DIR / "bench" / "results" / "tenant_provisioning.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    print(f"\nWritten to {out.relative_to(BASE_DIR)}")
    return 0


def _tenant_migration_count() -> int:
    from django.conf import settings
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS} | {"accounts", "audit", "jobs"}
    return sum(1 for app_label, _ in loader.disk_migrations if app_label in tenant_labels)


def _print(figures: dict) -> None:
    provision, hashing = figures["provision"], figures["password_hash"]
    rows = [
        ("tenant migrations per schema", f"{figures['tenant_migrations']}"),
        ("provision one tenant, median", f"{provision['median_s']:.3f} s (target <= 1 s)"),
        (
            "provision one tenant, p90 / min / max",
            f"{provision['p90_s']:.3f} / {provision['min_s']:.3f} / "
            f"{provision['max_s']:.3f} s over {provision['runs']} runs",
        ),
        ("  of which hashing the admin password", f"{hashing['median_s']:.3f} s (PBKDF2, production setting)"),
    ]
    count = figures["schemas_migrated"]
    for executor, seconds in figures["migrate_from_empty_s"].items():
        per = figures["migrate_from_empty_per_tenant_s"][executor]
        rows.append((f"migrate {count} schemas from empty, {executor}", f"{seconds:.1f} s ({per:.3f} s per tenant)"))
    standard, parallel = figures["migrate_from_empty_s"]["standard"], figures["migrate_from_empty_s"]["multiprocessing"]
    rows.append(("  multiprocessing vs standard", f"{standard / parallel:.2f}x faster" if parallel else "n/a"))
    rows.append((f"migrate {count} schemas, nothing to apply", f"{figures['migrate_noop_s']:.1f} s"))
    width = max(len(name) for name, _ in rows)
    print("\nTenant provisioning and migration (crm_saas)")
    print("-" * (width + 40))
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    sys.exit(main())
