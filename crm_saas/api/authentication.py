from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from tenants.accounts.services import token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` with a key from ``POST /api/v1/auth/token/``.

    Keys are looked up in the current tenant's schema only, so a key is worthless on any other
    tenant's host.
    """

    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected 'Token <key>'.")
        try:
            raw_key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header: the key must be ASCII.") from exc
        token = token_authenticate(raw_key=raw_key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class CsrfSessionAuthentication(authentication.SessionAuthentication):
    """Session auth for the server-rendered pages' own calls (CSRF enforced on writes)."""


class TokenAuthScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; obtain a key from `POST /api/v1/auth/token/`.",
        }


class SessionAuthScheme(OpenApiAuthenticationExtension):
    target_class = CsrfSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
