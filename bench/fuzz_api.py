"""Fuzz the whole tenant API from its OpenAPI schema and print what came back.

    .venv/bin/python bench/fuzz_api.py [--examples 8] [--database-url postgres://...]

Builds a throwaway database with one tenant, signs in as its admin, and sends generated requests
(schemathesis, valid and invalid) to every operation of /api/schema/ through the WSGI app: prints
the number of requests, the status histogram and every failure (a 5xx, or a 4xx whose body is not
{"detail": str, "errors": {field: [str]}}), and writes them to bench/results/fuzz_api.json.
Exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_tenant, django_setup, recreate_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=8, help="generated requests per operation and mode")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_fuzz_api")
    args = parser.parse_args()

    recreate_database(args.database_url)
    try:
        with tempfile.TemporaryDirectory(prefix="crm-fuzz-") as data_dir:
            # Production error handling: DEBUG pages are HTML by design and never served to clients.
            os.environ["DJANGO_DEBUG"] = "false"
            # Throttling would answer 429 to most of a fast run instead of exercising the endpoints.
            for scope in ("ANON", "USER", "AUTH"):
                os.environ[f"CRM_THROTTLE_{scope}"] = "1000000/min"
            django_setup(database_url=args.database_url, data_dir=Path(data_dir))
            from django.db import connection
            from django_tenants.utils import schema_context

            from crm_saas.testing.fuzz import fuzz_api, fuzz_seed
            from crm_saas.wsgi import application
            from tenants.accounts.models import User
            from tenants.accounts.services import token_issue

            bench_tenant("fuzz")

            def token() -> str:
                with schema_context("fuzz"):
                    return token_issue(user=User.objects.get(email="admin@fuzz.test")).key

            with schema_context("fuzz"):
                known_ids = fuzz_seed(actor=User.objects.get(email="admin@fuzz.test"))
            started = time.perf_counter()
            report = fuzz_api(
                app=application,
                host="fuzz.localhost",
                token=token,
                examples_per_operation=args.examples,
                known_ids=known_ids,
            )
            elapsed = time.perf_counter() - started
            print(report.summary())
            print(f"elapsed: {elapsed:.1f} s ({report.requests / elapsed:.1f} requests/s)")
            result = {
                "operations": report.operations,
                "requests": report.requests,
                "examples_per_operation_and_mode": args.examples,
                "status_histogram": {str(status): count for status, count in sorted(report.statuses.items())},
                "failures": len(report.failures),
                "distinct_failures": [
                    {"operation": f.operation, "status": f.status, "reason": f.reason}
                    for f in report.distinct_failures()
                ],
                "elapsed_seconds": round(elapsed, 1),
            }
            out = Path(__file__).resolve().parent / "results" / "fuzz_api.json"
            out.parent.mkdir(exist_ok=True)
            out.write_text(json.dumps(result, indent=2))
            connection.close()
    finally:
        recreate_database(args.database_url, drop_only=True)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
