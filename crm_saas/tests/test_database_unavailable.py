"""A database that cannot be reached answers 503 with Retry-After in the documented error shape."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from crm_saas.api.errors import api_exception_handler


def test_database_errors_become_a_503_the_client_can_retry() -> None:
    for exc in (OperationalError("connection refused"), InterfaceError("connection already closed")):
        response = api_exception_handler(exc, {})
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert set(response.data) == {"detail", "errors"} and "try again" in response.data["detail"]
        assert "refused" not in response.data["detail"]  # no internals leak out
