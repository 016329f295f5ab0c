from django.urls import path

from voice.api import command_views as views

urlpatterns = [
    path("voice/commands/", views.CommandListView.as_view(), name="voice-command-list"),
    path("voice/commands/<uuid:command_id>/", views.CommandDetailView.as_view(), name="voice-command-detail"),
    path("voice/commands/<uuid:command_id>/confirm/", views.CommandConfirmView.as_view(), name="voice-command-confirm"),
    path("voice/commands/<uuid:command_id>/cancel/", views.CommandCancelView.as_view(), name="voice-command-cancel"),
    path(
        "voice/commands/<uuid:command_id>/reply-audio/",
        views.CommandReplyAudioView.as_view(),
        name="voice-command-reply-audio",
    ),
]
