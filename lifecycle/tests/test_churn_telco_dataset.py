"""Telco churn through the product's customer import (outcome column) and churn training: a flat
table with no events trains in table mode and separates churners well. Skips without the dataset."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm_saas.jobs.models import Job
from crm_saas.jobs.services import job_run
from lifecycle.churn.service import churn_model_train
from lifecycle.imports.service import customer_import_run, customer_import_start
from lifecycle.models import Customer
from tests.surface import MANAGER

pytestmark = pytest.mark.django_db
TELCO = Path("../shared/datasets/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv")
ROWS = 2500


@pytest.mark.skipif(not TELCO.exists(), reason=f"dataset not found at {TELCO} (the shared datasets folder is absent)")
def test_telco_import_and_training(alpha) -> None:
    lines = TELCO.read_bytes().splitlines(keepends=True)[: ROWS + 1]
    with alpha.active():
        manager = alpha.users[MANAGER]
        upload = SimpleUploadedFile("telco.csv", b"".join(lines))
        job = customer_import_start(
            actor=manager, upload=upload, outcome_column="Churn", external_id_column="customerID"
        )
        job_run(job_id=str(job.pk), handler=customer_import_run)
        report = Job.objects.get(pk=job.pk).result
        assert (report["created"], report["failed"]) == (ROWS, 0)
        assert Customer.objects.filter(status="churned").count() == sum(
            1 for line in lines[1:] if line.rstrip().endswith(b",Yes")
        )
        version = churn_model_train(actor=manager)
        assert version.data_summary["mode"] == "table"
        assert version.metrics["auc"] >= 0.80, version.metrics["auc"]
        assert {"attr__contract", "attr__tenure"} & {entry["column"] for entry in version.feature_importance[:5]}
        active = Customer.objects.filter(status="active")
        assert not active.filter(churn_risk__isnull=True).exists()
