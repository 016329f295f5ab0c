"""Webhook signatures: HMAC-SHA256 over ``"<timestamp>.<raw body>"`` with the subscription's secret.

Receivers recompute it, compare in constant time and reject stale timestamps (replays). The same
scheme is described in docs/integration.md and implemented by docs/examples/webhook_receiver.py.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-CRM-Signature"
TIMESTAMP_HEADER = "X-CRM-Timestamp"
EVENT_HEADER = "X-CRM-Event"
DELIVERY_HEADER = "X-CRM-Delivery"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a public marker, not a secret
DEFAULT_TOLERANCE_SECONDS = 300


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_verify(
    *,
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent_at) > tolerance_seconds:
        return False
    expected = signature_compute(secret=secret, timestamp=sent_at, body=body)
    return hmac.compare_digest(expected, signature or "")
