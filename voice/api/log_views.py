"""Voice log API: upload (multipart), list, read, delete, stream the audio; the tenant's settings."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.roles import Capability
from voice import selectors
from voice.api.log_serializers import (
    VoiceLogFilterInput,
    VoiceLogInput,
    VoiceLogOutput,
    VoiceSettingsInput,
    VoiceSettingsOutput,
)
from voice.playback import audio_playback
from voice.services.logs import CONTENT_TYPES, voice_log_create, voice_log_delete
from voice.services.retry import voice_log_transcribe_retry
from voice.services.settings import VoiceSettingsInvalid, voice_settings_get, voice_settings_update

_REFUSALS = {
    400: OpenApiResponse(description="No file, an empty, damaged or too long recording, or an unknown lead."),
    413: OpenApiResponse(description="The recording is larger than the workspace allows."),
    415: OpenApiResponse(description="The file is not audio in a supported format (the detected type is named)."),
}


class VoiceLogListView(TenantAPIView):
    required_capability = Capability.VOICE_USE
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(parameters=[VoiceLogFilterInput], responses=VoiceLogOutput(many=True), tags=["voice"])
    def get(self, request: Request) -> Response:
        """Voice logs you may see (a sales rep: own; managers and admins: all), newest first."""
        query = VoiceLogFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        logs = selectors.voice_log_list_for_user(
            user=request.user,
            lead_id=query.validated_data.get("lead"),
            status=query.validated_data.get("status"),
            kind=query.validated_data.get("kind"),
        )
        return self.paginated_response(logs, VoiceLogOutput)

    @extend_schema(request=VoiceLogInput, responses={201: VoiceLogOutput, **_REFUSALS}, tags=["voice"])
    def post(self, request: Request) -> Response:
        """Upload a recording (multipart field ``audio``); it is checked, encrypted and queued for
        transcription. Poll the returned job, or the log, until it is transcribed."""
        data = VoiceLogInput(data=request.data)
        data.is_valid(raise_exception=True)
        log = voice_log_create(
            actor=request.user,
            upload=data.validated_data.get("audio"),
            lead_id=data.validated_data.get("lead"),
            kind=data.validated_data["kind"],
        )
        log = selectors.voice_log_get_for_user(user=request.user, log_id=log.id)
        return Response(VoiceLogOutput(log).data, status=status.HTTP_201_CREATED)


class VoiceLogDetailView(TenantAPIView):
    required_capability = Capability.VOICE_USE

    @extend_schema(responses=VoiceLogOutput, tags=["voice"])
    def get(self, request: Request, log_id: UUID) -> Response:
        return Response(VoiceLogOutput(selectors.voice_log_get_for_user(user=request.user, log_id=log_id)).data)

    @extend_schema(responses={204: None}, tags=["voice"])
    def delete(self, request: Request, log_id: UUID) -> Response:
        """Delete the log and its audio (its uploader, a manager or an admin)."""
        voice_log_delete(user=request.user, log_id=log_id, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VoiceLogRetryView(TenantAPIView):
    required_capability = Capability.VOICE_USE

    @extend_schema(
        request=None,
        responses={
            202: VoiceLogOutput,
            400: OpenApiResponse(description="A spoken command: say or type it again instead."),
            409: OpenApiResponse(description="The note did not fail (it is queued, running or transcribed)."),
            410: OpenApiResponse(description="The audio was deleted under the retention policy."),
        },
        tags=["voice"],
    )
    def post(self, request: Request, log_id: UUID) -> Response:
        """Transcribe a failed voice note again (its uploader, a manager or an admin); poll the
        returned log's job as after an upload."""
        log = voice_log_transcribe_retry(user=request.user, log_id=log_id)
        log = selectors.voice_log_get_for_user(user=request.user, log_id=log.id)
        return Response(VoiceLogOutput(log).data, status=status.HTTP_202_ACCEPTED)


class VoiceLogAudioView(TenantAPIView):
    required_capability = Capability.VOICE_USE

    def perform_content_negotiation(self, request: Request, force: bool = False):  # type: ignore[override]
        # Media players ask for audio/*; errors still answer in JSON rather than 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The original recording.")
            for content_type in CONTENT_TYPES.values()
        }
        | {
            (206, content_type): OpenApiResponse(
                OpenApiTypes.BINARY, description="The byte range asked for with a `Range: bytes=first-last` header."
            )
            for content_type in CONTENT_TYPES.values()
        }
        | {
            409: OpenApiResponse(description="The stored audio was altered or belongs to another record."),
            416: OpenApiResponse(description="The range lies outside the recording (`Content-Range: bytes */size`)."),
            410: OpenApiResponse(description="The audio was deleted under the retention policy."),
        },
        tags=["voice"],
    )
    def get(self, request: Request, log_id: UUID) -> HttpResponse:
        """The decrypted original recording, for playing it (each playback is audited)."""
        return audio_playback(request, log_id=log_id)


class VoiceSettingsView(TenantAPIView):
    required_capability = Capability.SETTINGS_MANAGE

    @extend_schema(responses=VoiceSettingsOutput, tags=["voice"])
    def get(self, request: Request) -> Response:
        return Response(VoiceSettingsOutput(voice_settings_get()).data)

    @extend_schema(request=VoiceSettingsInput, responses=VoiceSettingsOutput, tags=["voice"])
    def patch(self, request: Request) -> Response:
        """Change the workspace's voice policy; an online engine needs ``allow_online_engine``."""
        data = VoiceSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            settings = voice_settings_update(actor=request.user, data=dict(data.validated_data), request=request)
        except VoiceSettingsInvalid as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return Response(VoiceSettingsOutput(settings).data)
