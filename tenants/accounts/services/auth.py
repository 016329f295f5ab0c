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


def _failure_keys(email: str, request: HttpRequest | None) -> list[tuple[str, int]]:
    """Counters a failed sign-in adds to, each with its limit: the (e-mail, address) pair, the
    account from any address, and the address across accounts. Keys are hashed (no e-mails in
    the cache) and carry the tenant's schema through the cache key function."""
    address = client_ip(request) or "-"

    def key(kind: str, value: str) -> str:
        return f"login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"

    return [
        (key("pair", f"{email}|{address}"), settings.LOGIN_FAILURE_LIMIT),
        (key("account", email), settings.LOGIN_ACCOUNT_FAILURE_LIMIT),
        (key("address", address), settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    ]


def auth_sign_in(*, email: str, password: str, request: HttpRequest | None) -> User:
    """Check credentials in the current schema, with a lock-out after repeated failures.

    Errors never say whether the e-mail exists. A blocked attempt does not check the password at
    all, so guessing goes on being refused even when the guess is right.
    """
    email = (email or "").strip().lower()
    counters = _failure_keys(email, request)
    failures = cache.get_many([key for key, _ in counters])
    if any(failures.get(key, 0) >= limit for key, limit in counters):
        audit_record(action=AuditAction.LOGIN_BLOCKED, request=request, actor_label=email)
        minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
        raise TooManyRequestsError(f"Too many failed sign-in attempts. Try again in {minutes} minutes.")
    user = authenticate(request, email=email, password=password or "")
    if user is None:
        for key, _ in counters:
            # add() starts the window on the first failure; incr() keeps it (set() would extend it).
            if not cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add() and incr()
                    cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)
        audit_record(action=AuditAction.LOGIN_FAILED, request=request, actor_label=email)
        raise DomainError("E-mail or password is incorrect, or the account is inactive.", code="invalid_credentials")
    # Success clears this pair's count only: a right password from one place does not wipe the
    # record of guessing at the account or from the address.
    cache.delete(counters[0][0])
    update_last_login(None, user)
    audit_record(action=AuditAction.LOGIN, request=request, actor=user, metadata={"via": _channel(request)})
    return user


def _channel(request: HttpRequest | None) -> str:
    return "api" if request is not None and request.path.startswith("/api/") else "web"
