"""The Redis cache backend reuses one client per connection pool and still behaves as Django's."""

from __future__ import annotations

from django.core.cache import cache, caches

from crm_saas.cache import ReusedClientRedisCache


def test_the_configured_cache_is_the_reusing_backend() -> None:
    assert isinstance(caches["default"], ReusedClientRedisCache)


def test_one_client_serves_every_operation() -> None:
    cache.set("reuse:a", 1)
    first = cache._cache.get_client(write=True)
    assert cache._cache.get_client("reuse:a", write=True) is first
    # Django's own client would build a new redis.Redis each time; this one only once per pool.
    assert cache._cache.get_client(write=False) is cache._cache.get_client(write=False)


def test_cache_operations_behave_as_before() -> None:
    assert cache.add("reuse:counter", 1, timeout=30)
    assert not cache.add("reuse:counter", 5, timeout=30)
    assert cache.incr("reuse:counter") == 2
    cache.set_many({"reuse:x": {"nested": [1, 2]}, "reuse:y": "text"}, timeout=30)
    assert cache.get_many(["reuse:x", "reuse:y", "reuse:missing"]) == {"reuse:x": {"nested": [1, 2]}, "reuse:y": "text"}
    cache.delete_many(["reuse:x", "reuse:y"])
    assert cache.get("reuse:x") is None
    assert cache.get("reuse:counter") == 2
