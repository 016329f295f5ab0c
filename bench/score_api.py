"""Benchmark: the single-lead score API under load, side by side with the simplest possible scorer.

Imports X Education leads and trains the product's model (as bench/lead_scoring.py does), marks a
thousand leads open and scores them, then in one run:

- crm_saas: gunicorn serving ``GET /api/v1/leads/<id>/score/`` (token auth, tenant routing, access
  check, score with reasons and history) for random open leads;
- baseline: a bare Flask app (gunicorn, same worker count) that unpickles the same model with
  joblib and answers ``POST /score`` with ``predict_proba`` for a lead's feature row sent in the body.

Each side gets the same closed-loop load (CONCURRENCY keep-alive clients for DURATION seconds) on
127.0.0.1; throughput, p50 and p99 are printed with their ratio.

Usage: .venv/bin/python bench/score_api.py [--duration 20] [--concurrency 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BASE_DIR, bench_tenant, django_setup, import_leads_csv, recreate_database
from loadgen import load, wait_for

DATASET = BASE_DIR.parent / "shared" / "datasets" / "x_education_leads" / "Leads.csv"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_saas_bench_api"

FLASK_APP = """
import json, os, joblib, pandas as pd
from flask import Flask, request
model = joblib.load(os.environ["BENCH_MODEL"])
app = Flask(__name__)

@app.post("/score")
def score():
    row = pd.DataFrame([request.get_json()])
    return {"probability": float(model.predict_proba(row)[0, 1])}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not DATASET.exists():
        print(f"Dataset missing: {DATASET}")
        return 1
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    data_dir = Path(tempfile.mkdtemp(prefix="crm-bench-api-"))
    django_setup(database_url=url, data_dir=data_dir)

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from leads.models import Lead
    from leads.scoring.features import lead_frame
    from leads.scoring.service import lead_model_train, leads_score
    from ml.pipeline import prepare
    from ml.services import model_load
    from tenants.accounts.models import User
    from tenants.accounts.services import token_issue

    servers: list[subprocess.Popen] = []
    try:
        bench_tenant("api")
        with schema_context("api"):
            actor = User.objects.get()
            import_leads_csv(DATASET, actor=actor, outcome="Converted", external_id="Prospect ID")
            version = lead_model_train(actor=actor)
            ids = list(Lead.objects.order_by("pk").values_list("pk", flat=True)[:1000])
            Lead.objects.filter(pk__in=ids).update(status="new", converted_at=None, lost_at=None)
            open_leads = list(Lead.objects.filter(pk__in=ids))
            leads_score(open_leads)
            token = token_issue(user=actor).key
            model = model_load(version)
            model_path = data_dir / "model.joblib"
            import joblib

            joblib.dump(model.calibrated, model_path)
            rows = prepare(lead_frame(open_leads, as_of=timezone.now()), model.columns)
            bodies = [
                json.dumps({k: (None if v != v else v) for k, v in row.items()}) for row in rows.to_dict("records")
            ]

        # Rate limits would answer most of this load with 429: they are not what is measured here.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "CRM_THROTTLE_USER": "1000000/min"}
        product_port, flask_port = 8731, 8732
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        servers.append(
            subprocess.Popen(
                [
                    gunicorn,
                    "crm_saas.wsgi",
                    "-b",
                    f"127.0.0.1:{product_port}",
                    "-w",
                    str(args.workers),
                    "--log-level",
                    "warning",
                ],
                cwd=BASE_DIR,
                env=env,
            )
        )
        (data_dir / "flask_scorer.py").write_text(FLASK_APP)
        servers.append(
            subprocess.Popen(
                [
                    gunicorn,
                    "flask_scorer:app",
                    "-b",
                    f"127.0.0.1:{flask_port}",
                    "-w",
                    str(args.workers),
                    "--log-level",
                    "warning",
                ],
                cwd=data_dir,
                # The pickled pipeline refers to the product's own feature transformers.
                env={**env, "BENCH_MODEL": str(model_path), "PYTHONPATH": str(BASE_DIR)},
            )
        )
        wait_for(product_port, "/healthz", "api.localhost")
        wait_for(flask_port, "/", "localhost")

        product_requests = [
            (
                "GET",
                f"/api/v1/leads/{lead_id}/score/",
                None,
                {"Host": "api.localhost", "Authorization": f"Token {token}"},
            )
            for lead_id in ids
        ]
        flask_requests = [("POST", "/score", body, {"Content-Type": "application/json"}) for body in bodies]
        # Warm both (first requests load the model and explain leads once).
        load("127.0.0.1", product_port, product_requests, duration=3, concurrency=args.concurrency)
        load("127.0.0.1", flask_port, flask_requests, duration=3, concurrency=args.concurrency)
        product = load(
            "127.0.0.1", product_port, product_requests, duration=args.duration, concurrency=args.concurrency
        )
        flask = load("127.0.0.1", flask_port, flask_requests, duration=args.duration, concurrency=args.concurrency)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        from django.db import connection

        connection.close()
        recreate_database(url, drop_only=True)

    figures = {
        "product": product,
        "flask_joblib": flask,
        "throughput_ratio": round(product["throughput_rps"] / flask["throughput_rps"], 2),
        "p50_ratio": round(product["p50_ms"] / flask["p50_ms"], 2),
        "duration_s": args.duration,
        "concurrency": args.concurrency,
        "workers": args.workers,
    }
    setup = f"{args.concurrency} clients, {args.duration:.0f} s, {args.workers} workers each"
    print(f"\nSingle-lead scoring under load ({setup})")
    print("-" * 78)
    for name, result in (("crm_saas GET /api/v1/leads/<id>/score/", product), ("Flask + joblib POST /score", flask)):
        print(
            f"{name:42} {result['throughput_rps']:8.1f} req/s  p50 {result['p50_ms']:6.2f} ms  "
            f"p99 {result['p99_ms']:6.2f} ms  errors {result['errors']}"
        )
    print(f"crm_saas / Flask throughput: {figures['throughput_ratio']}x")
    out = BASE_DIR / "bench" / "results" / "score_api.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
