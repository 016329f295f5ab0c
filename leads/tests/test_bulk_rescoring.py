"""Bulk rescoring on background connections (read ahead, write behind), on committed rows: those
connections are used only outside a transaction, and would see nothing of an uncommitted one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from crm_saas.testing.world import TenantWorld, world_build, world_drop
from leads.models import Lead, LeadScore
from leads.scoring import service
from leads.scoring.overlap import BackgroundConnection
from leads.services import lead_create
from leads.tests.test_scoring import make_history
from tests.surface import MANAGER, REP


@pytest.fixture
def committed_world(django_db_blocker) -> Iterator[TenantWorld]:
    """Committed rows: bulk rescoring reads and writes on connections of its own only outside a
    transaction, and those connections can see nothing else."""
    with django_db_blocker.unblock():
        world = world_build("bulk_scoring")
        try:
            yield world
        finally:
            world_drop(world)


def test_bulk_rescoring_on_background_connections_matches_inline_scoring(committed_world, monkeypatch) -> None:
    used = []
    original = BackgroundConnection.submit
    monkeypatch.setattr(service, "BULK_BATCH", 7)  # several batches in flight
    monkeypatch.setattr(
        BackgroundConnection, "submit", lambda self, work, *a, **k: used.append(work) or original(self, work, *a, **k)
    )
    with committed_world.active():
        make_history(committed_world, n=120)
        for index in range(23):
            lead_create(
                actor=committed_world.users[REP],
                data={
                    "company": f"Open {index}",
                    "source": "referral" if index % 2 else "web",
                    "attributes": {"budget": index * 4.0},
                },
            )
        version = service.lead_model_train(actor=committed_world.users[MANAGER])
        threaded = dict(Lead.objects.filter(status="new").values_list("pk", "score"))
        assert len(used) == 2 * 4 + 1  # 4 batches read and written, and the empty read that ends the run
        history = LeadScore.objects.filter(model_version=version).count()
        with transaction.atomic():
            assert service.leads_rescore_open(version=version) == 23
            inline = dict(Lead.objects.filter(status="new").values_list("pk", "score"))
            transaction.set_rollback(True)
    assert len(used) == 9  # inside a transaction, nothing went to a background connection
    assert threaded == inline and len(threaded) == 23
    assert history == 23


def test_a_failed_background_write_stops_the_run_with_its_error(committed_world, monkeypatch) -> None:
    calls = []

    def failing_store(*args, **kwargs) -> None:
        calls.append(1)
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "BULK_BATCH", 5)
    monkeypatch.setattr(service, "_store", failing_store)
    with committed_world.active():
        for index in range(12):
            lead_create(actor=committed_world.users[REP], data={"company": f"Open {index}"})
        with pytest.raises(RuntimeError, match="disk full"):
            service.leads_rescore_open()
    assert len(calls) == 1  # the next batch waited for the failed write and stopped there
