"""Workspaces created before spoken commands had their own engine still transcribe commands with
the free-speech engine, which recognises far fewer of them. Move them to the command engine,
unless an admin chose the command engine themselves (the settings audit trail says so)."""

from django.db import migrations

PREVIOUS_DEFAULT = "whisper-tiny-en"
COMMAND_ENGINE = "hybrid-commands"


def upgrade_untouched_workspaces(apps, schema_editor):
    VoiceSettings = apps.get_model("voice", "VoiceSettings")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    chosen_by_an_admin = AuditEvent.objects.filter(
        action="voice.settings_changed", metadata__changed__has_key="command_engine"
    ).exists()
    if not chosen_by_an_admin:
        VoiceSettings.objects.filter(command_engine=PREVIOUS_DEFAULT).update(command_engine=COMMAND_ENGINE)


class Migration(migrations.Migration):
    dependencies = [
        ("voice", "0002_voicelog_recognition_command_engine_hybrid"),
        ("audit", "0002_alter_auditevent_action"),
    ]

    operations = [migrations.RunPython(upgrade_untouched_workspaces, migrations.RunPython.noop)]
