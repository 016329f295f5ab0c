"""Idempotent POSTs: the first response to a key is stored and replayed for retries.

The unique (principal, key) row is claimed in its own committed statement before the endpoint
runs, so of two concurrent requests with one key exactly one executes; the other is told the
first is still in progress (409) and may retry. A key reused with another body or endpoint is an
error (422). Keys live for ``IDEMPOTENCY_TTL_HOURS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm_saas.errors import ConflictError, DomainError
from crm_saas.integrations.models import IdempotencyRecord

MAX_KEY_LENGTH = 255
# A claim still unfinished after this long belongs to a request whose process died.
ABANDONED_AFTER = timedelta(minutes=10)


class IdempotencyKeyReused(DomainError):
    status_code = 422
    default_code = "idempotency_key_reused"


@dataclass(frozen=True)
class Claim:
    record: IdempotencyRecord
    replay: bool  # True: answer with the stored response; False: run the request and store it


def idempotency_key_clean(raw: str) -> str:
    key = (raw or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise DomainError(
            f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters (a UUID is a good choice).",
            field="Idempotency-Key",
        )
    return key


def _expired_before() -> Any:
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


def idempotency_claim(*, principal: str, key: str, method: str, path: str, fingerprint: str) -> Claim:
    """Claim ``key`` for this request, or find the request that already used it."""
    for _ in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal, key=key, method=method, path=path[:500], fingerprint=fingerprint
                )
            return Claim(record=record, replay=False)
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if existing is None:
            continue  # released by a failed first request in the meantime: claim it now
        if existing.created_at < _expired_before():
            IdempotencyRecord.objects.filter(pk=existing.pk).delete()
            continue
        if existing.method != method or existing.path != path[:500] or existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used for a different request; use a new key for a new request.",
                field="Idempotency-Key",
            )
        if existing.completed_at is None and existing.created_at < timezone.now() - ABANDONED_AFTER:
            # The process that claimed it died mid-request; its work was rolled back with it.
            IdempotencyRecord.objects.filter(pk=existing.pk, completed_at__isnull=True).delete()
            continue
        if existing.completed_at is None:
            raise ConflictError(
                "A request with this Idempotency-Key is still being processed; retry in a moment.",
                code="idempotency_in_progress",
            )
        return Claim(record=existing, replay=True)
    raise ConflictError("A request with this Idempotency-Key is still being processed; retry in a moment.")


def idempotency_complete(*, record: IdempotencyRecord, status: int, body: Any, headers: dict[str, str]) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        response_status=status, response_body=_jsonb_safe(body), response_headers=headers, completed_at=timezone.now()
    )


def _jsonb_safe(value: Any) -> Any:
    """``value`` with NUL characters replaced: PostgreSQL's jsonb cannot hold U+0000, and an answer
    that echoes one back (a validation error quoting the input) must still be stored for replay."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_jsonb_safe(str(key)): _jsonb_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonb_safe(item) for item in value]
    return value


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed on the server's side, so the client's retry runs."""
    IdempotencyRecord.objects.filter(pk=record.pk, completed_at__isnull=True).delete()


def idempotency_records_purge(*, older_than_hours: int) -> int:
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
