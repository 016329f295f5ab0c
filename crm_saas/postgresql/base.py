"""django-tenants' PostgreSQL backend, sending ``SET search_path`` only when the session needs it.

With ``TENANT_LIMIT_SET_CALLS`` django-tenants sends the search path once per tenant switch, but
every ``set_tenant`` counts as a switch, and the tenant middleware calls it on every request: each
API request paid one extra statement to set the path the session already had. This backend
remembers the path the session really has (the last ``SET`` that went through) and skips a ``SET``
that would not change it. It forgets that path whenever PostgreSQL may have dropped it: a rollback
or a rollback to a savepoint (a rolled-back ``SET`` is undone), and any close or new connection.
"""

from __future__ import annotations

from typing import Any

from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.utils import get_limit_set_calls


class DatabaseOperations(tenants_base.DatabaseWrapper.ops_class):
    # Bulk inserts send their column arrays as literals (see crm_saas/postgresql/compiler.py).
    compiler_module = "crm_saas.postgresql.compiler"


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._session_search_path: list[str] | None = None
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        self._session_search_path = None
        super().connect()

    def close(self) -> None:
        self._session_search_path = None
        super().close()

    def rollback(self) -> None:
        self._session_search_path = None
        super().rollback()

    def savepoint_rollback(self, sid: str) -> None:
        try:
            super().savepoint_rollback(sid)
        finally:
            self._session_search_path = None

    def _handle_search_path(self, cursor: Any = None) -> None:
        if (
            get_limit_set_calls()
            and not self._setting_search_path
            and self.search_path_set_schemas is None
            and self._session_search_path is not None
            and self.schema_name
            and self._session_search_path == self._get_cursor_search_paths()
        ):
            self.search_path_set_schemas = self._session_search_path
            return
        super()._handle_search_path(cursor)
        if self.search_path_set_schemas is not None:
            self._session_search_path = list(self.search_path_set_schemas)
