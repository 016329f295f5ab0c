from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from crm_saas.audit.models import AuditAction, AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as seen by the web server.

    X-Forwarded-For is read only when the connection comes from a proxy listed in
    CRM_TRUSTED_PROXIES, and then only its last hop not added by such a proxy: any client can send
    the header, so an untrusted value would let attackers pick the address their failures count to.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if remote is None or remote not in trusted:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


def audit_record(
    *,
    action: AuditAction | str,
    request: HttpRequest | None = None,
    actor: Any = None,
    actor_label: str = "",
    target: Any = None,
    target_type: str = "",
    target_label: str = "",
    metadata: dict[str, Any] | None = None,
    subject_ref: str = "",
) -> AuditEvent:
    """Append one event to the current schema's audit log."""
    request_user = getattr(request, "user", None)
    if actor is None and request_user is not None and request_user.is_authenticated:
        actor = request_user
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_label = target_label or str(target)
    return AuditEvent.objects.create(
        action=str(action),
        actor=actor,
        actor_label=actor_label or (str(actor) if actor is not None else ""),
        target_type=target_type,
        target_id=str(target.pk) if target is not None else "",
        target_label=target_label[:254],
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        metadata=metadata or {},
        subject_ref=subject_ref,
    )


def audit_api_key_used(
    *, request: HttpRequest | None, key_id: Any, key_label: str, scopes: list[str] | None = None
) -> AuditEvent:
    """The hook for API key authentication: record that a key was used (data access by a machine).

    Call it from the authentication class once a key is accepted; the key's id and label identify it,
    never the secret. The request gives the address and the endpoint used.
    """
    return audit_record(
        action=AuditAction.API_KEY_USED,
        request=request,
        actor_label=f"API key {key_label}"[:254],
        target_type="apikey",
        target_label=key_label,
        metadata={
            "key_id": str(key_id),
            "method": getattr(request, "method", "") or "",
            "path": (getattr(request, "path", "") or "")[:200],
            "scopes": scopes or [],
        },
    )
