"""API rate limits as fixed-window counters.

DRF's own throttles keep the timestamp of every request in the window in one cache entry, read
and written back whole on each request: at 1,200 requests a minute a busy integration moves a
list of a thousand floats through Redis per call. Here each client has one counter per window,
raised with Redis's atomic INCR (and given its expiry) in one round trip, or, on other caches,
claimed with ``add`` and raised with ``incr``. A fixed window lets a client
send up to twice its rate across a window boundary; for limits meant to stop abuse rather than
meter usage, that is the usual trade.
"""

from __future__ import annotations

import time
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class FixedWindowMixin:
    """For DRF's ``SimpleRateThrottle`` subclasses: same rates, scopes and cache keys (the
    tenant-aware cache key function keeps tenants apart), counted per window."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        window = int(time.time() // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        counter = f"{key}:{window}"
        if hasattr(self.cache, "incr_in_window"):  # the Redis backend: one round trip
            return self.cache.incr_in_window(counter, self.duration + 1) <= self.num_requests
        if self.cache.add(counter, 1, timeout=self.duration + 1):
            return True
        try:
            count = self.cache.incr(counter)
        except ValueError:  # the window's counter expired between add and incr: a new window
            self.cache.add(counter, 1, timeout=self.duration + 1)
            count = 1
        return count <= self.num_requests

    def wait(self) -> float:
        """Seconds until the window ends (the Retry-After header)."""
        return max(0.0, self.window_ends_at - time.time())


class UserRateLimit(FixedWindowMixin, UserRateThrottle):
    pass


class AnonRateLimit(FixedWindowMixin, AnonRateThrottle):
    pass


class ScopedRateLimit(FixedWindowMixin, ScopedRateThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        # ScopedRateThrottle reads the view's scope in its own allow_request, bypassed here.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
