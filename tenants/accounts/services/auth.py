"""Sign-in with e-mail and password, with a lock-out after repeated failures."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.http import HttpRequest

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record, client_ip
from crm_saas.errors import DomainError, TooManyRequestsError
from tenants.accounts.models import User


def _failure_key(email: str, request: HttpRequest | None) -> str:
    digest = hashlib.sha256(f"{email}|{client_ip(request)}".encode()).hexdigest()
    return f"login-failures:{digest}"


def auth_sign_in(*, email: str, password: str, request: HttpRequest | None) -> User:
    """Check credentials in the current schema, with a lock-out after repeated failures.

    Errors never say whether the e-mail exists.
    """
    email = (email or "").strip().lower()
    key = _failure_key(email, request)
    failures = cache.get(key, 0)
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        audit_record(action=AuditAction.LOGIN_BLOCKED, request=request, actor_label=email)
        minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
        raise TooManyRequestsError(f"Too many failed sign-in attempts. Try again in {minutes} minutes.")
    user = authenticate(request, email=email, password=password or "")
    if user is None:
        cache.set(key, failures + 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)
        audit_record(action=AuditAction.LOGIN_FAILED, request=request, actor_label=email)
        raise DomainError("E-mail or password is incorrect, or the account is inactive.", code="invalid_credentials")
    cache.delete(key)
    update_last_login(None, user)
    audit_record(action=AuditAction.LOGIN, request=request, actor=user, metadata={"via": _channel(request)})
    return user


def _channel(request: HttpRequest | None) -> str:
    return "api" if request is not None and request.path.startswith("/api/") else "web"
