"""/api/v1/leads/<id>/messages/ (JSON text, or a multipart .eml upload), /api/v1/leads/<id>/priority/
and /api/v1/leads/priority/settings/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.roles import Capability
from leads import selectors
from leads.messages import selectors as message_selectors
from leads.messages import services
from leads.models import LeadMessage, MessageChannel, MessageDirection, Priority, PriorityHistory, PrioritySettings
from leads.priority import configuration
from leads.priority.service import priority_settings


class MessageInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=MessageChannel.choices, default=MessageChannel.EMAIL)
    direction = serializers.ChoiceField(choices=MessageDirection.choices, default=MessageDirection.INBOUND)
    body = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text="The text. An e-mail's full source (headers first) is parsed.",
    )
    subject = serializers.CharField(required=False, allow_blank=True, max_length=300)
    sender = serializers.CharField(required=False, allow_blank=True, max_length=254)
    occurred_at = serializers.DateTimeField(required=False)


class MessageUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="An e-mail saved as .eml (RFC 5322), at most 2 MB.")


class MessageSignalOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    points = serializers.IntegerField()
    start = serializers.IntegerField(help_text="Offset in subject + newline + body (body alone without subject).")
    end = serializers.IntegerField()
    text = serializers.CharField()
    blocking = serializers.BooleanField()


class MessageOutput(serializers.ModelSerializer):
    signals = MessageSignalOutput(many=True)
    key_phrases = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = LeadMessage
        fields = [
            "id",
            "lead",
            "channel",
            "direction",
            "subject",
            "sender",
            "body",
            "occurred_at",
            "language",
            "signals",
            "key_phrases",
            "voice_log",
            "handled_at",
            "created_at",
        ]


class LeadMessageListView(TenantAPIView):
    required_capabilities = {"GET": Capability.RECORDS_READ, "POST": Capability.RECORDS_WRITE}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=MessageOutput(many=True), tags=["leads"])
    def get(self, request: Request, lead_id: int) -> Response:
        """The lead's messages, newest first, with the signals read from each."""
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        return self.paginated_response(message_selectors.lead_messages_for(lead), MessageOutput)

    @extend_schema(
        request={"application/json": MessageInput, "multipart/form-data": MessageUploadInput},
        responses={201: MessageOutput},
        tags=["leads"],
    )
    def post(self, request: Request, lead_id: int) -> Response:
        """Add a message (JSON), or upload an e-mail (.eml, multipart ``file``). Inbound messages
        queue the lead's priority; read it back on the lead a moment later."""
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        if "file" in request.FILES or (request.content_type or "").startswith("multipart/"):
            upload = MessageUploadInput(data=request.data)
            upload.is_valid(raise_exception=True)
            message = services.lead_message_from_upload(
                lead=lead, actor=request.user, upload=upload.validated_data["file"]
            )
        else:
            data = MessageInput(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            if not values.get("subject") and not values.get("sender") and "occurred_at" not in values:
                message = services.lead_message_paste(
                    lead=lead,
                    actor=request.user,
                    text=values["body"],
                    channel=values["channel"],
                    direction=values["direction"],
                )
            else:
                message = services.lead_message_create(lead=lead, actor=request.user, **values)
        return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)


class PriorityReasonOutput(serializers.Serializer):
    text = serializers.CharField()
    points = serializers.FloatField()
    source = serializers.CharField()
    key = serializers.CharField()
    message_id = serializers.IntegerField(allow_null=True)


class PriorityHistoryOutput(serializers.ModelSerializer):
    reasons = PriorityReasonOutput(many=True)

    class Meta:
        model = PriorityHistory
        fields = ["priority", "value", "structured", "text", "reasons", "trigger", "message", "computed_at"]


class LeadPriorityOutput(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices, allow_blank=True)
    priority_value = serializers.FloatField(allow_null=True)
    priority_reasons = PriorityReasonOutput(many=True)
    priority_at = serializers.DateTimeField(allow_null=True)
    history = PriorityHistoryOutput(many=True)


class LeadPriorityView(TenantAPIView):
    required_capability = Capability.RECORDS_READ

    @extend_schema(responses=LeadPriorityOutput, tags=["leads"])
    def get(self, request: Request, lead_id: int) -> Response:
        """The lead's priority, its reasons and its last 50 changes."""
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        payload = {
            "priority": lead.priority,
            "priority_value": lead.priority_value,
            "priority_reasons": lead.priority_reasons,
            "priority_at": lead.priority_at,
            "history": lead.priority_history.all()[:50],
        }
        return Response(LeadPriorityOutput(payload).data)


class PrioritySettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrioritySettings
        fields = ["high_min", "medium_min", "text_weight", "min_training_leads"]


class PrioritySettingsView(TenantAPIView):
    required_capabilities = {"GET": Capability.RECORDS_READ, "PATCH": Capability.SETTINGS_MANAGE}

    @extend_schema(responses=PrioritySettingsSerializer, tags=["leads"])
    def get(self, request: Request) -> Response:
        return Response(PrioritySettingsSerializer(priority_settings()).data)

    @extend_schema(request=PrioritySettingsSerializer, responses=PrioritySettingsSerializer, tags=["leads"])
    def patch(self, request: Request) -> Response:
        """Change thresholds or the text weight; open leads are re-prioritised in the background."""
        data = PrioritySettingsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        row = configuration.priority_settings_update(actor=request.user, data=dict(data.validated_data))
        return Response(PrioritySettingsSerializer(row).data)
