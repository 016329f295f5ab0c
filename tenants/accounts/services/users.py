"""Writes for the users of the current tenant's schema."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.errors import ConflictError, DomainError
from crm_saas.roles import Role
from tenants.accounts.models import AuthToken, User
from tenants.accounts.token_cache import token_cache_forget_user


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(f"'{email}' is not a valid e-mail address.", field="email") from exc
    return email


def password_check(*, password: str, user: User | None = None, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field=field) from exc


def role_check(role: str) -> str:
    if role not in Role.values:
        raise DomainError(f"Unknown role '{role}'. Choose one of: {', '.join(Role.values)}.", field="role")
    return role


@transaction.atomic
def user_create(
    *,
    email: str,
    role: str,
    password: str | None = None,
    full_name: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
    is_platform_operator: bool = False,
) -> User:
    """Create a user with a password, or without one (they set it from an invitation)."""
    email = normalize_email(email)
    role_check(role)
    if User.objects.filter(email__iexact=email).exists():
        raise ConflictError(f"A user with e-mail {email} already exists.", field="email")
    user = User(email=email, full_name=full_name.strip()[:200], role=role, is_platform_operator=is_platform_operator)
    if password:
        password_check(password=password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        action=AuditAction.USER_CREATED,
        request=request,
        actor=actor,
        target=user,
        metadata={"role": role},
    )
    return user


def user_invite(
    *, email: str, role: str, full_name: str = "", actor: User, request: HttpRequest | None = None, base_url: str
) -> User:
    """Create a user without a password and e-mail them a link to choose one."""
    user = user_create(email=email, role=role, full_name=full_name, actor=actor, request=request)
    link = base_url.rstrip("/") + password_set_path(user=user)
    send_mail(
        subject="You have been invited to crm_saas",
        message=(
            f"{actor.display_name} invited you to their crm_saas workspace as {user.get_role_display()}.\n\n"
            f"Choose your password here: {link}\n\nThe link works once and expires in a few days."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    audit_record(action=AuditAction.USER_INVITED, request=request, actor=actor, target=user)
    return user


def password_set_path(*, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_set", kwargs={"uidb64": uid, "token": token})


def _active_admin_count(*, excluding: User) -> int:
    return User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=excluding.pk).count()


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: User,
    role: str | None = None,
    full_name: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    changed: list[str] = []
    if full_name is not None and full_name.strip() != user.full_name:
        user.full_name = full_name.strip()[:200]
        changed.append("full_name")
    if role is not None and role != user.role:
        role_check(role)
        if user.role == Role.ADMIN and user.is_active and _active_admin_count(excluding=user) == 0:
            raise DomainError(
                "The workspace needs at least one active admin; promote someone else first.", field="role"
            )
        old_role = user.role
        user.role = role
        changed.append("role")
        audit_record(
            action=AuditAction.USER_ROLE_CHANGED,
            request=request,
            actor=actor,
            target=user,
            metadata={"from": old_role, "to": role},
        )
    if changed:
        user.save(update_fields=changed)
        if changed != ["role"]:
            audit_record(
                action=AuditAction.USER_UPDATED, request=request, actor=actor, target=user, metadata={"fields": changed}
            )
    return user


@transaction.atomic
def user_deactivate(*, user: User, actor: User, request: HttpRequest | None = None) -> User:
    """Block sign-in and revoke every token; the user's records and history are kept."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    if user.pk == actor.pk:
        raise DomainError("You cannot deactivate yourself.", field="is_active")
    if user.role == Role.ADMIN and _active_admin_count(excluding=user) == 0:
        raise DomainError("The workspace needs at least one active admin.", field="is_active")
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    AuthToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token_cache_forget_user(user.pk)
    audit_record(action=AuditAction.USER_DEACTIVATED, request=request, actor=actor, target=user)
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User, request: HttpRequest | None = None) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    audit_record(action=AuditAction.USER_REACTIVATED, request=request, actor=actor, target=user)
    return user


def user_set_password(*, user: User, password: str, request: HttpRequest | None = None) -> User:
    password_check(password=password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(action=AuditAction.PASSWORD_SET, request=request, actor=user, target=user)
    return user
