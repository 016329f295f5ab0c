"""New tenant schemas are built by replaying the first one's migration: same schema, own data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_tenants.utils import schema_context

from leads.models import Lead
from tenants import schema_builder
from tenants.models import Tenant
from tenants.schema_builder import (
    BuildMethod,
    SchemaRecording,
    Statement,
    recording_is_portable,
    replayable_statements,
    schema_recordings_forget,
    tenant_schema_build,
)

pytestmark = pytest.mark.django_db

# Everything PostgreSQL knows of a schema's objects, with the schema's own name written as "<schema>".
CATALOGUE_QUERIES = {
    "columns": """
        SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable,
               column_default, character_maximum_length, numeric_precision, numeric_scale, is_identity
        FROM information_schema.columns WHERE table_schema = %(schema)s""",
    "constraints": """
        SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid), co.condeferrable,
               co.condeferred
        FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
        JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = %(schema)s""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(schema)s",
    "sequences": """
        SELECT sequence_name, data_type, start_value, increment, maximum_value
        FROM information_schema.sequences WHERE sequence_schema = %(schema)s""",
    "triggers": """
        SELECT event_object_table, trigger_name, event_manipulation, action_timing, action_statement
        FROM information_schema.triggers WHERE trigger_schema = %(schema)s""",
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prosrc
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %(schema)s""",
    "views": "SELECT table_name, view_definition FROM information_schema.views WHERE table_schema = %(schema)s",
    "comments": """
        SELECT c.relname, d.objsubid, d.description FROM pg_description d
        JOIN pg_class c ON c.oid = d.objoid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %(schema)s""",
}


def catalogue(schema: str) -> dict[str, list[tuple]]:
    connection.set_schema_to_public()
    snapshot = {}
    with connection.cursor() as cursor:
        for kind, query in CATALOGUE_QUERIES.items():
            cursor.execute(query, {"schema": schema})
            rows = [tuple(str(value).replace(schema, "<schema>") for value in row) for row in cursor.fetchall()]
            snapshot[kind] = sorted(rows)
        cursor.execute(f"SELECT app, name FROM {connection.ops.quote_name(schema)}.django_migrations")  # noqa: S608 - quoted
        snapshot["migrations"] = sorted(cursor.fetchall())
    return snapshot


def tenant_migrations() -> set[tuple[str, str]]:
    """Every migration of the tenant apps, as the code on disk has them."""
    from django.apps import apps
    from django.conf import settings

    labels = {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}
    return {key for key in MigrationLoader(None, ignore_no_migrations=True).disk_migrations if key[0] in labels}


@pytest.fixture
def fresh_recordings():
    schema_recordings_forget()
    yield
    schema_recordings_forget()


def test_a_replayed_schema_is_the_migrated_schema_object_for_object(fresh_recordings) -> None:
    assert tenant_schema_build(schema_name="sb_migrated") is BuildMethod.MIGRATED
    assert tenant_schema_build(schema_name="sb_replayed") is BuildMethod.REPLAYED

    migrated, replayed = catalogue("sb_migrated"), catalogue("sb_replayed")
    assert replayed == migrated
    assert len({row[0] for row in migrated["columns"]}) >= 30
    assert len(migrated["indexes"]) >= 50 and migrated["constraints"] and migrated["triggers"]
    applied = {tuple(row) for row in migrated["migrations"]}
    assert tenant_migrations() <= applied  # the recording is of a fully migrated schema
    # Nothing was built in the first schema a second time, nor anywhere else.
    assert catalogue("sb_migrated") == migrated


def test_a_tenant_built_by_replay_has_its_own_tables_and_sequences(fresh_recordings) -> None:
    first = Tenant(schema_name="sb_first", name="First")
    first.save(verbosity=0)
    second = Tenant(schema_name="sb_second", name="Second")
    second.save(verbosity=0)
    assert schema_builder._recordings  # the second was replayed

    with schema_context("sb_second"):
        lead = Lead.objects.create(name="Only in second", company="Second Co", created_at=timezone.now())
        assert lead.pk == 1
    with schema_context("sb_first"):
        assert not Lead.objects.exists()
        assert Lead.objects.create(name="Only in first", created_at=timezone.now()).pk == 1
    with schema_context("sb_second"):
        assert list(Lead.objects.values_list("name", flat=True)) == ["Only in second"]


def test_a_replay_that_fails_is_rolled_back_and_the_schema_is_migrated_instead(fresh_recordings) -> None:
    tenant_schema_build(schema_name="sb_recorded")
    good = schema_builder._recordings[connection.alias]
    broken = SchemaRecording(
        statements=(*good.statements[:5], Statement(sql="CREATE TABLE half_built (", params=None, many=False)),
        migrations=good.migrations,
    )
    schema_builder._recordings[connection.alias] = broken

    # The half-built schema is rolled back with its savepoint (else creating it again would fail).
    assert tenant_schema_build(schema_name="sb_after_failure") is BuildMethod.MIGRATED
    assert catalogue("sb_after_failure") == catalogue("sb_recorded")
    # The broken recording is gone and a good one took its place.
    assert schema_builder._recordings[connection.alias] is not broken
    assert tenant_schema_build(schema_name="sb_next") is BuildMethod.REPLAYED


def test_a_replay_that_ends_with_other_migrations_than_recorded_is_not_kept(fresh_recordings) -> None:
    tenant_schema_build(schema_name="sb_recorded")
    good = schema_builder._recordings[connection.alias]
    schema_builder._recordings[connection.alias] = SchemaRecording(
        statements=good.statements, migrations=good.migrations | {("leads", "9999_not_on_disk")}
    )

    assert tenant_schema_build(schema_name="sb_mismatch") is BuildMethod.MIGRATED
    assert catalogue("sb_mismatch") == catalogue("sb_recorded")


def statement(sql: str, params: object = None, many: bool = False) -> Statement:
    return Statement(sql=sql, params=params, many=many)


@pytest.mark.parametrize(
    ("statements", "portable"),
    [
        ([statement('CREATE TABLE "leads_lead" ("id" bigint)')], True),
        # a table or column whose name merely contains the schema's
        ([statement('CREATE INDEX "acme_ix" ON "acme_lead" ("acme_id")')], True),
        ([statement("INSERT INTO django_migrations (app, name) VALUES (%s, %s)", ("leads", "0001_acme"))], True),
        # the connection's own search path and reads are left out of the replay
        ([statement('SET search_path = "acme", public'), statement("SHOW search_path")], True),
        ([statement("SELECT 1 FROM pg_namespace WHERE nspname = %s", ("acme",))], True),
        # writes that name the schema would build into it again
        ([statement('CREATE TABLE "acme"."lead" ("id" bigint)')], False),
        ([statement("CREATE TABLE acme.lead (id bigint)")], False),
        ([statement("ALTER TABLE lead SET SCHEMA ACME")], False),
        ([statement("INSERT INTO notes (schema) VALUES (%s)", ["acme"])], False),
        ([statement("INSERT INTO notes (schema) VALUES (%(s)s)", {"s": "acme"})], False),
        ([statement("INSERT INTO notes (schema) VALUES (%s)", [("x",), ("acme",)], many=True)], False),
        # a read with a side effect would be lost if reads are left out
        ([statement("SELECT setval('lead_id_seq', 10)")], False),
        ([statement("SELECT pg_advisory_xact_lock(1)")], False),
    ],
)
def test_a_recording_is_portable_only_if_no_write_names_its_schema(statements, portable) -> None:
    assert recording_is_portable(statements, "acme") is portable


def test_the_replay_leaves_out_reads_and_the_search_path() -> None:
    kept = replayable_statements(
        [
            statement('SET search_path = "acme", public'),
            statement("SELECT 1"),
            statement('CREATE TABLE "lead" ("id" bigint)'),
            statement("  show search_path"),
            statement("INSERT INTO django_migrations (app, name) VALUES (%s, %s)", ("leads", "0001")),
        ]
    )
    assert [str(kept_statement.sql)[:6] for kept_statement in kept] == ["CREATE", "INSERT"]
