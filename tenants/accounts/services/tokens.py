"""API tokens: random keys of which only a SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from tenants.accounts.models import AuthToken, User
from tenants.accounts.token_cache import token_cache_forget, token_cache_store, token_cached

TOKEN_PREFIX = "crm_"  # noqa: S105 - a public marker that makes leaked keys easy to scan for


@dataclass(frozen=True)
class IssuedToken:
    token: AuthToken
    key: str  # shown to the caller once, never stored


def _digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def token_issue(*, user: User, name: str = "", request: HttpRequest | None = None) -> IssuedToken:
    raw_key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AuthToken.objects.create(
        user=user,
        key_digest=_digest(raw_key),
        key_prefix=raw_key[:12],
        name=name[:100],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    audit_record(
        action=AuditAction.TOKEN_CREATED, request=request, actor=user, target=token, target_label=token.key_prefix
    )
    return IssuedToken(token=token, key=raw_key)


def token_authenticate(*, raw_key: str) -> AuthToken | None:
    """The usable token for ``raw_key`` in the current schema, or None."""
    if not raw_key.startswith(TOKEN_PREFIX) or len(raw_key) > 100:
        return None
    digest = _digest(raw_key)
    token = token_cached(digest, lambda: _token_lookup(digest))
    now = timezone.now()
    if token is None or not token.is_usable(now=now) or not token.user.is_active:
        return None
    # Record use at most once a minute: a busy integration should not write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        AuthToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        token_cache_store(token)
    return token


def _token_lookup(digest: str) -> AuthToken | None:
    # The password hash stays in the database (and out of the token cache) unless something reads it.
    return AuthToken.objects.select_related("user").defer("user__password").filter(key_digest=digest).first()


def token_revoke(*, token: AuthToken, actor: Any, request: HttpRequest | None = None) -> None:
    if token.revoked_at is None:
        AuthToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        token_cache_forget([token.key_digest])
        audit_record(
            action=AuditAction.TOKEN_REVOKED, request=request, actor=actor, target=token, target_label=token.key_prefix
        )
