"""Validation of tenant identifiers, shared by the provisioning service, forms and API."""

from __future__ import annotations

import re

from crm_saas.errors import DomainError

SCHEMA_NAME_MAX_LENGTH = 63  # PostgreSQL's identifier limit
_SCHEMA_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED_SCHEMA_NAMES = {"public", "information_schema", "template", "default"}
_HOST_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def validate_schema_name(schema_name: str) -> str:
    """Return the schema name if it is safe to use as a PostgreSQL schema, else raise."""
    if not schema_name:
        raise DomainError("Schema name is required.", field="schema_name")
    if len(schema_name) > SCHEMA_NAME_MAX_LENGTH:
        raise DomainError(f"Schema name must be at most {SCHEMA_NAME_MAX_LENGTH} characters.", field="schema_name")
    if not _SCHEMA_NAME_RE.match(schema_name):
        raise DomainError(
            "Schema name must start with a lowercase letter and contain only lowercase letters, "
            "digits and underscores.",
            field="schema_name",
        )
    if schema_name in _RESERVED_SCHEMA_NAMES or schema_name.startswith("pg_"):
        raise DomainError(f"Schema name '{schema_name}' is reserved.", field="schema_name")
    return schema_name


def normalize_domain(domain: str) -> str:
    """Lower-case a host name and check it is one (no scheme, port or path)."""
    host = (domain or "").strip().lower().rstrip(".")
    if not host:
        raise DomainError("Domain is required.", field="domain")
    if len(host) > 253:
        raise DomainError("Domain must be at most 253 characters.", field="domain")
    labels = host.split(".")
    if not all(_HOST_LABEL_RE.match(label) for label in labels):
        raise DomainError(
            f"'{domain}' is not a valid host name (letters, digits, hyphens and dots; no port).",
            field="domain",
        )
    return host
