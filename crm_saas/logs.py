"""A dependency-free JSON log formatter: one object per line on stdout, for log shippers."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "schema"?, "exc_info"?}`` per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        schema = _current_schema()
        if schema:
            entry["schema"] = schema
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _current_schema() -> str | None:
    """The tenant schema of the connection, when one is open, so records can be told apart."""
    try:
        from django.db import connection

        return getattr(connection, "schema_name", None)
    except Exception:
        return None
