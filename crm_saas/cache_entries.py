"""Cached lookups that never depend on the cache: read-through with a fallback, and invalidation
at once and again on commit.

Used where a request-path lookup is kept in the shared cache (tenant routing, API tokens). When the
cache is unreachable, the lookup goes to the database and the entry is simply not kept; a change
drops its entries immediately and again once the transaction commits, because a request in between
may have cached the row as it was before the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import schema_context

logger = logging.getLogger(__name__)
T = TypeVar("T")


def cache_read_through(key: str, lookup: Callable[[], T], *, seconds: int, what: str) -> T:
    """The value cached under ``key``, or ``lookup()`` kept for ``seconds`` (None is not kept; a
    lookup that raises keeps nothing)."""
    try:
        cached = cache.get(key)
    except Exception:
        logger.warning("%s cache unreachable; looking it up", what, exc_info=True)
        return lookup()
    if cached is not None:
        return cached
    value = lookup()
    if value is not None:
        cache_keep(key, value, seconds=seconds, what=what)
    return value


def cache_keep(key: str, value: Any, *, seconds: int, what: str) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:
        logger.warning("%s cache unreachable; not caching", what, exc_info=True)


def cache_forget(keys: Sequence[str], *, what: str, schema: str | None = None) -> None:
    """Drop ``keys`` now and after the current transaction commits, in ``schema``'s key space
    (default: the connection's schema at the time of the change)."""
    if not keys:
        return
    schema = schema or connection.schema_name

    def forget() -> None:
        with schema_context(schema):
            try:
                cache.delete_many(keys)
            except Exception:
                logger.warning("%s cache unreachable; entries expire on their own", what, exc_info=True)

    forget()
    transaction.on_commit(forget)
