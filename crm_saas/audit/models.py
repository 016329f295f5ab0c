"""Security-relevant events. Append-only: rows are written once and never edited by the product.

PostgreSQL enforces it (migration 0003): a trigger refuses every DELETE and every UPDATE, except
two narrow ones: the actor becoming NULL when a user row is removed (the label keeps the trail
readable), and the pseudonymisation of an erased person's events, which only
``crm_saas.audit.pseudonymise`` performs (see there).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    LOGIN = "auth.login", "Signed in"
    LOGIN_FAILED = "auth.login_failed", "Failed sign-in"
    LOGIN_BLOCKED = "auth.login_blocked", "Sign-in blocked (too many failures)"
    LOGOUT = "auth.logout", "Signed out"
    TOKEN_CREATED = "auth.token_created", "API token created"
    TOKEN_REVOKED = "auth.token_revoked", "API token revoked"
    USER_CREATED = "user.created", "User created"
    USER_INVITED = "user.invited", "User invited"
    USER_UPDATED = "user.updated", "User updated"
    USER_ROLE_CHANGED = "user.role_changed", "Role changed"
    USER_DEACTIVATED = "user.deactivated", "User deactivated"
    USER_REACTIVATED = "user.reactivated", "User reactivated"
    PASSWORD_SET = "user.password_set", "Password set"
    TENANT_CREATED = "tenant.created", "Tenant created"
    TENANT_DEACTIVATED = "tenant.deactivated", "Tenant deactivated"
    TENANT_REACTIVATED = "tenant.reactivated", "Tenant reactivated"
    TENANT_DATA_KEY_DESTROYED = "tenant.data_key_destroyed", "Encryption key destroyed"
    VOICE_PLAYED = "voice.played", "Voice audio played"
    VOICE_DELETED = "voice.deleted", "Voice note deleted"
    VOICE_AUDIO_EXPIRED = "voice.audio_expired", "Voice audio deleted after retention"
    VOICE_SETTINGS_CHANGED = "voice.settings_changed", "Voice settings changed"
    VOICE_COMMAND_EXECUTED = "voice.command_executed", "Voice command executed"
    PRIVACY_EXPORT_REQUESTED = "privacy.export_requested", "Personal data export requested"
    PRIVACY_EXPORTED = "privacy.exported", "Personal data exported"
    PRIVACY_EXPORT_DOWNLOADED = "privacy.export_downloaded", "Personal data export downloaded"
    PRIVACY_EXPORT_EXPIRED = "privacy.export_expired", "Personal data export deleted after expiry"
    PRIVACY_ERASURE_REQUESTED = "privacy.erasure_requested", "Erasure requested"
    PRIVACY_ERASED = "privacy.erased", "Person erased"
    API_KEY_USED = "api_key.used", "API key used"
    API_KEY_CREATED = "api_key.created", "API key created"
    API_KEY_REVOKED = "api_key.revoked", "API key revoked"
    WEBHOOK_CREATED = "webhook.created", "Webhook created"
    WEBHOOK_UPDATED = "webhook.updated", "Webhook changed"
    WEBHOOK_DELETED = "webhook.deleted", "Webhook deleted"
    WEBHOOK_DISABLED = "webhook.disabled", "Webhook switched off after failures"
    TENANT_EXPORTED = "tenant.exported", "Tenant exported"
    TENANT_OFFBOARDED = "tenant.offboarded", "Tenant offboarded"
    TENANT_OFFBOARDING_REQUESTED = "tenant.offboarding_requested", "Tenant offboarding requested"
    TENANT_ARCHIVE_DOWNLOADED = "tenant.archive_downloaded", "Tenant archive downloaded"
    TENANT_ARCHIVE_DELETED = "tenant.archive_deleted", "Tenant archive deleted"
    TENANT_ARCHIVE_EXPIRED = "tenant.archive_expired", "Tenant archive deleted after retention"


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices, db_index=True)
    # The actor is kept as a label too, so the trail still reads after a user is removed.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # The pseudonym of the person an event is about, once erased (or for privacy requests): lets
    # the trail show every event about one person without naming them.
    subject_ref = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_label or 'system'}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)
