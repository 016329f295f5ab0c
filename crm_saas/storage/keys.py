from __future__ import annotations

from django.db import connection

from crm_saas.storage.base import validate_key


def tenant_object_key(*parts: str) -> str:
    """A key under the current tenant's prefix, e.g. ``tenants/acme/uploads/<uuid>.csv``.

    Fails closed outside a tenant, so no object can be written without an owner. Parts must be
    product-generated identifiers (ids, kinds), never names or other personal data.
    """
    schema_name = connection.schema_name
    if not schema_name or schema_name == "public":
        raise RuntimeError("Tenant objects can only be stored inside a tenant's schema.")
    return validate_key("/".join(["tenants", schema_name, *parts]))


def tenant_prefix(schema_name: str) -> str:
    return f"tenants/{schema_name}/"
