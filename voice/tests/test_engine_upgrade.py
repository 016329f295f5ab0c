"""Existing workspaces move to the command engine, unless an admin chose theirs."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from tests.surface import ADMIN
from voice.models import VoiceSettings
from voice.services.settings import voice_settings_get

pytestmark = pytest.mark.django_db
upgrade = importlib.import_module("voice.migrations.0003_command_engine_for_existing_workspaces")


def test_a_workspace_on_the_old_default_moves_to_the_command_engine(alpha) -> None:
    with alpha.active():
        voice_settings_get()
        VoiceSettings.objects.update(command_engine="whisper-tiny-en")
        upgrade.upgrade_untouched_workspaces(apps, None)
        assert VoiceSettings.objects.get().command_engine == "hybrid-commands"


def test_an_engine_an_admin_chose_is_kept(alpha) -> None:
    with alpha.active():
        settings_row = voice_settings_get()
        VoiceSettings.objects.update(command_engine="whisper-tiny-en")
        audit_record(
            action=AuditAction.VOICE_SETTINGS_CHANGED,
            actor=alpha.users[ADMIN],
            target=settings_row,
            metadata={"changed": {"command_engine": ["hybrid-commands", "whisper-tiny-en"]}},
        )
        upgrade.upgrade_untouched_workspaces(apps, None)
        assert VoiceSettings.objects.get().command_engine == "whisper-tiny-en"
