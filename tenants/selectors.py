from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from crm_saas.errors import ConflictError, NotFoundError
from tenants.models import OffboardingStatus, Tenant, TenantOffboarding


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


def tenant_get_for_offboarding(*, tenant_id: Any) -> Tenant:
    """The tenant to offboard; a tenant already offboarded is told apart from one never known."""
    try:
        return tenant_get(tenant_id=tenant_id)
    except NotFoundError:
        done = (
            TenantOffboarding.objects.filter(tenant_pk=int(tenant_id), status=OffboardingStatus.SUCCEEDED)
            .order_by("-finished_at")
            .first()
            if str(tenant_id).isdigit()
            else None
        )
        if done is None:
            raise
        raise ConflictError(
            f"This tenant was already offboarded on {done.finished_at:%Y-%m-%d} (offboarding {done.id}).",
            code="already_offboarded",
        ) from None


def tenant_offboarding_list() -> QuerySet[TenantOffboarding]:
    """Every offboarding run, newest first."""
    return TenantOffboarding.objects.select_related("requested_by").order_by("-created_at")


def tenant_offboarding_get(*, offboarding_id: Any) -> TenantOffboarding:
    try:
        return tenant_offboarding_list().get(pk=UUID(str(offboarding_id)))
    except (TenantOffboarding.DoesNotExist, ValueError) as exc:
        raise NotFoundError("Offboarding not found.") from exc
