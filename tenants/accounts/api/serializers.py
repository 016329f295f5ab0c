from __future__ import annotations

from rest_framework import serializers

from crm_saas.roles import ROLE_CAPABILITIES, Role
from tenants.accounts.models import User


class TokenInput(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "is_active", "date_joined", "last_login", "deactivated_at"]


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown once.")
    expires_at = serializers.DateTimeField()
    user = UserOutput()


class TenantSummary(serializers.Serializer):
    schema_name = serializers.CharField()
    name = serializers.CharField()
    domain = serializers.CharField()


class MeOutput(serializers.Serializer):
    user = UserOutput()
    role = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.CharField())
    tenant = TenantSummary()

    @staticmethod
    def build(user: User, tenant: object, domain: str) -> dict[str, object]:
        return {
            "user": user,
            "role": user.role,
            "capabilities": sorted(ROLE_CAPABILITIES.get(user.role, ())),
            "tenant": {"schema_name": tenant.schema_name, "name": tenant.name, "domain": domain},
        }


class UserCreateInput(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices)
    password = serializers.CharField(
        max_length=256,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Leave out to e-mail the user an invitation to choose their own password.",
    )


class UserUpdateInput(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False, help_text="false deactivates, true reactivates.")


class UserImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with a header row: email, full_name (optional), role.")
