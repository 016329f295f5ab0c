from __future__ import annotations

from rest_framework import serializers

from crm_saas.integrations.events import EVENT_NAMES
from crm_saas.integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from crm_saas.integrations.scopes import SCOPE_NAMES


class ApiKeyInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="Which system uses the key, e.g. 'ERP sync'.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPE_NAMES), min_length=1)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Leave out for no expiry.")


class ApiKeyOutput(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email", read_only=True)
    state = serializers.ChoiceField(choices=["active", "expired", "revoked"], read_only=True)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPE_NAMES))

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "key_prefix",
            "scopes",
            "state",
            "created_by",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]


class ApiKeyCreatedOutput(ApiKeyOutput):
    key = serializers.CharField(read_only=True, help_text="The key itself. Shown only in this response; store it now.")

    class Meta(ApiKeyOutput.Meta):
        fields = [*ApiKeyOutput.Meta.fields, "key"]


class WebhookInput(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="http(s) URL that receives signed POSTs.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_NAMES), min_length=1)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookUpdateInput(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_NAMES), min_length=1, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, help_text="true switches a disabled subscription back on.")
    rotate_secret = serializers.BooleanField(required=False, help_text="true issues a new signing secret.")


class WebhookOutput(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_NAMES))

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "events",
            "description",
            "is_active",
            "disabled_reason",
            "consecutive_failures",
            "created_at",
            "updated_at",
        ]


class WebhookWithSecretOutput(WebhookOutput):
    secret = serializers.CharField(read_only=True, help_text="HMAC-SHA256 signing secret for this subscription.")

    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]


class WebhookDeliveryOutput(serializers.ModelSerializer):
    subscription = serializers.UUIDField(source="subscription_id", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event",
            "event_id",
            "status",
            "attempts",
            "response_status",
            "error",
            "duration_ms",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "redelivery_of",
        ]


class WebhookDeliveryDetailOutput(WebhookDeliveryOutput):
    payload = serializers.JSONField(read_only=True, help_text="The exact JSON body that was sent.")

    class Meta(WebhookDeliveryOutput.Meta):
        fields = [*WebhookDeliveryOutput.Meta.fields, "payload", "response_body"]


class WebhookEventOutput(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
