"""Declarative API permissions.

An endpoint states what it needs with ``required_capability`` (one capability for every method)
or ``required_capabilities`` (a map of HTTP method -> capability). An endpoint that states nothing
is closed to everyone: forgetting a declaration can never open an endpoint.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from rest_framework.permissions import BasePermission

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def required_capability_for(view: Any, method: str) -> str | None:
    per_method = getattr(view, "required_capabilities", None)
    if per_method:
        if method in per_method:
            return per_method[method]
        if method in {"HEAD", "OPTIONS"}:
            return per_method.get("GET")
        return None
    return getattr(view, "required_capability", None)


class HasRoleCapability(BasePermission):
    message = "Your role does not allow this action."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        capability = required_capability_for(view, request.method)
        if capability is None:
            return False
        from crm_saas.integrations.authentication import api_key_scope_denial

        denial = api_key_scope_denial(auth=request.auth, view=view, capability=capability)
        if denial:
            self.message = denial  # a fresh instance per request: says which scope is missing
            return False
        return user.has_capability(capability)


class IsPlatformOperator(BasePermission):
    """Platform operators, on the platform's own (public schema) host only."""

    message = "Only platform operators may do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            connection.schema_name == "public"
            and user
            and user.is_authenticated
            and user.is_active
            and user.is_platform_operator
        )
