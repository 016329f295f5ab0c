"""Benchmark: importing a large lead CSV through the product, against a plain COPY of the same file.

Generates a realistic CSV (default 100,000 rows: names, companies, e-mails, sources, an outcome, an
external id and a dozen extra columns of numbers, yes/no and categories), then, in one run:

- the product's own path: store the upload, build the plan, and stream it through the import job's
  handler (parsing, validation, typed attributes, batched writes) in a fresh tenant;
- the floor: PostgreSQL's COPY of the same file into a bare table of text columns.

Usage: .venv/bin/python bench/lead_import.py [--rows 100000] [--keep]
Figures are also written to bench/results/lead_import.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import BASE_DIR, bench_tenant, django_setup, import_leads_csv, recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_saas_bench_import"

SOURCES = ["Referral", "Web", "Event", "Partner", "Cold call", "Select"]
INDUSTRIES = ["Software", "Retail", "Finance", "Health", "Logistics", "Education"]


def generate_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    header = [
        "Lead ID",
        "Full Name",
        "Company",
        "Email",
        "Lead Source",
        "Industry",
        "Country",
        "Converted",
        "Total Visits",
        "Time On Site",
        "Pages Per Visit",
        "Do Not Email",
        "Newsletter",
        "Plan Interest",
        "Budget",
        "Employees",
        "Webinar",
        "Region",
        "Notes",
    ]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(rows):
            visits = rng.randint(0, 30)
            writer.writerow(
                [
                    f"L{n:07}",
                    f"Person {n}",
                    f"Company {n % 5000}",
                    f"person{n}@example{n % 97}.test",
                    rng.choice(SOURCES),
                    rng.choice(INDUSTRIES),
                    rng.choice(["India", "UK", "US", "DE", ""]),
                    rng.choice(["0", "1"]),
                    visits,
                    rng.randint(0, 3000),
                    round(rng.random() * 6, 2),
                    rng.choice(["Yes", "No"]),
                    rng.choice(["Yes", "No"]),
                    rng.choice(["Basic", "Pro", "Enterprise"]),
                    rng.randint(0, 100000),
                    rng.choice(["1-10", "11-50", "51-200", "201-1000"]),
                    rng.choice(["yes", "no"]),
                    rng.choice(["North", "South", "East", "West"]),
                    rng.choice(["", "called back", "asked for pricing", "no answer"]),
                ]
            )


def copy_baseline(url: str, path: Path) -> float:
    import psycopg
    from psycopg import sql

    with path.open() as handle:
        header = next(csv.reader(handle))
    columns = [sql.SQL("{} text").format(sql.Identifier(f"c{index}")) for index in range(len(header))]
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("CREATE TABLE bare_import ({})").format(sql.SQL(", ").join(columns)))
        started = time.perf_counter()
        with (
            conn.cursor().copy("COPY bare_import FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as source,
        ):
            while chunk := source.read(1024 * 1024):
                copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    data_dir = Path(tempfile.mkdtemp(prefix="crm-bench-import-"))
    csv_path = data_dir / "leads.csv"
    generate_csv(csv_path, args.rows)
    size_mb = csv_path.stat().st_size / 1e6

    django_setup(database_url=url, data_dir=data_dir)
    from django_tenants.utils import schema_context

    from leads.models import Lead
    from tenants.accounts.models import User

    try:
        bench_tenant("bench")
        with schema_context("bench"):
            actor = User.objects.get()
            started = time.perf_counter()
            result = import_leads_csv(csv_path, actor=actor, outcome="Converted", external_id="Lead ID")
            product_s = time.perf_counter() - started
            assert result["created"] == args.rows and result["failed"] == 0, result
            assert Lead.objects.count() == args.rows
        copy_s = copy_baseline(url, csv_path)
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            recreate_database(url, drop_only=True)

    figures = {
        "rows": args.rows,
        "file_mb": round(size_mb, 1),
        "product_import_s": round(product_s, 2),
        "product_rows_per_s": round(args.rows / product_s),
        "copy_s": round(copy_s, 2),
        "copy_rows_per_s": round(args.rows / copy_s),
        "product_vs_copy": round(product_s / copy_s, 1),
        # The import ran here as the worker runs it (the job's handler): this process's peak memory.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(f"\nLead CSV import, {args.rows:,} rows ({size_mb:.1f} MB), side by side")
    print("-" * 72)
    rate = figures["product_rows_per_s"]
    print(f"crm_saas import (parse, validate, type, upsert)  {product_s:7.2f} s  {rate:>8,} rows/s")
    print(f"PostgreSQL COPY into a bare text table           {copy_s:7.2f} s  {figures['copy_rows_per_s']:>8,} rows/s")
    print(f"ratio                                            {figures['product_vs_copy']:.1f}x the time of COPY")
    print(f"peak memory of the importing process             {figures['peak_rss_mb']} MB")
    out = BASE_DIR / "bench" / "results" / "lead_import.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    print(f"\nWritten to {out.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
