"""Host name -> tenant, cached: every request starts by looking its tenant up.

The lookup (a query on the public schema, and a switch of the connection's schema to run it) is
kept in the shared cache for ``ROUTING_CACHE_SECONDS``. Any save or delete of a tenant or of a
domain drops the entries of that tenant's host names once the change commits, so deactivation,
reactivation and offboarding take effect on the next request in every process. Should the cache be
unreachable, requests look the tenant up in the database as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Domain, Tenant

logger = logging.getLogger(__name__)
ROUTING_CACHE_SECONDS = 300


def _key(hostname: str) -> str:
    return f"tenant-for-host:{hostname}"


def tenant_for_host(hostname: str, lookup: Callable[[], Tenant]) -> Tenant:
    """The tenant serving ``hostname``, from the cache or from ``lookup()`` (which may raise when
    no tenant serves it: nothing is cached then)."""
    # Keys are built in the public schema whatever the connection is on, so that the signal
    # handlers below, wherever they run, drop the same keys.
    with schema_context(get_public_schema_name()):
        try:
            cached = cache.get(_key(hostname))
        except Exception:
            logger.warning("Tenant routing cache unreachable; looking the tenant up", exc_info=True)
            return lookup()
        if cached is not None:
            return cached
        tenant = lookup()
        try:
            cache.set(_key(hostname), tenant, ROUTING_CACHE_SECONDS)
        except Exception:
            logger.warning("Tenant routing cache unreachable; not caching", exc_info=True)
        return tenant


def routing_forget(hostnames: Iterable[str]) -> None:
    keys = [_key(hostname) for hostname in hostnames]
    if not keys:
        return

    def forget() -> None:
        with schema_context(get_public_schema_name()):
            try:
                cache.delete_many(keys)
            except Exception:
                # Entries expire on their own within ROUTING_CACHE_SECONDS.
                logger.warning("Tenant routing cache unreachable; entries expire on their own", exc_info=True)

    forget()  # at once, and again after commit (a request in between may have cached the old row)
    transaction.on_commit(forget)


@receiver([post_save, post_delete], sender=Tenant)
def _tenant_changed(sender: type, instance: Tenant, **kwargs: Any) -> None:
    with schema_context(get_public_schema_name()):
        hostnames = list(Domain.objects.filter(tenant_id=instance.pk).values_list("domain", flat=True))
    routing_forget(hostnames)


@receiver([post_save, post_delete], sender=Domain)
def _domain_changed(sender: type, instance: Domain, **kwargs: Any) -> None:
    routing_forget([instance.domain])
