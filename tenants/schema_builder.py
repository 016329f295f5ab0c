"""Building a new tenant's schema: migrate the first one, replay that migration for the rest.

Every new tenant gets the same tables, but migrating an empty schema runs Django's migration
machinery from the first migration to the last, and nearly all of its 1.5 s per tenant goes to
rendering model states in Python, not to PostgreSQL. So the first schema a process builds is
migrated as usual while every statement sent to PostgreSQL is recorded; each later schema is built
by sending the same statements again with that schema on the search path (a fifth of the time).

A recording is kept only if it is safe to replay into another schema:

- no statement that changes anything names the schema it was recorded in (one that did would
  build into, or break, the first tenant's schema); the connection's own ``SET search_path`` and
  read-only statements (catalogue look-ups, ``SHOW``) are left out of the replay;
- no statement calls a function with side effects from a ``SELECT`` (``setval`` and the like),
  which leaving the reads out would lose.

A replay runs in a savepoint and ends with a check that the schema records exactly the migrations
the recorded schema did. If a statement fails or the check does not hold, the savepoint is rolled
back, the recording is dropped and the schema is migrated the usual way (and recorded anew). The
recording lives as long as the process: a deploy of new migrations starts new processes.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.management import call_command
from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django_tenants.utils import get_tenant_database_alias

logger = logging.getLogger(__name__)

_READ_ONLY = re.compile(r"^\s*(SELECT|SHOW)\b", re.IGNORECASE)
_SEARCH_PATH = re.compile(r"^\s*SET\s+search_path\b", re.IGNORECASE)
# Functions a SELECT may call that change something: leaving such a statement out would lose it.
_SIDE_EFFECTS = re.compile(r"\b(setval|nextval|set_config|pg_advisory\w*|lo_\w+|dblink\w*)\s*\(", re.IGNORECASE)


class BuildMethod(StrEnum):
    MIGRATED = "migrated"
    REPLAYED = "replayed"


@dataclass(frozen=True)
class Statement:
    sql: Any  # a string, or a psycopg SQL composition
    params: Any
    many: bool


@dataclass(frozen=True)
class SchemaRecording:
    """What migrating one empty schema sent to PostgreSQL, ready to replay into another."""

    statements: tuple[Statement, ...]
    migrations: frozenset[tuple[str, str]]


class ReplayMismatchError(Exception):
    """A replayed schema does not record the migrations the recorded one did."""


_recordings: dict[str, SchemaRecording] = {}
_recordings_lock = threading.Lock()


def tenant_schema_build(*, schema_name: str, verbosity: int = 0) -> BuildMethod:
    """Create the schema ``schema_name`` with every tenant migration applied.

    Replays this process's recording when it has one, else migrates (and records).
    """
    connection = connections[get_tenant_database_alias()]
    recording = _recordings.get(connection.alias)
    if recording is not None:
        try:
            with transaction.atomic(using=connection.alias):
                _create_schema(connection, schema_name)
                _replay(connection, schema_name, recording)
            return BuildMethod.REPLAYED
        except (DatabaseError, ReplayMismatchError) as error:
            # The savepoint is rolled back, so the schema is gone: migrate it from scratch.
            logger.warning("Replaying the schema recording into %s failed (%s); migrating it", schema_name, error)
            schema_recordings_forget()
        finally:
            connection.set_schema_to_public()
    _migrate_recording(connection, schema_name, verbosity)
    return BuildMethod.MIGRATED


def schema_recordings_forget() -> None:
    """Drop this process's recordings: the next schema is migrated (and recorded) again."""
    with _recordings_lock:
        _recordings.clear()


def recording_is_portable(statements: Sequence[Statement], schema_name: str) -> bool:
    """Whether replaying ``statements`` into another schema would build that schema alone."""
    names_schema = _schema_name_matcher(schema_name)
    for statement in statements:
        text = str(statement.sql)
        if _SEARCH_PATH.match(text):
            continue
        if _READ_ONLY.match(text):
            if _SIDE_EFFECTS.search(text):
                return False
            continue
        if names_schema(text) or _params_name_schema(statement.params, names_schema):
            return False
    return True


def replayable_statements(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements a replay sends: all but the reads and the connection's search path."""
    return tuple(
        statement
        for statement in statements
        if not _READ_ONLY.match(str(statement.sql)) and not _SEARCH_PATH.match(str(statement.sql))
    )


def _migrate_recording(connection: BaseDatabaseWrapper, schema_name: str, verbosity: int) -> None:
    recorded: list[Statement] = []

    def record(execute: Callable, sql: Any, params: Any, many: bool, context: dict) -> Any:
        recorded.append(Statement(sql=sql, params=_frozen_params(params, many), many=many))
        return execute(sql, params, many, context)

    try:
        _create_schema(connection, schema_name)
        with connection.execute_wrapper(record):
            call_command(
                "migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=verbosity
            )
        migrations = _recorded_migrations(connection, schema_name)
    finally:
        connection.set_schema_to_public()
    if not recording_is_portable(recorded, schema_name):
        logger.info("The migration of %s names its own schema; new schemas will be migrated", schema_name)
        return
    with _recordings_lock:
        _recordings[connection.alias] = SchemaRecording(
            statements=replayable_statements(recorded), migrations=frozenset(migrations)
        )


def _replay(connection: BaseDatabaseWrapper, schema_name: str, recording: SchemaRecording) -> None:
    connection.set_schema(schema_name, include_public=True)
    with connection.cursor() as cursor:
        for statement in recording.statements:
            # sql-safe: the statements the migrations sent, with their own parameters
            run = cursor.executemany if statement.many else cursor.execute
            run(statement.sql, statement.params)  # sql-safe: as above
        # The rows were recorded with the first schema's times: these migrations are applied now.
        cursor.execute("UPDATE django_migrations SET applied = statement_timestamp()")
    migrations = _recorded_migrations(connection, schema_name)
    if migrations != recording.migrations:
        missing, extra = sorted(recording.migrations - migrations), sorted(migrations - recording.migrations)
        raise ReplayMismatchError(f"missing migrations {missing}, unexpected {extra}")


def _create_schema(connection: BaseDatabaseWrapper, schema_name: str) -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {connection.ops.quote_name(schema_name)}")  # sql-safe: a quoted schema name


def _recorded_migrations(connection: BaseDatabaseWrapper, schema_name: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT app, name FROM {connection.ops.quote_name(schema_name)}.django_migrations"  # noqa: S608 - a quoted schema name
        )
        return {(app, name) for app, name in cursor.fetchall()}


def _frozen_params(params: Any, many: bool) -> Any:
    """A copy of the parameters: a caller may reuse (and change) the list it passed."""
    if params is None:
        return None
    if many:
        return [tuple(row) if isinstance(row, (list, tuple)) else row for row in params]
    return tuple(params) if isinstance(params, list) else params


def _schema_name_matcher(schema_name: str) -> Callable[[str], bool]:
    pattern = re.compile(rf'(?<![\w$]){re.escape(schema_name)}(?![\w$])|"{re.escape(schema_name)}"', re.IGNORECASE)
    return lambda text: pattern.search(text) is not None


def _params_name_schema(params: Any, names_schema: Callable[[str], bool]) -> bool:
    if params is None:
        return False
    values = params.values() if isinstance(params, dict) else params
    for value in values:
        if isinstance(value, (list, tuple, dict)):
            if _params_name_schema(value, names_schema):
                return True
        elif isinstance(value, str) and names_schema(value):
            return True
    return False
