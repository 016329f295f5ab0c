from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from crm_saas.errors import NotFoundError
from tenants.models import Tenant


def tenant_list() -> QuerySet[Tenant]:
    """Customer tenants (the platform's own public tenant is not one)."""
    return Tenant.objects.exclude(schema_name="public").prefetch_related("domains").order_by("name")


def tenant_get(*, tenant_id: Any) -> Tenant:
    try:
        return tenant_list().get(pk=int(tenant_id))
    except (Tenant.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError("Tenant not found.") from exc


def tenant_primary_domain(tenant: Tenant) -> str:
    domains = list(tenant.domains.all())
    primary = next((d for d in domains if d.is_primary), domains[0] if domains else None)
    return primary.domain if primary else ""
