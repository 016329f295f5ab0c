"""Trigram indexes for lead search, where PostgreSQL has the pg_trgm extension.

A search (``?search=`` in the API, the search box on the leads page) matches part of a name,
company, e-mail or phone case-insensitively, which Django writes as
``UPPER(column::text) LIKE UPPER('%term%')``: without these indexes every search reads every lead of
the tenant, twice (count and page). Each index is on that very expression, so the planner can use
it for terms of three or more characters.

pg_trgm ships with PostgreSQL's contrib modules and is a trusted extension (the database owner may
install it). Where it is missing or may not be installed (a bare build, a locked-down managed
database), the migration leaves search as it was and says so: searches still work, unindexed.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

COLUMNS = ("name", "company", "email", "phone")


def _trigram_schema(cursor) -> str | None:
    """The schema pg_trgm is installed in, installing it in public if it is available."""
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    )
    row = cursor.fetchone()
    if row:
        return row[0]
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if cursor.fetchone() is None:
        return None
    try:
        with transaction.atomic():  # a savepoint: a refusal must not abort the migration
            # In public, not in the tenant's schema: every tenant's search path includes public.
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except Exception as error:  # noqa: BLE001 - any refusal leaves search unindexed, as before
        logger.warning("pg_trgm could not be installed (%s); lead search stays unindexed", error)
        return None
    return "public"


def add_indexes(apps, schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        schema = _trigram_schema(cursor)
        if schema is None:
            logger.warning("PostgreSQL has no pg_trgm extension; lead search stays unindexed")
            return
        opclass = f"{connection.ops.quote_name(schema)}.gin_trgm_ops"
        for column in COLUMNS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS lead_search_{column}_trgm ON leads_lead "  # noqa: S608 - fixed names
                f"USING gin ((UPPER({column}::text)) {opclass})"
            )


def drop_indexes(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"DROP INDEX IF EXISTS lead_search_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0009_pending_rescore_and_score_model"),
    ]

    operations = [
        migrations.RunPython(add_indexes, drop_indexes),
    ]
