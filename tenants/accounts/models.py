"""People who sign in. A tenant's users live in its own schema; platform operators in public."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from crm_saas.roles import Role, role_has_capability


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SALES_REP)
    is_active = models.BooleanField(default=True)
    # Meaningful only in the public schema: may manage tenants of the platform.
    is_platform_operator = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    # Set for one request by API-key authentication: the key's scopes narrow the role further.
    capability_limit: frozenset[str] | None = None

    def has_capability(self, capability: str) -> bool:
        if self.capability_limit is not None and capability not in self.capability_limit:
            return False
        return self.is_active and role_has_capability(self.role, capability)


class AuthToken(models.Model):
    """An API token. Only a SHA-256 digest of the key is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_tokens")
    key_digest = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=12)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user_id})"

    def is_usable(self, *, now: timezone.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
