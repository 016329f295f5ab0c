"""/api/v1/leads/<id>/notes/: what people wrote or said about a lead."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.roles import Capability
from leads import selectors, services
from leads.api.serializers import OwnerOutput
from leads.models import NOTE_MAX_LENGTH, LeadNote


class NoteInput(serializers.Serializer):
    # Length and blankness are the service's to check, so the API and the pages say the same thing.
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=f"At most {NOTE_MAX_LENGTH} characters."
    )


class NoteOutput(serializers.ModelSerializer):
    author = OwnerOutput(allow_null=True)

    class Meta:
        model = LeadNote
        fields = ["id", "lead", "author", "text", "source", "voice_log", "created_at"]


class LeadNoteListView(TenantAPIView):
    required_capabilities = {"GET": Capability.RECORDS_READ, "POST": Capability.RECORDS_WRITE}

    @extend_schema(responses=NoteOutput(many=True), tags=["leads"])
    def get(self, request: Request, lead_id: int) -> Response:
        """The lead's notes, newest first."""
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        return self.paginated_response(selectors.lead_notes_for(lead), NoteOutput)

    @extend_schema(request=NoteInput, responses={201: NoteOutput}, tags=["leads"])
    def post(self, request: Request, lead_id: int) -> Response:
        """Add a typed note (spoken notes come through the voice commands)."""
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.lead_note_add(lead=lead, author=request.user, text=data.validated_data["text"])
        return Response(NoteOutput(note).data, status=status.HTTP_201_CREATED)
