"""Every task runs in the schema it was queued for, or not at all: a message for a tenant that is
gone must not run in the public schema. Run through Celery's own tracer (``apply``), which sends the
same prerun signal a worker sends; the worker test is in test_celery_tenancy.py."""

from __future__ import annotations

import pytest
from celery import states
from celery.exceptions import Reject
from django.db import connection

from crm_saas.celery import app
from crm_saas.tenant_task import SchemaGuardedTask, TenantUnavailable
from crm_saas.testing.world import TenantWorld

ran_in: list[str] = []


@app.task(name="tests.where_am_i")
def where_am_i() -> str:
    ran_in.append(connection.schema_name)
    return connection.schema_name


@pytest.fixture(autouse=True)
def _forget_runs() -> None:
    ran_in.clear()


def test_every_task_of_the_app_is_schema_guarded() -> None:
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert len(ours) > 30
    assert [name for name, task in ours.items() if not isinstance(task, SchemaGuardedTask)] == []


def test_a_task_runs_in_the_schema_it_was_queued_for(alpha: TenantWorld) -> None:
    connection.set_schema_to_public()
    result = where_am_i.apply(headers={"_schema_name": alpha.schema})
    assert result.state == states.SUCCESS
    assert result.result == alpha.schema
    assert ran_in == [alpha.schema]


def test_a_task_queued_from_a_tenant_carries_its_schema(alpha: TenantWorld) -> None:
    with alpha.active():
        result = where_am_i.apply()
    assert result.state == states.SUCCESS
    assert ran_in == [alpha.schema]


def test_a_platform_task_runs_in_public(alpha: TenantWorld) -> None:
    with alpha.active():
        result = where_am_i.apply(headers={"_schema_name": "public"})
    assert result.state == states.SUCCESS
    assert ran_in == ["public"]


def test_a_task_for_a_tenant_that_is_gone_is_dropped_not_run_in_public(alpha: TenantWorld) -> None:
    connection.set_schema_to_public()
    result = where_am_i.apply(headers={"_schema_name": "offboarded_corp"})
    assert result.state == states.REJECTED
    assert ran_in == []
    reason = result.result
    assert isinstance(reason, Reject)
    assert isinstance(reason.reason, TenantUnavailable)
    assert "offboarded_corp" in str(reason.reason)
    assert reason.requeue is False


def test_a_task_for_a_tenant_that_is_gone_is_dropped_from_another_tenant_too(alpha: TenantWorld) -> None:
    # The prerun switch goes through public first, so a worker last busy with alpha ends up in
    # public, not in alpha; either way the task must not run.
    with alpha.active():
        result = where_am_i.apply(headers={"_schema_name": "offboarded_corp"})
    assert result.state == states.REJECTED
    assert ran_in == []


def test_a_direct_call_runs_where_the_caller_is(alpha: TenantWorld) -> None:
    with alpha.active():
        assert where_am_i() == alpha.schema
    assert ran_in == [alpha.schema]
