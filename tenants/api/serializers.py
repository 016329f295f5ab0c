from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenants.models import OffboardingArchiveState, Tenant, TenantOffboarding
from tenants.selectors import tenant_primary_domain
from tenants.validation import SCHEMA_NAME_MAX_LENGTH


class TenantOutput(serializers.ModelSerializer):
    domain = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["id", "schema_name", "name", "domain", "is_active", "created_at", "deactivated_at"]

    def get_domain(self, tenant: Tenant) -> str:
        return tenant_primary_domain(tenant)


class TenantCreateInput(serializers.Serializer):
    schema_name = serializers.CharField(max_length=SCHEMA_NAME_MAX_LENGTH + 10)
    name = serializers.CharField(max_length=200)
    domain = serializers.CharField(max_length=253)
    admin_email = serializers.CharField(max_length=254)
    admin_password = serializers.CharField(max_length=256, trim_whitespace=False)
    admin_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TenantUpdateInput(serializers.Serializer):
    is_active = serializers.BooleanField(help_text="false deactivates the tenant (its data is kept).")


class TenantOffboardInput(serializers.Serializer):
    # Not required here: the service says what to type when it is missing or wrong.
    confirm = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="The tenant's schema name, typed again to confirm. Offboarding cannot be undone.",
    )


class OffboardingVerificationOutput(serializers.Serializer):
    checked_at = serializers.DateTimeField()
    clean = serializers.BooleanField(help_text="True when nothing of the tenant is left.")
    schema_exists = serializers.BooleanField()
    objects_remaining = serializers.IntegerField()
    live_data_keys = serializers.IntegerField()
    tenant_row_exists = serializers.BooleanField()
    domains_remaining = serializers.IntegerField()


class OffboardingArchiveOutput(serializers.Serializer):
    state = serializers.ChoiceField(choices=OffboardingArchiveState.choices, source="archive_state")
    size = serializers.IntegerField(source="archive_size", allow_null=True, help_text="Bytes, before encryption.")
    sha256 = serializers.CharField(source="archive_sha256", help_text="Of the archive as downloaded.")
    expires_at = serializers.DateTimeField(
        source="archive_expires_at", allow_null=True, help_text="When the retention task deletes the archive."
    )
    deleted_at = serializers.DateTimeField(source="archive_deleted_at", allow_null=True)
    expired_at = serializers.DateTimeField(source="archive_expired_at", allow_null=True)
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_download_url(self, offboarding: TenantOffboarding) -> str | None:
        if offboarding.archive_state != OffboardingArchiveState.AVAILABLE:
            return None
        return reverse(
            "api:offboarding-archive", kwargs={"offboarding_id": offboarding.id}, urlconf=settings.PUBLIC_SCHEMA_URLCONF
        )


class OffboardingOutput(serializers.ModelSerializer):
    tenant_id = serializers.IntegerField(source="tenant_pk")
    requested_by = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    verification = serializers.SerializerMethodField()
    archive = OffboardingArchiveOutput(source="*")

    class Meta:
        model = TenantOffboarding
        fields = [
            "id",
            "tenant_id",
            "schema_name",
            "tenant_name",
            "requested_by",
            "status",
            "progress",
            "error",
            "steps",
            "verification",
            "archive",
            "created_at",
            "finished_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_requested_by(self, offboarding: TenantOffboarding) -> str:
        return offboarding.requested_by.email if offboarding.requested_by else ""

    @extend_schema_field({"type": "object", "additionalProperties": {}})
    def get_steps(self, offboarding: TenantOffboarding) -> dict:
        """What each step did: archive bytes and SHA-256, keys destroyed, objects deleted."""
        return offboarding.report.get("steps", {})

    @extend_schema_field(OffboardingVerificationOutput(allow_null=True))
    def get_verification(self, offboarding: TenantOffboarding) -> dict | None:
        """The final check that nothing is left (null until the run has finished)."""
        verification = offboarding.report.get("verification")
        return OffboardingVerificationOutput(verification).data if verification else None
