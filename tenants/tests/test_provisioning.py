"""tenant_provision: all or nothing, with clear errors for every bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.errors import ConflictError, DomainError
from crm_saas.roles import Role
from tenants.accounts.models import User
from tenants.models import Domain, Tenant
from tenants.services import tenant_provision

GOOD = {
    "schema_name": "gamma",
    "name": "Gamma Ltd",
    "domain": "gamma.localhost",
    "admin_email": "Boss@Gamma.test",
    "admin_password": "Gamma-admin-pass-1",
}

pytestmark = pytest.mark.django_db


def _nothing_created(schema_name: str, domain: str = GOOD["domain"]) -> None:
    connection.set_schema_to_public()
    assert not Tenant.objects.filter(schema_name=schema_name).exists()
    assert not Domain.objects.filter(domain=domain).exists()
    assert not schema_exists(schema_name)


def test_provision_creates_schema_domain_and_admin(django_db_setup) -> None:
    provisioned = tenant_provision(**GOOD)

    assert provisioned.tenant.schema_name == "gamma"
    assert provisioned.domain.domain == "gamma.localhost"
    assert schema_exists("gamma")
    with schema_context("gamma"):
        admin = User.objects.get()
        assert admin.email == "boss@gamma.test"
        assert admin.role == Role.ADMIN
        assert admin.check_password(GOOD["admin_password"])
        assert AuditEvent.objects.filter(action=AuditAction.TENANT_CREATED).exists()


def test_provisioning_the_same_schema_twice_fails_clearly_and_keeps_the_first(django_db_setup) -> None:
    tenant_provision(**GOOD)
    with pytest.raises(ConflictError, match="schema 'gamma' already exists"):
        tenant_provision(**{**GOOD, "domain": "other.localhost"})
    assert Tenant.objects.filter(schema_name="gamma").count() == 1
    assert not Domain.objects.filter(domain="other.localhost").exists()
    with schema_context("gamma"):
        assert User.objects.count() == 1


def test_duplicate_domain_is_refused(alpha) -> None:
    with pytest.raises(ConflictError, match="already in use"):
        tenant_provision(**{**GOOD, "domain": alpha.host})
    _nothing_created("gamma", domain="unused")


@pytest.mark.parametrize(
    ("schema_name", "message"),
    [
        ("public", "reserved"),
        ("pg_x", "reserved"),
        ("information_schema", "reserved"),
        ("A-B", "lowercase"),
        ("Acme", "lowercase"),
        ("1abc", "lowercase"),
        ("a" * 64, "at most 63"),
        ("x; DROP SCHEMA public CASCADE", "lowercase"),
        ("x'--", "lowercase"),
        ('x"y', "lowercase"),
        ("", "required"),
    ],
)
def test_bad_schema_names_are_refused_before_anything_is_written(
    django_db_setup, schema_name: str, message: str
) -> None:
    tenant_count = Tenant.objects.count()
    with pytest.raises(DomainError, match=message) as error:
        tenant_provision(**{**GOOD, "schema_name": schema_name})
    assert error.value.field == "schema_name"
    assert Tenant.objects.count() == tenant_count
    assert not Domain.objects.filter(domain=GOOD["domain"]).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"domain": "http://gamma.localhost"}, "domain"),
        ({"domain": "gamma.localhost:8000"}, "domain"),
        ({"domain": "-bad-.localhost"}, "domain"),
        ({"admin_email": "not-an-email"}, "email"),
        ({"admin_password": "short"}, "admin_password"),
        ({"admin_password": "password123"}, "admin_password"),
        ({"name": "   "}, "name"),
    ],
)
def test_bad_inputs_name_the_field_and_create_nothing(django_db_setup, overrides: dict, field: str) -> None:
    with pytest.raises(DomainError) as error:
        tenant_provision(**{**GOOD, **overrides})
    assert error.value.field == field
    assert error.value.message
    _nothing_created("gamma")


def test_a_failure_after_the_schema_exists_rolls_everything_back(django_db_setup, monkeypatch) -> None:
    """The admin step fails after schema creation and migrations: no schema, tenant or domain remain."""

    def failing_user_create(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("tenants.services.user_create", failing_user_create)
    with pytest.raises(RuntimeError, match="disk full"):
        tenant_provision(**GOOD)
    _nothing_created("gamma")
