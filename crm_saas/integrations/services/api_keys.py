"""API keys: issue (shown once), authenticate, revoke.

A key acts as the user who created it, narrowed to its scopes; it stops working when that user is
deactivated, when it expires or when it is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_api_key_used, audit_record
from crm_saas.errors import DomainError, PermissionDeniedError
from crm_saas.integrations.models import ApiKey
from crm_saas.integrations.scopes import SCOPES, scopes_capabilities
from crm_saas.roles import Capability

KEY_PREFIX = "crmk_"  # a public marker that makes leaked keys easy to scan for
# last_used_at is written at most this often per key: a busy integration must not write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

AUDIT_API_KEY_CREATED = AuditAction.API_KEY_CREATED
AUDIT_API_KEY_REVOKED = AuditAction.API_KEY_REVOKED


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    key: str  # the only time the key is available in clear


def _digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def scopes_clean(scopes: Any) -> list[str]:
    if not isinstance(scopes, list | tuple) or not scopes:
        raise DomainError("Choose at least one scope.", field="scopes")
    unknown = sorted({str(scope) for scope in scopes} - set(SCOPES))
    if unknown:
        raise DomainError(f"Unknown scope(s): {', '.join(unknown)}. Known scopes: {', '.join(SCOPES)}.", field="scopes")
    return [name for name in SCOPES if name in set(scopes)]


def api_key_create(
    *,
    actor: Any,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> IssuedApiKey:
    if not actor.has_capability(Capability.SETTINGS_MANAGE):
        raise PermissionDeniedError("Only tenant admins can create API keys.")
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the key a name that says which system uses it.", field="name")
    if len(name) > 100:
        raise DomainError("Use at most 100 characters for the name.", field="name")
    clean_scopes = scopes_clean(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("The expiry date must be in the future.", field="expires_at")
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            name=name,
            key_prefix=raw_key[:12],
            key_digest=_digest(raw_key),
            scopes=clean_scopes,
            created_by=actor,
            expires_at=expires_at,
        )
        audit_record(
            action=AUDIT_API_KEY_CREATED,
            request=request,
            actor=actor,
            target=api_key,
            target_label=f"{api_key.name} ({api_key.key_prefix}…)",
            metadata={"scopes": clean_scopes, "expires_at": expires_at.isoformat() if expires_at else None},
        )
    return IssuedApiKey(api_key=api_key, key=raw_key)


def api_key_authenticate(*, raw_key: str, request: Any = None) -> ApiKey | None:
    """The usable key for ``raw_key`` in the current tenant's schema, or None.

    The returned key's ``created_by`` carries ``capability_limit``: from here on, every capability
    check for this request (endpoint permissions and the services' own checks) sees only what the
    key's scopes allow.
    """
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) > 100:
        return None
    api_key = ApiKey.objects.select_related("created_by").filter(key_digest=_digest(raw_key)).first()
    now = timezone.now()
    if api_key is None or api_key.revoked_at is not None or api_key.is_expired(now=now):
        return None
    if not api_key.created_by.is_active:
        return None
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        # Recorded as often as last_used_at moves: the audit log shows machine access without
        # an entry per request.
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
        audit_api_key_used(request=request, key_id=api_key.pk, key_label=api_key.name, scopes=list(api_key.scopes))
    api_key.created_by.capability_limit = scopes_capabilities(api_key.scopes)
    return api_key


def api_key_revoke(*, api_key: ApiKey, actor: Any, request: HttpRequest | None = None) -> ApiKey:
    if not actor.has_capability(Capability.SETTINGS_MANAGE):
        raise PermissionDeniedError("Only tenant admins can revoke API keys.")
    with transaction.atomic():
        updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        if updated:
            audit_record(
                action=AUDIT_API_KEY_REVOKED,
                request=request,
                actor=actor,
                target=api_key,
                target_label=f"{api_key.name} ({api_key.key_prefix}…)",
            )
    api_key.refresh_from_db()
    return api_key
