"""Host name -> tenant, cached: every request starts by looking its tenant up.

The lookup (a query on the public schema, and a switch of the connection's schema to run it) is
kept in the shared cache for ``ROUTING_CACHE_SECONDS``. Any save or delete of a tenant or of a
domain drops the entries of that tenant's host names once the change commits, so deactivation,
reactivation and offboarding take effect on the next request in every process. Should the cache be
unreachable, requests look the tenant up in the database as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import get_public_schema_name, schema_context

from crm_saas.cache_entries import cache_forget, cache_read_through
from tenants.models import Domain, Tenant

ROUTING_CACHE_SECONDS = 300


def _key(hostname: str) -> str:
    return f"tenant-for-host:{hostname}"


def tenant_for_host(hostname: str, lookup: Callable[[], Tenant]) -> Tenant:
    """The tenant serving ``hostname``, from the cache or from ``lookup()`` (which may raise when
    no tenant serves it: nothing is cached then)."""
    # Keys are built in the public schema whatever the connection is on, so that the signal
    # handlers below, wherever they run, drop the same keys.
    with schema_context(get_public_schema_name()):
        return cache_read_through(_key(hostname), lookup, seconds=ROUTING_CACHE_SECONDS, what="Tenant routing")


def routing_forget(hostnames: Iterable[str]) -> None:
    cache_forget([_key(hostname) for hostname in hostnames], what="Tenant routing", schema=get_public_schema_name())


@receiver([post_save, post_delete], sender=Tenant)
def _tenant_changed(sender: type, instance: Tenant, **kwargs: Any) -> None:
    with schema_context(get_public_schema_name()):
        hostnames = list(Domain.objects.filter(tenant_id=instance.pk).values_list("domain", flat=True))
    routing_forget(hostnames)


@receiver([post_save, post_delete], sender=Domain)
def _domain_changed(sender: type, instance: Domain, **kwargs: Any) -> None:
    routing_forget([instance.domain])
