"""Commands API: submit typed or spoken commands, poll them, confirm or cancel, hear the reply."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.errors import DomainError
from crm_saas.roles import Capability
from voice.models import VoiceCommand
from voice.services import commands as service


class ActionOutput(serializers.Serializer):
    intent = serializers.CharField()
    entities = serializers.DictField()
    confidence = serializers.FloatField()
    requires_confirmation = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    reply = serializers.CharField()


class CommandOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField(
        help_text="transcribing, awaiting_confirmation, needs_input, answered, executed, cancelled or failed"
    )
    text = serializers.CharField(help_text="What was typed, or the transcript of what was said.")
    action = ActionOutput(allow_null=True)
    reply = serializers.CharField(help_text="What the product says back; also as speech at reply-audio/.")
    result = serializers.DictField(allow_null=True)
    lead = serializers.IntegerField(source="lead_id", allow_null=True)
    voice_log = serializers.UUIDField(source="voice_log_id", allow_null=True)
    job = serializers.SerializerMethodField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    executed_at = serializers.DateTimeField(allow_null=True)

    def get_job(self, command: VoiceCommand) -> str | None:
        log = command.voice_log
        return str(log.job_id) if log is not None and log.job_id else None


class CommandInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    audio = serializers.FileField(required=False, help_text="A spoken command: WAV, MP3, M4A, OGG/WebM Opus or FLAC.")

    def validate(self, data: dict) -> dict:
        if not data.get("text", "").strip() and not data.get("audio"):
            raise serializers.ValidationError({"text": ["Send the command as 'text', or as 'audio'."]})
        if data.get("text", "").strip() and data.get("audio"):
            raise serializers.ValidationError({"audio": ["Send either 'text' or 'audio', not both."]})
        return data


class ConfirmInput(serializers.Serializer):
    entities = serializers.DictField(
        required=False,
        help_text='What was asked back, e.g. {"lead_id": 12} for the lead picked among the candidates.',
    )


class CommandListView(TenantAPIView):
    required_capability = Capability.VOICE_USE
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(responses=CommandOutput(many=True), tags=["voice"])
    def get(self, request: Request) -> Response:
        return self.paginated_response(service.voice_commands_for_user(user=request.user), CommandOutput)

    @extend_schema(
        request={"application/json": CommandInput, "multipart/form-data": CommandInput},
        responses={201: CommandOutput, 202: CommandOutput},
        tags=["voice"],
        description=(
            "A typed command is understood at once (201): reads are answered, writes wait for "
            "confirmation. A spoken command (multipart 'audio') is transcribed by a worker (202): poll "
            "the command until its status leaves 'transcribing'."
        ),
    )
    def post(self, request: Request) -> Response:
        data = CommandInput(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("audio"):
            command = service.voice_command_submit_audio(speaker=request.user, upload=data.validated_data["audio"])
            return Response(CommandOutput(command).data, status=status.HTTP_202_ACCEPTED)
        command = service.voice_command_submit_text(speaker=request.user, text=data.validated_data["text"])
        return Response(CommandOutput(command).data, status=status.HTTP_201_CREATED)


class CommandDetailView(TenantAPIView):
    required_capability = Capability.VOICE_USE

    @extend_schema(responses=CommandOutput, tags=["voice"])
    def get(self, request: Request, command_id: str) -> Response:
        return Response(
            CommandOutput(service.voice_command_get_for_user(user=request.user, command_id=command_id)).data
        )


class CommandConfirmView(TenantAPIView):
    required_capability = Capability.VOICE_USE

    @extend_schema(
        request=ConfirmInput,
        responses={200: CommandOutput, 409: OpenApiResponse(description="Already cancelled or answered.")},
        tags=["voice"],
        description="Execute a waiting change with the speaker's permissions. Repeating it runs nothing twice.",
    )
    def post(self, request: Request, command_id: str) -> Response:
        data = ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        command = service.voice_command_confirm(
            speaker=request.user, command_id=command_id, entities=data.validated_data.get("entities"), request=request
        )
        return Response(CommandOutput(command).data)


class CommandCancelView(TenantAPIView):
    required_capability = Capability.VOICE_USE

    @extend_schema(request=None, responses=CommandOutput, tags=["voice"])
    def post(self, request: Request, command_id: str) -> Response:
        return Response(CommandOutput(service.voice_command_cancel(speaker=request.user, command_id=command_id)).data)


class CommandReplyAudioView(TenantAPIView):
    required_capability = Capability.VOICE_USE

    @extend_schema(
        responses={(200, "audio/wav"): OpenApiTypes.BINARY},
        tags=["voice"],
        description="The reply as speech (16-bit PCM WAV), synthesised offline.",
    )
    def get(self, request: Request, command_id: str) -> HttpResponse:
        command = service.voice_command_get_for_user(user=request.user, command_id=command_id)
        if not command.reply:
            raise DomainError("This command has no reply yet.", code="not_ready")
        response = HttpResponse(service.voice_command_reply_audio(command=command), content_type="audio/wav")
        response["Content-Disposition"] = f'inline; filename="reply-{command.pk}.wav"'
        response["Cache-Control"] = "no-store"
        return response
