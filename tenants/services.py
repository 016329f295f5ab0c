"""Tenant provisioning and lifecycle, run in the public schema by platform operators."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.errors import ConflictError, DomainError
from crm_saas.roles import Role
from tenants.accounts.models import User
from tenants.accounts.services import normalize_email, password_check, user_create
from tenants.models import Domain, Tenant
from tenants.validation import normalize_domain, validate_schema_name

logger = logging.getLogger(__name__)

PUBLIC_SCHEMA = "public"


def tenant_ensure_public() -> Tenant:
    """The public tenant (the platform host), created on first use."""
    public = Tenant.objects.filter(schema_name=PUBLIC_SCHEMA).first()
    if public is not None:
        return public
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        public, _ = Tenant.objects.get_or_create(schema_name=PUBLIC_SCHEMA, defaults={"name": "Platform"})
        Domain.objects.get_or_create(
            domain=normalize_domain(settings.PUBLIC_DOMAIN), defaults={"tenant": public, "is_primary": True}
        )
    return public


@dataclass(frozen=True)
class ProvisionedTenant:
    tenant: Tenant
    domain: Domain
    admin_email: str


def tenant_provision(
    *,
    schema_name: str,
    name: str,
    domain: str,
    admin_email: str,
    admin_password: str,
    admin_name: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> ProvisionedTenant:
    """Create a tenant's schema, its domain and its first admin, all or nothing.

    Every input is checked before anything is written; the schema creation, migrations, domain
    and admin user then run in one transaction, so a failure at any step leaves no trace.
    """
    schema_name = validate_schema_name((schema_name or "").strip())
    name = (name or "").strip()
    if not name:
        raise DomainError("Name is required.", field="name")
    if len(name) > 200:
        raise DomainError("Name must be at most 200 characters.", field="name")
    host = normalize_domain(domain)
    admin_email = normalize_email(admin_email)
    password_check(password=admin_password, user=User(email=admin_email), field="admin_password")

    if connection.schema_name != PUBLIC_SCHEMA:
        raise RuntimeError("Tenants are provisioned from the public schema.")
    tenant_ensure_public()
    if Tenant.objects.filter(schema_name__iexact=schema_name).exists():
        raise ConflictError(f"A tenant with schema '{schema_name}' already exists.", field="schema_name")
    if schema_exists(schema_name):
        raise ConflictError(f"A database schema named '{schema_name}' already exists.", field="schema_name")
    if Domain.objects.filter(domain=host).exists():
        raise ConflictError(f"The domain '{host}' is already in use.", field="domain")

    try:
        with transaction.atomic():
            tenant = Tenant(schema_name=schema_name, name=name)
            tenant.save(verbosity=0)
            tenant_domain = Domain.objects.create(domain=host, tenant=tenant, is_primary=True)
            with schema_context(schema_name):
                admin = user_create(email=admin_email, password=admin_password, full_name=admin_name, role=Role.ADMIN)
                audit_record(
                    action=AuditAction.TENANT_CREATED, actor_label="platform", target=tenant, metadata={"domain": host}
                )
            audit_record(
                action=AuditAction.TENANT_CREATED,
                request=request,
                actor=actor,
                target=tenant,
                metadata={"domain": host, "admin": admin.email},
            )
    except IntegrityError as exc:
        # Two operators racing for the same schema or domain: the loser gets a clear answer.
        raise ConflictError("That schema or domain was just taken; choose another.", field="schema_name") from exc
    finally:
        connection.set_schema_to_public()
    return ProvisionedTenant(tenant=tenant, domain=tenant_domain, admin_email=admin.email)


def _tenant_for_update(*, tenant: Tenant) -> Tenant:
    if tenant.schema_name == PUBLIC_SCHEMA:
        raise DomainError("The platform tenant cannot be deactivated.", field="is_active")
    return Tenant.objects.select_for_update().get(pk=tenant.pk)


@transaction.atomic
def tenant_deactivate(*, tenant: Tenant, actor: User | None = None, request: HttpRequest | None = None) -> Tenant:
    """Stop serving a tenant's pages and API. Its schema and data are kept."""
    tenant = _tenant_for_update(tenant=tenant)
    if tenant.is_active:
        tenant.is_active = False
        tenant.deactivated_at = timezone.now()
        tenant.save(update_fields=["is_active", "deactivated_at"])
        audit_record(action=AuditAction.TENANT_DEACTIVATED, request=request, actor=actor, target=tenant)
    return tenant


@transaction.atomic
def tenant_reactivate(*, tenant: Tenant, actor: User | None = None, request: HttpRequest | None = None) -> Tenant:
    tenant = _tenant_for_update(tenant=tenant)
    if not tenant.is_active:
        tenant.is_active = True
        tenant.deactivated_at = None
        tenant.save(update_fields=["is_active", "deactivated_at"])
        audit_record(action=AuditAction.TENANT_REACTIVATED, request=request, actor=actor, target=tenant)
    return tenant


def operator_create(*, email: str, password: str) -> User:
    """A platform operator (public schema) who can manage tenants."""
    with schema_context(PUBLIC_SCHEMA):
        tenant_ensure_public()
        return user_create(email=email, password=password, role=Role.ADMIN, is_platform_operator=True)
