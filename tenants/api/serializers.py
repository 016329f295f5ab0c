from __future__ import annotations

from rest_framework import serializers

from tenants.models import Tenant
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
