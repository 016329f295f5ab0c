"""Background database connections, so bulk rescoring overlaps I/O with scoring.

Fetching a batch and storing one are mostly PostgreSQL's time (a scan, an UPDATE that touches
every index of the leads table, a COPY of history rows), during which psycopg releases the GIL;
scoring is mostly numpy and scikit-learn. With the next batch read and the previous one written on
their own connections, rescoring costs about as much as the scoring itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")


class BackgroundConnection:
    """One thread with its own database connection in the current tenant's schema; work runs in
    submission order."""

    def __init__(self, name: str) -> None:
        self._schema_name = connection.schema_name
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def submit(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        return self._executor.submit(self._in_schema, work, *args, **kwargs)

    def _in_schema(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        connection.set_schema(self._schema_name)  # ``connection`` is this thread's own
        return work(*args, **kwargs)

    def close(self) -> None:
        self._executor.submit(_close_thread_connection).result()
        self._executor.shutdown(wait=True)


class InlineConnection:
    """The same interface, running work at once on the caller's connection."""

    def submit(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(work(*args, **kwargs))
        except Exception as error:  # handed to the caller through the future, as a thread would
            future.set_exception(error)
        return future

    def close(self) -> None:
        return None


@contextmanager
def background_connections(*names: str) -> Iterator[list[BackgroundConnection | InlineConnection]]:
    """One background connection per name, closed on exit.

    Inside a transaction the work runs inline instead: another connection could neither see the
    transaction's uncommitted rows nor be rolled back with it.
    """
    if connection.in_atomic_block:
        yield [InlineConnection() for _ in names]
        return
    with ExitStack() as stack:
        opened = []
        for name in names:
            background = BackgroundConnection(name)
            stack.callback(background.close)
            opened.append(background)
        yield opened


def _close_thread_connection() -> None:
    # Resolved here, in the worker thread: ``connection`` is per thread.
    connection.close()
