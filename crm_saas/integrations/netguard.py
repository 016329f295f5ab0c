"""Outbound webhook requests that cannot be turned against the platform's own network (SSRF).

Only http(s) URLs; unless ``WEBHOOK_ALLOW_PRIVATE_TARGETS`` is on (development and test), every
address the host resolves to must be a public one. The check is repeated at delivery time and the
connection goes to the very address that was checked, so a DNS answer that changes between check
and connect (DNS rebinding) gains nothing. Redirects are never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from crm_saas.errors import DomainError

MAX_RESPONSE_BYTES = 2048  # kept in the delivery log; the rest of the answer is not read


class TargetRefused(DomainError):
    pass


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class HttpOutcome:
    status: int | None
    body: str
    error: str
    duration_ms: int


def target_parse(url: str) -> Target:
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as exc:
        raise TargetRefused("The URL is not valid.", field="url") from exc
    if parts.scheme not in {"http", "https"}:
        raise TargetRefused("Only http:// and https:// URLs can receive webhooks.", field="url")
    if not parts.hostname:
        raise TargetRefused("The URL has no host name.", field="url")
    if parts.username or parts.password:
        raise TargetRefused("Put credentials in the signing secret, not in the URL.", field="url")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        scheme=parts.scheme, host=parts.hostname, port=port or (443 if parts.scheme == "https" else 80), path=path
    )


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def target_addresses(target: Target) -> list[str]:
    """The addresses to connect to, all checked; raises TargetRefused when none may be used."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"The host name {target.host} could not be resolved.", field="url") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return addresses
    refused = [address for address in addresses if not _is_public(address)]
    if refused or not addresses:
        # One private answer is enough to refuse: a mixed answer is a classic rebinding trick.
        raise TargetRefused(
            f"{target.host} resolves to a private, loopback or link-local address ({refused[0] if refused else '?'}); "
            "webhooks may only go to public addresses.",
            field="url",
        )
    return addresses


def target_check(url: str) -> Target:
    """Validate a URL when a subscription is saved (the delivery checks again)."""
    target = target_parse(url)
    try:
        literal = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return target
    if literal is not None:
        if not _is_public(str(literal)):
            raise TargetRefused("Webhooks may only go to public addresses.", field="url")
        return target
    target_addresses(target)
    return target


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, address: str, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, address: str, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def http_post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> HttpOutcome:
    """POST ``body`` to ``url`` once; never raises for network trouble, never follows redirects."""
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        target = target_parse(url)
        address = target_addresses(target)[0]
    except TargetRefused as exc:
        return HttpOutcome(status=None, body="", error=exc.message[:300], duration_ms=took())
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(address, target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", errors="replace")
        return HttpOutcome(status=response.status, body=text, error="", duration_ms=took())
    except (OSError, http.client.HTTPException) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError | socket.timeout) else str(exc) or type(exc).__name__
        return HttpOutcome(status=None, body="", error=f"Connection failed: {reason}"[:300], duration_ms=took())
    finally:
        connection.close()
