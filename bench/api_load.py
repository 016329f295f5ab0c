"""Benchmark: mixed API load against gunicorn on 127.0.0.1, with a real Celery worker behind it.

A tenant with the X Education leads imported and a trained model (as in bench/lead_scoring.py);
then keep-alive clients send, for ``--duration`` seconds (default 60), a mix like a CRM's day:
45% lead lists (filtered, ordered by score), 25% lead details, 20% single-lead scores with reasons,
10% lead creations (each queues its scoring on the worker). The web server and the worker run with
the production settings, as behind the TLS-terminating proxy of docs/deploy.md. Prints throughput (target >= 200
requests/s), errors (target 0), p50/p99 latency per kind and overall, and the peak resident memory
of the web server (master and workers) and of the worker during the load.

The load comes from wrk (Debian package ``wrk``) when it is installed, else from Python threads
(``--python-client`` forces them; they take CPU from the server on a small machine).

Usage: .venv/bin/python bench/api_load.py [--duration 60] [--concurrency 16] [--workers 4]
Needs Redis (REDIS_URL, default redis://127.0.0.1:6379/3 for the broker). Figures are written to
bench/results/api_load.json.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BASE_DIR, bench_tenant, django_setup, import_leads_csv, recreate_database
from loadgen import PeakRss, load, wait_for, wrk_available, wrk_load

DATASET = BASE_DIR.parent / "shared" / "datasets" / "x_education_leads" / "Leads.csv"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_saas_bench_load"
HOST = "load.localhost"
MIX = {"list": 45, "detail": 25, "score": 20, "create": 10}
TARGET_RPS = 200


def requests_for(token: str, lead_ids: list[int]) -> dict[str, object]:
    # As from the TLS-terminating reverse proxy of docs/deploy.md (production settings redirect plain
    # HTTP to HTTPS otherwise).
    headers = {"Host": HOST, "Authorization": f"Token {token}", "X-Forwarded-Proto": "https"}
    json_headers = {**headers, "Content-Type": "application/json"}
    lists = [
        "/api/v1/leads/?ordering=-score",
        "/api/v1/leads/?band=A&ordering=-score",
        "/api/v1/leads/?status=new&page=2",
        "/api/v1/leads/?search=Clone",
    ]

    # {n}: a number unique to each request, so every create is a new lead.
    body = {"name": "Load {n}", "company": "Load Test Ltd", "source": "Referral"}
    create = ("POST", "/api/v1/leads/", json.dumps(body), json_headers)
    return {
        "list": [("GET", path, None, headers) for path in lists],
        "detail": [("GET", f"/api/v1/leads/{lead_id}/", None, headers) for lead_id in lead_ids],
        "score": [("GET", f"/api/v1/leads/{lead_id}/score/", None, headers) for lead_id in lead_ids],
        "create": [create],
    }


def python_sources(requests: list) -> list:
    """The Python client's form of the requests: bodies with {n} become functions of its random
    generator."""

    def unique(request: tuple) -> object:
        method, path, body, headers = request
        return lambda rng: (method, path, body.replace("{n}", f"{rng.random():.12f}"), headers)

    return [unique(request) if request[2] and "{n}" in request[2] else request for request in requests]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--python-client", action="store_true", help="send the load from Python threads even when wrk is installed"
    )
    args = parser.parse_args()
    if not DATASET.exists():
        print(f"Dataset missing: {DATASET}")
        return 1
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    broker = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    recreate_database(url)
    data_dir = Path(tempfile.mkdtemp(prefix="crm-bench-load-"))
    # One master key and one secret key for the set-up (development settings) and the served product
    # (production settings): both read the tenant's wrapped data key and the signed model files.
    os.environ["CRM_MASTER_KEYS"] = f"bench:{base64.b64encode(secrets.token_bytes(32)).decode()}"
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    django_setup(database_url=url, data_dir=data_dir)

    from django.db import connection
    from django_tenants.utils import schema_context

    from leads.models import Lead
    from leads.scoring.service import lead_model_train, leads_rescore_open
    from tenants.accounts.models import User
    from tenants.accounts.services import token_issue

    processes: list[subprocess.Popen] = []
    try:
        bench_tenant("load")
        with schema_context("load"):
            actor = User.objects.get()
            import_leads_csv(DATASET, actor=actor, outcome="Converted", external_id="Prospect ID")
            lead_model_train(actor=actor)
            ids = list(Lead.objects.order_by("pk").values_list("pk", flat=True)[:2000])
            Lead.objects.filter(pk__in=ids).update(status="new", converted_at=None, lost_at=None)
            leads_rescore_open()
            token = token_issue(user=actor).key
            # The table as autovacuum leaves it at rest (statistics, visibility map), not as a bulk
            # load and a rescoring of every row just left it: counts then use index-only scans.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE leads_lead")

        # Served as deployed: production settings (DEBUG off, persistent connections with health
        # checks), behind a proxy that terminates TLS. Rate limits would answer most of this load
        # with 429: they are not what is measured here.
        env = {
            **{name: value for name, value in os.environ.items() if name not in ("CRM_ENV", "DJANGO_DEBUG")},
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "crm_saas.settings.production",
            "DJANGO_ALLOWED_HOSTS": ".localhost,localhost",
            "LOG_FORMAT": "plain",
            "LOG_LEVEL": "WARNING",
            "CRM_THROTTLE_USER": "1000000/min",
            "CRM_TASKS_IN_PROCESS": "false",
            "REDIS_URL": broker,
        }
        port = 8741
        venv_bin = Path(sys.executable).parent
        web = subprocess.Popen(
            [
                *(str(venv_bin / "gunicorn"), "crm_saas.wsgi", "-b", f"127.0.0.1:{port}"),
                *("-w", str(args.workers), "--log-level", "warning"),
            ],
            cwd=BASE_DIR,
            env=env,
        )
        worker = subprocess.Popen(
            [
                *(str(venv_bin / "celery"), "-A", "crm_saas", "worker", "--concurrency=2"),
                *("--loglevel=WARNING", "-Q", "default,ml,voice"),
            ],
            cwd=BASE_DIR,
            env=env,
        )
        processes += [web, worker]
        wait_for(port, "/healthz", HOST)
        kinds = requests_for(token, ids)
        use_wrk = wrk_available() and not args.python_client
        if use_wrk:
            send = wrk_load
        else:
            kinds = {kind: python_sources(requests) for kind, requests in kinds.items()}
            send = load
        warm = [request for requests in kinds.values() for request in requests]
        send("127.0.0.1", port, warm, duration=5, concurrency=args.concurrency)

        every = [(kind, request) for kind, requests in kinds.items() for request in requests]
        weights = [MIX[kind] / len(kinds[kind]) for kind, _ in every]
        with PeakRss({"web": web.pid, "worker": worker.pid}) as memory:
            overall = send(
                "127.0.0.1",
                port,
                [request for _, request in every],
                weights=weights,
                duration=args.duration,
                concurrency=args.concurrency,
            )
        # Per kind, a short run each, for its own latency.
        per_kind = {
            kind: send("127.0.0.1", port, kinds[kind], duration=5, concurrency=args.concurrency) for kind in kinds
        }
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        connection.close()
        recreate_database(url, drop_only=True)

    figures = {
        "mixed": overall,
        "per_kind_5s": per_kind,
        "mix_percent": MIX,
        "target_rps": TARGET_RPS,
        "meets_target": overall["throughput_rps"] >= TARGET_RPS and overall["errors"] == 0,
        "peak_rss_mb": memory.peaks,
        "cpu_seconds_during_mixed": memory.cpu_seconds,
        "duration_s": args.duration,
        "concurrency": args.concurrency,
        "web_workers": args.workers,
        "load_generator": "wrk" if use_wrk else "python threads",
    }
    print(
        f"\nMixed API load: {args.concurrency} clients ({figures['load_generator']}), {args.duration:.0f} s, "
        f"gunicorn -w {args.workers}"
    )
    print("-" * 78)
    print(
        f"{'mixed':10} {overall['throughput_rps']:8.1f} req/s  p50 {overall.get('p50_ms', 0):7.2f} ms  "
        f"p99 {overall.get('p99_ms', 0):7.2f} ms  errors {overall['errors']}  statuses {overall['statuses']}"
    )
    for kind, result in per_kind.items():
        print(
            f"{kind:10} {result['throughput_rps']:8.1f} req/s  p50 {result.get('p50_ms', 0):7.2f} ms  "
            f"p99 {result.get('p99_ms', 0):7.2f} ms  errors {result['errors']}"
        )
    print(f"peak RSS: web {memory.peaks['web']} MB, worker {memory.peaks['worker']} MB")
    print(f"CPU seconds during the mixed run ({args.duration:.0f} s on {os.cpu_count()} cores): {memory.cpu_seconds}")
    print(f">= {TARGET_RPS} req/s with 0 errors: {'yes' if figures['meets_target'] else 'NO'}")
    out = BASE_DIR / "bench" / "results" / "api_load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
