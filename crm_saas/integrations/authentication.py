"""``Authorization: Api-Key <key>`` for machine clients, and the scope check endpoints apply."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from crm_saas.integrations.models import ApiKey
from crm_saas.integrations.scopes import scopes_granting, scopes_grants
from crm_saas.integrations.services.api_keys import api_key_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Keys are looked up in the schema of the host's tenant only: a key is worthless elsewhere."""

    keyword = "Api-Key"

    def authenticate(self, request: Any) -> tuple[Any, ApiKey] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid API key header: expected 'Api-Key <key>'.")
        try:
            raw_key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid API key header: the key must be ASCII.") from exc
        api_key = api_key_authenticate(raw_key=raw_key, request=request)
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API key.")
        return api_key.created_by, api_key

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


def _app_label(view: Any) -> str:
    config = apps.get_containing_app_config(type(view).__module__)
    return config.label if config else ""


def api_key_scope_denial(*, auth: Any, view: Any, capability: str) -> str | None:
    """Why the API key in ``auth`` may not use ``capability`` on ``view``; None when it may (or
    when the request is not authenticated by an API key)."""
    if not isinstance(auth, ApiKey):
        return None
    if getattr(view, "api_keys_allowed", True) is False:
        return "API keys cannot be used here; sign in as a tenant admin."
    app_label = _app_label(view)
    if (app_label, capability) in scopes_grants(auth.scopes):
        return None
    needed = scopes_granting(app_label=app_label, capability=capability)
    if not needed:
        return "API keys cannot be used for this action."
    return f"This API key lacks the scope this action needs: {' or '.join(needed)}."


class ApiKeyAuthScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Api-Key <key>` for machine clients. Tenant admins create keys with scopes "
                "(leads:read, leads:write, voice:write, models:train, ...) on the API keys page or "
                "at `POST /api/v1/api-keys/`; a key is shown once and works on its tenant's host only."
            ),
        }
