"""Every scheduled entry names tasks that exist: a misspelt name would be queued and never run."""

from __future__ import annotations

from django.conf import settings

from crm_saas.celery import app


def test_every_scheduled_task_and_fanned_out_task_is_registered() -> None:
    app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them
    registered = set(app.tasks)
    assert settings.CELERY_BEAT_SCHEDULE
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, name
        if entry["task"] == "crm_saas.fan_out_to_tenants":
            assert entry["args"][0] in registered, name
