"""Array literals arrive in PostgreSQL exactly as the Python values they were built from."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from crm_saas.pg_arrays import bigint_array, float_array, text_array, timestamptz_array

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


def test_empty_arrays() -> None:
    for build, cast in [(bigint_array, "bigint[]"), (float_array, "float8[]"), (text_array, "text[]")]:
        assert round_trip(build([]), cast) == []
    assert round_trip(timestamptz_array([]), "timestamptz[]") == []


def test_values_postgresql_cannot_hold_are_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="aware"):
        timestamptz_array([datetime(2026, 1, 1)])
    with pytest.raises(ValueError, match="NUL"):
        text_array(["a\x00b"])
