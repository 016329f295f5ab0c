"""Streaming a decrypted recording to a media player (the page and the API share it)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse

from crm_saas.byte_ranges import RangeNotSatisfiable, byte_range, is_first_read
from voice.services.logs import voice_audio_filename, voice_log_audio


def audio_playback(request: HttpRequest, *, log_id: UUID | str) -> HttpResponse:
    """The decrypted recording, or the byte range a media player asked for; a playback is audited
    once, on its first read, not on every seek."""
    range_header = request.headers.get("Range")
    audio, content_type = voice_log_audio(
        user=request.user, log_id=log_id, request=request, audit=is_first_read(range_header)
    )
    try:
        span = byte_range(range_header, len(audio))
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{len(audio)}"
        return response
    body = audio if span is None else audio[span[0] : span[1] + 1]
    response = HttpResponse(body, content_type=content_type, status=200 if span is None else 206)
    if span is not None:
        response["Content-Range"] = f"bytes {span[0]}-{span[1]}/{len(audio)}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = (
        f'inline; filename="{voice_audio_filename(log_id=log_id, content_type=content_type)}"'
    )
    response["Cache-Control"] = "no-store, private"
    response["Content-Length"] = str(len(body))
    response["X-Content-Type-Options"] = "nosniff"
    return response
