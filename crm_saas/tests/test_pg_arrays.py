"""Array literals arrive in PostgreSQL exactly as the Python values they were built from."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import connection
from psycopg.types.json import Jsonb

from crm_saas.pg_arrays import (
    array_literal,
    bigint_array,
    float_array,
    ids_subquery,
    text_array,
    timestamptz_array,
)
from leads.models import LeadStatus

pytestmark = pytest.mark.django_db

AWKWARD_TEXTS = [
    "plain",
    "",
    " spaced ",
    "NULL",
    "null",
    'a "quoted" word',
    'back\\slash \\" and quote',
    "comma, {braces} and (parens)",
    "new\nline\ttab",
    "ünïcödé ✓ 漢字",
    '{"json": ["array", 1.5, null]}',
    None,
]


def round_trip(literal: str, cast: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{cast}", [literal])  # sql-safe: a type name from the tests
        (value,) = cursor.fetchone()
    return value


def test_texts_arrive_as_written_whatever_they_hold() -> None:
    assert round_trip(text_array(AWKWARD_TEXTS), "text[]") == AWKWARD_TEXTS


def test_integers_of_any_size_and_nulls() -> None:
    values = [0, -1, 7, 2**62, -(2**62), None, 42]
    assert round_trip(bigint_array(values), "bigint[]") == values
    assert round_trip(bigint_array(range(3)), "smallint[]") == [0, 1, 2]


def test_floats_keep_their_value_including_nan_and_infinities() -> None:
    values = [0.1, -2.5e-300, 1e300, 1 / 3, float("inf"), float("-inf"), None]
    assert round_trip(float_array(values), "float8[]") == values
    (nan,) = round_trip(float_array([float("nan")]), "float8[]")
    assert math.isnan(nan)


def test_times_keep_their_instant_whatever_their_offset() -> None:
    moments = [
        datetime(2026, 11, 25, 3, 4, 5, 678901, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        None,
    ]
    assert round_trip(timestamptz_array(moments), "timestamptz[]") == moments


def test_an_ids_subquery_selects_exactly_those_rows(alpha) -> None:
    from django.utils import timezone

    from leads.models import Lead

    with alpha.active():
        for index in range(6):
            Lead.objects.create(name=f"Lead {index}", created_at=timezone.now())
        wanted = list(Lead.objects.order_by("pk").values_list("pk", flat=True)[::2])
        assert len(wanted) == 3
        found = Lead.objects.filter(pk__in=ids_subquery(wanted)).values_list("pk", flat=True)
        assert sorted(found) == wanted
        assert not Lead.objects.filter(pk__in=ids_subquery([])).exists()


def test_empty_arrays() -> None:
    for build, cast in [(bigint_array, "bigint[]"), (float_array, "float8[]"), (text_array, "text[]")]:
        assert round_trip(build([]), cast) == []
    assert round_trip(timestamptz_array([]), "timestamptz[]") == []


def test_values_postgresql_cannot_hold_are_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="aware"):
        timestamptz_array([datetime(2026, 1, 1)])
    with pytest.raises(ValueError, match="NUL"):
        text_array(["a\x00b"])


def test_plain_values_of_every_kind_arrive_as_written() -> None:
    values = {
        "date[]": [date(2026, 2, 28), None],
        "time[]": [time(23, 59, 58, 123456), None],
        "uuid[]": [uuid.UUID("12345678-1234-5678-1234-567812345678"), None],
        "numeric[]": [Decimal("12.3400"), Decimal("-0.000001"), None],
        "boolean[]": [True, False, None],
        "text[]": AWKWARD_TEXTS,
    }
    for cast, column in values.items():
        literal = array_literal(column)
        assert literal is not None, cast
        assert round_trip(literal, cast) == column, cast
    # subclasses travel by their plain value, as psycopg sends them
    assert round_trip(array_literal([LeadStatus.CONVERTED, LeadStatus.LOST]), "text[]") == ["converted", "lost"]
    # anything else is left to psycopg
    assert array_literal([b"bytes"]) is None
    assert array_literal([{"json": 1}]) is None  # JSON only when wrapped with its encoder
    wrapped = [Jsonb({"a": 'say "hi"', "b": [1, None]}, dumps=json.dumps), Jsonb([], dumps=json.dumps), None]
    stored = round_trip(array_literal(wrapped), "jsonb[]")  # Django reads jsonb as its text
    assert [None if text is None else json.loads(text) for text in stored] == [
        {"a": 'say "hi"', "b": [1, None]},
        [],
        None,
    ]
    assert array_literal(["a\x00b"]) is None


def test_bulk_created_rows_read_back_as_written_with_literal_columns(alpha) -> None:
    from leads.models import Lead

    moments = [
        datetime(2026, 11, 25, 3, 4, 5, 678901, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2020, 2, 29, 23, 59, 59, tzinfo=UTC),
    ]
    rows = [
        {"name": text, "company": text[::-1], "referred": [True, False, None][index % 3], "probability": fraction}
        for index, (text, fraction) in enumerate(
            zip([value for value in AWKWARD_TEXTS if value is not None], [0.1, 1 / 3, None, 1e-9] * 3, strict=False)
        )
    ]
    sent: list[object] = []

    def capture(execute, sql, params, many, context):
        if sql.startswith("INSERT"):
            sent.extend(params or [])
        return execute(sql, params, many, context)

    with alpha.active():
        leads = [
            Lead(
                **row,
                status=LeadStatus.QUALIFIED if index % 2 else LeadStatus.NEW,
                created_at=moments[index % 3],
                attributes={"quote": 'say "hi"', "n": index},
            )
            for index, row in enumerate(rows)
        ]
        with connection.execute_wrapper(capture):
            Lead.objects.bulk_create(leads)
        stored = {lead.pk: lead for lead in Lead.objects.filter(pk__in=[lead.pk for lead in leads])}
    assert len(stored) == len(rows) > 5
    for index, (lead, row) in enumerate(zip(leads, rows, strict=True)):
        got = stored[lead.pk]
        assert {name: getattr(got, name) for name in row} == row
        assert got.created_at == moments[index % 3]
        assert got.status == (LeadStatus.QUALIFIED if index % 2 else LeadStatus.NEW)
        assert got.attributes == {"quote": 'say "hi"', "n": index}
    # Every column went as one array literal, the JSON ones included.
    assert len(sent) >= 20 and all(isinstance(param, str) and param.startswith("{") for param in sent)
