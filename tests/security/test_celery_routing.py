"""Heavy tasks run on their own queues: training and scoring on "ml", transcription on "voice",
everything else on "default"; and the product's enqueue helpers never override that routing."""

from __future__ import annotations

import pytest
from django.conf import settings

from crm_saas.celery import app

ML_TASKS = [
    "leads.train_model",
    "leads.retrain_if_due",
    "leads.rescore_open",
    "leads.rescore_lead",
    "leads.rescore_pending",
    "leads.explain_scores",
    "leads.train_text_model",
    "leads.refresh_priorities",
    "leads.reprioritise_open",
    "leads.prioritise_lead",
    "lifecycle.churn_train",
    "lifecycle.churn_rescore_all",
    "lifecycle.churn_rescore_customer",
]
VOICE_TASKS = ["voice.transcribe"]


def queue_of(task_name: str) -> str:
    app.loader.import_default_modules()
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


def registered_product_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


@pytest.mark.parametrize("task_name", ML_TASKS)
def test_training_and_scoring_go_to_the_ml_queue(task_name: str) -> None:
    assert task_name in registered_product_tasks(), "a routed task name must exist"
    assert queue_of(task_name) == "ml"


@pytest.mark.parametrize("task_name", VOICE_TASKS)
def test_transcription_goes_to_the_voice_queue(task_name: str) -> None:
    assert task_name in registered_product_tasks()
    assert queue_of(task_name) == "voice"


def test_every_other_task_goes_to_default() -> None:
    others = registered_product_tasks() - set(ML_TASKS) - set(VOICE_TASKS)
    assert {"leads.import", "integrations.webhook_deliver", "crm_saas.fan_out_to_tenants"} <= others
    assert {name: queue_of(name) for name in others} == {name: "default" for name in others}


def test_every_route_names_a_real_task_and_a_served_queue() -> None:
    tasks = registered_product_tasks()
    for name, route in settings.CELERY_TASK_ROUTES.items():
        assert name in tasks, f"route for unknown task {name}"
        assert route["queue"] in settings.CRM_CELERY_QUEUES


@pytest.mark.django_db
def test_job_enqueue_leaves_the_queue_to_the_routes(alpha, django_capture_on_commit_callbacks) -> None:
    """job_enqueue(queue=None), as the training services call it, must not pin a queue: the
    message really published to the broker carries the "ml" routing key."""
    from celery.signals import after_task_publish

    from crm_saas.jobs.services import job_create, job_enqueue
    from leads.tasks import lead_model_train_task

    published: list[tuple[str, str]] = []

    def record(sender=None, routing_key=None, **_):
        published.append((sender, routing_key))

    after_task_publish.connect(record)
    try:
        with alpha.active(), django_capture_on_commit_callbacks(execute=True):
            job = job_create(kind="leads.train_model", created_by=alpha.users["admin"])
            job_enqueue(job=job, task=lead_model_train_task, queue=None)
    finally:
        after_task_publish.disconnect(record)
    assert published == [("leads.train_model", "ml")]


def test_run_command_worker_listens_on_every_queue() -> None:
    from pathlib import Path

    source = (Path(settings.BASE_DIR) / "scripts" / "run.py").read_text()
    assert '"default,ml,voice"' in source
    assert set(settings.CRM_CELERY_QUEUES) == {"default", "ml", "voice"}


def test_procfile_runs_a_worker_per_queue_and_one_beat() -> None:
    from pathlib import Path

    lines = (Path(settings.BASE_DIR) / "Procfile").read_text().splitlines()
    processes = dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))
    assert {"web", "worker-default", "worker-ml", "worker-voice", "beat", "release"} <= set(processes)
    for queue in settings.CRM_CELERY_QUEUES:
        command = processes[f"worker-{queue}"]
        assert f"-Q {queue} " in command and "--concurrency" in command and "--beat" not in command
    assert processes["beat"].startswith("celery -A crm_saas beat")
    assert "gunicorn crm_saas.wsgi" in processes["web"] and "--timeout" in processes["web"]
