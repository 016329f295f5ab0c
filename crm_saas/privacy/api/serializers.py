"""Input and output shapes of the privacy API."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm_saas.jobs.api.serializers import JobOutput
from crm_saas.privacy.models import PrivacyRequest


class PrivacySubjectInput(serializers.Serializer):
    """Exactly one of the three names the person."""

    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    lead_id = serializers.CharField(required=False, allow_blank=True, max_length=20)
    customer_id = serializers.CharField(required=False, allow_blank=True, max_length=20)


class PrivacyErasureInput(PrivacySubjectInput):
    confirm = serializers.CharField(
        required=False, allow_blank=True, max_length=254, help_text="The same e-mail address or id, typed again."
    )


class PrivacySearchOutput(serializers.Serializer):
    query = serializers.DictField(child=serializers.CharField())
    emails = serializers.ListField(child=serializers.CharField())
    lead_ids = serializers.ListField(child=serializers.IntegerField())
    customer_ids = serializers.ListField(child=serializers.IntegerField())
    records = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Per app, the number of records of each type that hold something about the person.",
    )
    files = serializers.IntegerField(help_text="Stored files (voice recordings) about the person.")
    total = serializers.IntegerField()


class PrivacyRequestOutput(serializers.ModelSerializer):
    job = JobOutput(read_only=True)
    requested_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = PrivacyRequest
        fields = [
            "id",
            "kind",
            "status",
            "subject_ref",
            "subject_label",
            "requested_by",
            "job",
            "report",
            "error",
            "bundle_size",
            "expires_at",
            "bundle_deleted_at",
            "download_url",
            "created_at",
            "finished_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_requested_by(self, obj: PrivacyRequest) -> str:
        return obj.requested_by.email if obj.requested_by else ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_download_url(self, obj: PrivacyRequest) -> str | None:
        """Only for the admin who asked, while the bundle exists."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if obj.kind != "export" or not obj.bundle_key or user is None or obj.requested_by_id != user.pk:
            return None
        return reverse("api:privacy-export-download", kwargs={"request_id": obj.id})
