"""Benchmark: churn-model quality and speed through the product's own import and training path.

In one run, against a throwaway database:

1. Telco churn (../shared/datasets/telco_churn): the CSV goes through the product's customer
   import (outcome column Churn, external id customerID; every other column becomes a typed
   attribute), then the churn training service (flat-table mode, leakage guard on). Prints the
   model chosen, held-out ROC-AUC / Brier / accuracy (target AUC >= 0.845), and 5-fold
   cross-validated ROC-AUC of the same calibrated model on the same columns.
2. Synthetic journeys (lifecycle/synthetic.py, seed 7): the event-history mode: monthly
   snapshots labelled "churned within 90 days", validated on the most recent cut-offs; also the
   time to rebuild every customer's monthly risk history and to rescore all active customers.

Usage: .venv/bin/python bench/churn_model.py [--customers 1000] [--skip-telco] [--skip-synthetic] [--keep]
Figures are written to bench/results/churn_model.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import BASE_DIR, bench_tenant, django_setup, recreate_database

TELCO_CSV = BASE_DIR.parent / "shared" / "datasets" / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_saas_bench_churn"


def _cv(version: object) -> list[float]:
    """5-fold CV ROC-AUC of the selected algorithm on the training rows and columns it used."""
    from lifecycle.churn.training import churn_training_set
    from ml.training import cross_validated_auc

    training = churn_training_set()
    excluded = {entry["column"] for entry in version.excluded_columns}
    used = [column for column in training.columns if column.name not in excluded]
    return cross_validated_auc(training.frame, used, training.y, algorithm=version.algorithm)


def _figures(version: object, train_s: float) -> dict:
    cv = _cv(version)
    return {
        "algorithm": version.algorithm,
        "candidates": version.candidates,
        "rows": version.data_summary["rows"],
        "churned": version.data_summary["churned"],
        "validation": version.metrics["validation"],
        "test_auc": version.metrics["auc"],
        "test_brier": version.metrics["brier"],
        "test_accuracy": version.metrics["accuracy"],
        "base_rate": version.metrics["base_rate"],
        "cv5_auc_mean": round(float(np.mean(cv)), 4),
        "cv5_auc_folds": [round(value, 4) for value in cv],
        "train_s": round(train_s, 2),
        "excluded": [(entry["column"], entry["kind"]) for entry in version.excluded_columns],
        "top_features": [entry["label"] for entry in version.feature_importance[:6]],
    }


def telco(schema: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tenants.utils import schema_context

    from crm_saas.jobs.models import Job
    from lifecycle.churn.service import churn_model_train
    from lifecycle.imports.service import customer_import_start
    from tenants.accounts.models import User

    with schema_context(schema):
        actor = User.objects.get()
        started = time.perf_counter()
        upload = SimpleUploadedFile(TELCO_CSV.name, TELCO_CSV.read_bytes())
        job = customer_import_start(actor=actor, upload=upload, outcome_column="Churn", external_id_column="customerID")
        job = Job.objects.get(pk=job.pk)  # ran in-process when the import's transaction committed
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        version = churn_model_train(actor=actor)
        train_s = time.perf_counter() - started
        figures = _figures(version, train_s)
    return {
        "rows_imported": job.result["created"],
        "rows_failed": job.result["failed"],
        "import_s": round(import_s, 2),
        **figures,
    }


def synthetic(schema: str, customers: int) -> dict:
    from django_tenants.utils import schema_context

    from lifecycle.churn.service import (
        churn_history_backfill,
        churn_model_train,
        churn_scorer_load,
        customers_rescore_all,
    )
    from lifecycle.models import ChurnPrediction, NextAction
    from lifecycle.synthetic import lifecycle_generate
    from tenants.accounts.models import User

    with schema_context(schema):
        actor = User.objects.get()
        generated = lifecycle_generate(customers=customers, seed=7, owners=[actor])
        started = time.perf_counter()
        version = churn_model_train(actor=actor, backfill=False)
        train_s = time.perf_counter() - started
        scorer = churn_scorer_load(version)
        started = time.perf_counter()
        points = churn_history_backfill(scorer=scorer)
        backfill_s = time.perf_counter() - started
        started = time.perf_counter()
        scored = customers_rescore_all(scorer=scorer)
        rescore_s = time.perf_counter() - started
        figures = _figures(version, train_s)
        return {
            "customers": generated["customers"],
            "events": generated["events"],
            "generate_s": generated["seconds"],
            **figures,
            "history_points": points,
            "history_backfill_s": round(backfill_s, 2),
            "rescored": scored,
            "rescore_s": round(rescore_s, 2),
            "predictions": ChurnPrediction.objects.count(),
            "open_next_actions": NextAction.objects.filter(status="open").count(),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--skip-telco", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    results: dict = {}
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            django_setup(database_url=url, data_dir=Path(data_dir))
            if not args.skip_telco:
                if TELCO_CSV.exists():
                    bench_tenant("bench_churn_telco")
                    results["telco"] = telco("bench_churn_telco")
                    print("Telco churn (flat table through the customer import):")
                    print(json.dumps(results["telco"], indent=2))
                else:
                    print(f"Telco dataset not found at {TELCO_CSV}; skipped.")
            if not args.skip_synthetic:
                bench_tenant("bench_churn_syn")
                results["synthetic"] = synthetic("bench_churn_syn", args.customers)
                print(f"Synthetic journeys ({args.customers} customers, seed 7, event-history snapshots):")
                print(json.dumps(results["synthetic"], indent=2))
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(url, drop_only=True)
    out = BASE_DIR / "bench" / "results" / "churn_model.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
