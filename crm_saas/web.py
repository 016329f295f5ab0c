"""Access control for server-rendered pages, mirroring the API's declared capabilities."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def capability_required(capability: str) -> Callable[[View], View]:
    """Tenant pages: sign-in required (redirect), then the capability (403 otherwise)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if connection.schema_name == "public" or not request.user.has_capability(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def operator_required(view: View) -> View:
    """Platform pages: a signed-in platform operator on the platform host."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if connection.schema_name != "public" or not request.user.is_platform_operator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def form_add_domain_error(form: Any, error: Any) -> None:
    """Show a service's DomainError on the form field it names (or on the form as a whole)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
