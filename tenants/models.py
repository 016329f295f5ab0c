from __future__ import annotations

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """A customer workspace. Its data lives in the PostgreSQL schema ``schema_name``."""

    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    # The schema is created (and migrated) when a new tenant is saved; it is never dropped
    # implicitly: deactivation keeps the data, and deletion is an explicit offboarding step.
    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"


class Domain(DomainMixin):
    """A host name that routes requests to a tenant."""

    class Meta:
        ordering = ["domain"]
