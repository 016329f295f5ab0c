"""Lead search is served by trigram indexes where PostgreSQL has pg_trgm (it does on the supported
deployments; a bare embedded server without contrib modules keeps unindexed search)."""

from __future__ import annotations

import pytest
from django.db import connection

from leads import selectors
from leads.services import lead_create
from tests.surface import ADMIN

pytestmark = pytest.mark.django_db


def trigram_available() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        return cursor.fetchone() is not None


@pytest.fixture
def with_trigram() -> None:
    if not trigram_available():
        pytest.skip("this PostgreSQL server has no pg_trgm extension (contrib modules not installed)")


def test_every_searched_column_has_a_trigram_index_in_each_tenant(alpha, beta, with_trigram) -> None:
    for world in (alpha, beta):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND indexname LIKE 'lead_search_%%'",
                [world.schema],
            )
            indexes = dict(cursor.fetchall())
        assert sorted(indexes) == [f"lead_search_{column}_trgm" for column in ("company", "email", "name", "phone")]
        assert all("gin_trgm_ops" in definition and "upper(" in definition for definition in indexes.values())


def test_the_search_query_django_writes_can_use_the_indexes(alpha, with_trigram) -> None:
    with alpha.active():
        lead_create(actor=alpha.users[ADMIN], data={"name": "Grace Hopper", "company": "Cobol Works"})
        leads = selectors.lead_list_for_user(user=alpha.users[ADMIN], filters=selectors.LeadFilters(search="hopper"))
        with connection.cursor() as cursor:
            # A handful of rows would be read directly or along the ordering index; forbid both to
            # see whether the trigram indexes fit the expression (only a bitmap scan is left).
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
            try:
                plan = leads.explain()
                found = [lead.name for lead in leads]
            finally:
                cursor.execute("SET LOCAL enable_seqscan = on; SET LOCAL enable_indexscan = on")
    for column in ("name", "company", "email", "phone"):
        assert f"lead_search_{column}_trgm" in plan, plan
    assert found == ["Grace Hopper"]
