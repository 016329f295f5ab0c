"""Voice log routes under /api/v1/voice/."""

from django.urls import path

from voice.api import log_views

urlpatterns = [
    path("voice/logs/", log_views.VoiceLogListView.as_view(), name="voice-log-list"),
    path("voice/logs/<uuid:log_id>/", log_views.VoiceLogDetailView.as_view(), name="voice-log-detail"),
    path("voice/logs/<uuid:log_id>/retry/", log_views.VoiceLogRetryView.as_view(), name="voice-log-retry"),
    path("voice/logs/<uuid:log_id>/audio/", log_views.VoiceLogAudioView.as_view(), name="voice-log-audio"),
    path("voice/settings/", log_views.VoiceSettingsView.as_view(), name="voice-settings"),
]
