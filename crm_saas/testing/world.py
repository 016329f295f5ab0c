"""Two committed tenants with one user per role each, built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from crm_saas.roles import Role
from tenants.accounts.models import User
from tenants.accounts.services import token_issue, user_create
from tenants.models import Tenant
from tenants.services import tenant_provision

PASSWORD = "Correct-horse-battery-9"
ROLES = [Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.VIEWER]


@dataclass
class TenantWorld:
    tenant: Tenant
    host: str
    users: dict[str, User] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        return self.tenant.schema_name

    def email(self, role: str) -> str:
        return f"{role}@{self.schema.replace('_', '-')}.test"

    @contextmanager
    def active(self) -> Iterator[None]:
        """Run ORM code inside this tenant's schema."""
        with schema_context(self.schema):
            yield

    def api(self, role: str | None = None, *, host: str | None = None) -> APIClient:
        """An API client on this tenant's host (or ``host``), with a real token for ``role``."""
        client = APIClient(HTTP_HOST=host or self.host)
        if role is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.token(role)}")
        return client

    def web(self, role: str | None = None, *, host: str | None = None) -> Client:
        """A page client on this tenant's host (or ``host``), signed in as ``role`` if given."""
        client = Client(HTTP_HOST=host or self.host)
        if role is not None:
            with self.active():
                client.force_login(self.users[role])
        return client

    def token(self, role: str) -> str:
        with self.active():
            return token_issue(user=self.users[role]).key


def world_build(schema: str) -> TenantWorld:
    """Provision ``schema`` (committed) with one active user per role."""
    connection.set_schema_to_public()
    host = f"{schema.replace('_', '-')}.localhost"
    provisioned = tenant_provision(
        schema_name=schema,
        name=f"{schema.title()} Corp",
        domain=host,
        admin_email=f"admin@{schema.replace('_', '-')}.test",
        admin_password=PASSWORD,
        admin_name=f"{schema.title()} Admin",
    )
    world = TenantWorld(tenant=provisioned.tenant, host=host)
    with world.active():
        world.users[Role.ADMIN] = User.objects.get(email=world.email(Role.ADMIN))
        for role in ROLES[1:]:
            world.users[role] = user_create(
                email=world.email(role), password=PASSWORD, role=role, full_name=f"{schema.title()} {role}"
            )
    return world


def world_drop(world: TenantWorld) -> None:
    connection.set_schema_to_public()
    Tenant.objects.get(pk=world.tenant.pk).delete(force_drop=True)
