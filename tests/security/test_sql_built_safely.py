"""SQL is built only by the ORM, from constants, or from quoted identifiers; values are always
parameters (the scanner is in tests/security/sql_scan.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.sql_scan import python_files, scan_source, scan_tree

ROOT = Path(__file__).resolve().parents[2]


def test_the_project_builds_sql_safely() -> None:
    findings = scan_tree(ROOT)
    assert not findings, "\n".join(map(str, findings))


def test_the_scan_covers_the_code_that_runs_raw_sql() -> None:
    scanned = {path.relative_to(ROOT).as_posix() for path in python_files(ROOT)}
    assert {"leads/scoring/features.py", "lifecycle/churn/features.py", "leads/scoring/service.py"} <= scanned
    assert not any(part.startswith(".venv/") or "/migrations/" in part for part in scanned)


UNSAFE = {
    "f-string value": "def f(cursor, name):\n    cursor.execute(f\"SELECT * FROM t WHERE name = '{name}'\")\n",
    "concatenation": 'def f(cursor, name):\n    cursor.execute("SELECT * FROM t WHERE name = " + name)\n',
    "percent format": "def f(cursor, name):\n    cursor.execute(\"SELECT * FROM t WHERE name = '%s'\" % name)\n",
    "str.format": 'def f(cursor, name):\n    cursor.execute("SELECT {}".format(name))\n',
    "variable from argument": "def f(cursor, query):\n    cursor.execute(query)\n",
    "raw with f-string": 'def f(Model, name):\n    return Model.objects.raw(f"SELECT * FROM t WHERE n = {name}")\n',
    "RawSQL": 'def f(name):\n    return RawSQL(f"upper({name})", [])\n',
    "extra": "def f(qs, name):\n    return qs.extra(where=[f\"name = '{name}'\"])\n",
    "loop variable": (
        "def f(cursor, names):\n    for name in names:\n"
        '        cursor.execute(f"DROP TABLE {name}")  # noqa: S608 - x\n'
    ),
    "quoted name without reason": (
        "def f(cursor, connection):\n"
        "    table = connection.ops.quote_name('t')\n"
        '    cursor.execute(f"SELECT * FROM {table}")\n'
    ),
}
SAFE = {
    "constant with parameters": 'def f(cursor, name):\n    cursor.execute("SELECT * FROM t WHERE name = %s", [name])\n',
    "quoted identifier with reason": (
        "def f(cursor, connection, ids):\n"
        "    table = connection.ops.quote_name('t')\n"
        '    cursor.execute(f"UPDATE {table} SET x = 1 WHERE id = ANY(%s)", [ids])  # noqa: S608 - quoted table\n'
    ),
    "ORM-generated SQL": (
        "def f(cursor, queryset):\n"
        "    sql, params = queryset.query.sql_with_params()\n"
        "    cursor.execute(sql, params)\n"
    ),
    "psycopg composition": (
        "def f(conn, name):\n    conn.execute(sql.SQL('CREATE DATABASE {}').format(sql.Identifier(name)))\n"
    ),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_the_scanner_flags_unsafe_sql(case: str) -> None:
    assert scan_source("example.py", UNSAFE[case]), f"{case} was not flagged"


@pytest.mark.parametrize("case", sorted(SAFE))
def test_the_scanner_accepts_safe_sql(case: str) -> None:
    assert scan_source("example.py", SAFE[case]) == []
