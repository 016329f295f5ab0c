"""Audit events get a pseudonymous subject reference, new actions, and PostgreSQL-enforced
append-only storage (see crm_saas/audit/pseudonymise.py for the design)."""

from django.db import migrations, models

GUARD = """
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events are append-only: DELETE refused' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A removed user: only the actor link goes (Django's SET_NULL); the label keeps the trail.
    IF NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (NEW.occurred_at, NEW.action, NEW.actor_label, NEW.target_type, NEW.target_id, NEW.target_label,
            NEW.ip_address, NEW.user_agent, NEW.metadata::text, NEW.subject_ref)
       IS NOT DISTINCT FROM
           (OLD.occurred_at, OLD.action, OLD.actor_label, OLD.target_type, OLD.target_id, OLD.target_label,
            OLD.ip_address, OLD.user_agent, OLD.metadata::text, OLD.subject_ref) THEN
        RETURN NEW;
    END IF;
    -- Pseudonymisation of an erased person (crm_saas.audit.pseudonymise): the subject changes only.
    IF current_setting('crm.audit_pseudonymise', true) = 'on'
       AND (NEW.id, NEW.occurred_at, NEW.action, NEW.actor_id, NEW.target_type, NEW.ip_address, NEW.user_agent)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.occurred_at, OLD.action, OLD.actor_id, OLD.target_type, OLD.ip_address, OLD.user_agent)
       AND NEW.subject_ref <> '' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_alter_auditevent_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="subject_ref",
            field=models.CharField(blank=True, db_index=True, max_length=40),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('auth.login', 'Signed in'), ('auth.login_failed', 'Failed sign-in'), ('auth.login_blocked', 'Sign-in blocked (too many failures)'), ('auth.logout', 'Signed out'), ('auth.token_created', 'API token created'), ('auth.token_revoked', 'API token revoked'), ('user.created', 'User created'), ('user.invited', 'User invited'), ('user.updated', 'User updated'), ('user.role_changed', 'Role changed'), ('user.deactivated', 'User deactivated'), ('user.reactivated', 'User reactivated'), ('user.password_set', 'Password set'), ('tenant.created', 'Tenant created'), ('tenant.deactivated', 'Tenant deactivated'), ('tenant.reactivated', 'Tenant reactivated'), ('tenant.data_key_destroyed', 'Encryption key destroyed'), ('voice.played', 'Voice audio played'), ('voice.deleted', 'Voice note deleted'), ('voice.audio_expired', 'Voice audio deleted after retention'), ('voice.settings_changed', 'Voice settings changed'), ('voice.command_executed', 'Voice command executed'), ('privacy.export_requested', 'Personal data export requested'), ('privacy.exported', 'Personal data exported'), ('privacy.export_downloaded', 'Personal data export downloaded'), ('privacy.export_expired', 'Personal data export deleted after expiry'), ('privacy.erasure_requested', 'Erasure requested'), ('privacy.erased', 'Person erased'), ('api_key.used', 'API key used'), ('tenant.exported', 'Tenant exported'), ('tenant.offboarded', 'Tenant offboarded'), ('tenant.offboarding_requested', 'Tenant offboarding requested'), ('tenant.archive_downloaded', 'Tenant archive downloaded'), ('tenant.archive_deleted', 'Tenant archive deleted')], db_index=True, max_length=40),
        ),
        migrations.RunSQL(GUARD, UNGUARD),
    ]
