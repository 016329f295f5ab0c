from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.postgresql_backend.base import _check_schema_name
from django_tenants.utils import schema_exists

from tenants.schema_builder import tenant_schema_build


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

    def create_schema(self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1) -> bool:
        """Create and migrate this tenant's schema, replaying a recorded migration when there is
        one (``tenants.schema_builder``). False if ``check_if_exists`` and the schema exists."""
        if not sync_schema:
            return super().create_schema(check_if_exists=check_if_exists, sync_schema=False, verbosity=verbosity)
        _check_schema_name(self.schema_name)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        tenant_schema_build(schema_name=self.schema_name, verbosity=verbosity)
        return True


class Domain(DomainMixin):
    """A host name that routes requests to a tenant."""

    class Meta:
        ordering = ["domain"]


class OffboardingStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Offboarded"
    FAILED = "failed", "Failed"


class OffboardingArchiveState(models.TextChoices):
    PENDING = "pending", "Being made"
    AVAILABLE = "available", "Available"
    DELETED = "deleted", "Deleted by an operator"
    EXPIRED = "expired", "Deleted after retention"
    NONE = "none", "Not made"


class TenantOffboarding(models.Model):
    """A platform operator's offboarding of a tenant: archive, then delete everything.

    Outlives the tenant (whose row is deleted at the end), so it keeps the tenant's name and schema.
    The archive is encrypted under its own key, stored only wrapped by the KMS master key here.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tenant_pk = models.PositiveBigIntegerField()
    schema_name = models.CharField(max_length=63)
    tenant_name = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=OffboardingStatus.choices, default=OffboardingStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    archive_key = models.CharField(max_length=300, blank=True)
    archive_wrapped_key = models.BinaryField(null=True, editable=False)
    archive_size = models.PositiveBigIntegerField(null=True, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    archive_deleted_at = models.DateTimeField(null=True, blank=True)
    # Set when the archive is stored (CRM_OFFBOARDING_ARCHIVE_DAYS later); the archive is deleted
    # by the retention task once passed, which sets archive_expired_at.
    archive_expires_at = models.DateTimeField(null=True, blank=True)
    archive_expired_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"offboarding of {self.tenant_name} ({self.schema_name}): {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in {OffboardingStatus.SUCCEEDED, OffboardingStatus.FAILED}

    @property
    def archive_state(self) -> str:
        if self.archive_key:
            return OffboardingArchiveState.AVAILABLE
        if self.archive_expired_at:
            return OffboardingArchiveState.EXPIRED
        if self.archive_deleted_at:
            return OffboardingArchiveState.DELETED
        return OffboardingArchiveState.NONE if self.is_finished else OffboardingArchiveState.PENDING


class TenantDataKey(models.Model):
    """A tenant's data key, stored only wrapped by a master key (see ``crm_saas.crypto``).

    The active version encrypts new objects; older versions stay to decrypt what they encrypted.
    Destroying a tenant's keys (offboarding) wipes the wrapped material of every version, which
    makes everything encrypted under them unreadable (crypto-shredding). The wrapped key is never
    shown: it has no form, admin or API, and ``__str__`` leaves it out.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="data_keys")
    version = models.PositiveIntegerField()
    is_active = models.BooleanField(default=True)
    # Null once destroyed. The master key id is kept alongside to find the rows a rotation must
    # re-wrap without unwrapping anything.
    wrapped_key = models.BinaryField(null=True, editable=False)
    master_key_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tenant_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="tenants_datakey_unique_version"),
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(is_active=True), name="tenants_datakey_one_active"
            ),
            # Destroyed exactly when the wrapped material is gone, and a destroyed key is never active.
            models.CheckConstraint(
                condition=models.Q(destroyed_at__isnull=True, wrapped_key__isnull=False)
                | models.Q(destroyed_at__isnull=False, wrapped_key__isnull=True, is_active=False),
                name="tenants_datakey_destroyed_has_no_material",
            ),
        ]

    def __str__(self) -> str:
        state = "destroyed" if self.destroyed_at else ("active" if self.is_active else "retired")
        return f"data key v{self.version} of tenant {self.tenant_id} ({state})"

    def __repr__(self) -> str:
        return f"<TenantDataKey: {self}>"
