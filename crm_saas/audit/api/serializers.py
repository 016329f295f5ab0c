from rest_framework import serializers

from crm_saas.audit.models import AuditEvent


class AuditEventOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "action",
            "actor",
            "actor_label",
            "target_type",
            "target_id",
            "target_label",
            "ip_address",
            "metadata",
            "subject_ref",
        ]
