"""Django's PostgreSQL compilers, with bulk inserts' column arrays sent as array literals.

For a multi-row ``bulk_create`` Django sends each column as one array (``INSERT ... SELECT * FROM
UNNEST(%s::varchar[], ...)``). With client-side binding psycopg quotes such a list element by
element in Python, which made up most of a CSV import's time (35 columns of 1,000 rows per batch).
Columns whose values are all plain (numbers, text, booleans, dates and times, UUIDs, JSON, None)
are written here as one PostgreSQL array literal instead (``crm_saas.pg_arrays.array_literal``);
any other column (bytes, say) keeps its list. The statement and its casts are unchanged.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql.compiler import (
    InsertUnnest,
    SQLAggregateCompiler,
    SQLCompiler,
    SQLDeleteCompiler,
    SQLUpdateCompiler,
)
from django.db.backends.postgresql.compiler import SQLInsertCompiler as BaseSQLInsertCompiler

from crm_saas.pg_arrays import array_literal

__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]


class SQLInsertCompiler(BaseSQLInsertCompiler):
    def assemble_as_sql(self, fields: Any, value_rows: Any) -> tuple[Any, Any]:
        placeholders, params = super().assemble_as_sql(fields, value_rows)
        if not isinstance(placeholders, InsertUnnest):
            return placeholders, params
        (columns,) = params
        literals = [array_literal(column) for column in columns]
        return placeholders, [
            [column if literal is None else literal for column, literal in zip(columns, literals, strict=True)]
        ]
