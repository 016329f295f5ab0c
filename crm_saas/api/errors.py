"""One error body for every API failure: ``{"detail": str, "errors": {field: [str, ...]}}``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from crm_saas.errors import DomainError

logger = logging.getLogger(__name__)


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        errors: dict[str, list[str]] = {}
        for field, messages in detail.items():
            if isinstance(messages, dict):
                for sub_field, sub_messages in _flatten(messages).items():
                    errors[f"{field}.{sub_field}"] = sub_messages
            elif isinstance(messages, list):
                flat: list[str] = []
                for index, item in enumerate(messages):
                    if isinstance(item, dict):
                        for sub_field, sub_messages in _flatten(item).items():
                            errors[f"{field}[{index}].{sub_field}"] = sub_messages
                    else:
                        flat.append(str(item))
                if flat:
                    errors[field] = flat
            else:
                errors[field] = [str(messages)]
        return errors
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or {}}


# The database cannot be reached or gave up on the statement (restarting, failing over, out of
# connections, deadlock): nothing the client sent is wrong, so say so and when to try again rather
# than answer a bare 500. Write services run in transactions, which the failure rolled back.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE_MESSAGE = "The service is briefly unavailable (database unreachable); try again in a few seconds."
RETRY_AFTER_SECONDS = 5


def database_unavailable_response(exc: Exception) -> JsonResponse:
    logger.warning("Database unavailable: %s", exc)
    response = JsonResponse(error_body(DATABASE_UNAVAILABLE_MESSAGE), status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        errors = {exc.field: [exc.message]} if exc.field else {}
        return Response(error_body(exc.message, errors), status=exc.status_code)
    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.warning("Database unavailable during %s", context.get("request"), exc_info=True)
        return Response(
            error_body(DATABASE_UNAVAILABLE_MESSAGE),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors.values()), ["Invalid input."])[0]
        detail = first if list(errors) == ["non_field_errors"] else "Invalid input."
        response.data = error_body(detail, errors)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else "Request failed."
        response.data = error_body(message)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("Not found."), status=status.HTTP_404_NOT_FOUND)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("Internal server error. The error was logged."), status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )
