"""Roles inside a tenant and the capabilities each one grants.

This table is the single place where access is decided: API endpoints and pages declare the
capability they need, and ``role_has_capability`` answers. Adding a capability to a role here is
the only change needed to grant it everywhere.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    SALES_REP = "sales_rep", "Sales rep"
    VIEWER = "viewer", "Viewer"


class Capability:
    """Names of capabilities. Strings so that endpoint declarations read naturally."""

    WORKSPACE_READ = "workspace:read"  # see one's own profile, jobs, the dashboard
    USERS_MANAGE = "users:manage"  # invite, change role, deactivate users
    AUDIT_READ = "audit:read"
    SETTINGS_MANAGE = "settings:manage"
    RECORDS_READ = "records:read"  # read records one may see (a rep: own and assigned)
    RECORDS_READ_ALL = "records:read_all"  # read every record of the tenant
    RECORDS_WRITE = "records:write"  # create and edit records one may see
    RECORDS_WRITE_ALL = "records:write_all"  # edit any record, reassign owners
    ANALYTICS_READ = "analytics:read"
    MODELS_TRAIN = "models:train"
    MODELS_MANAGE = "models:manage"  # activate and roll back model versions
    VOICE_USE = "voice:use"  # record voice notes, speak commands
    JOBS_READ_ALL = "jobs:read_all"  # see jobs queued by other users
    PRIVACY_MANAGE = "privacy:manage"  # export or erase a person's data


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            Capability.WORKSPACE_READ,
            Capability.USERS_MANAGE,
            Capability.AUDIT_READ,
            Capability.SETTINGS_MANAGE,
            Capability.RECORDS_READ,
            Capability.RECORDS_READ_ALL,
            Capability.RECORDS_WRITE,
            Capability.RECORDS_WRITE_ALL,
            Capability.ANALYTICS_READ,
            Capability.MODELS_TRAIN,
            Capability.MODELS_MANAGE,
            Capability.VOICE_USE,
            Capability.JOBS_READ_ALL,
            Capability.PRIVACY_MANAGE,
        }
    ),
    Role.MANAGER: frozenset(
        {
            Capability.WORKSPACE_READ,
            Capability.RECORDS_READ,
            Capability.RECORDS_READ_ALL,
            Capability.RECORDS_WRITE,
            Capability.RECORDS_WRITE_ALL,
            Capability.ANALYTICS_READ,
            Capability.MODELS_TRAIN,
            Capability.VOICE_USE,
            Capability.JOBS_READ_ALL,
        }
    ),
    Role.SALES_REP: frozenset(
        {
            Capability.WORKSPACE_READ,
            Capability.RECORDS_READ,
            Capability.RECORDS_WRITE,
            Capability.VOICE_USE,
        }
    ),
    Role.VIEWER: frozenset(
        {
            Capability.WORKSPACE_READ,
            Capability.RECORDS_READ,
            Capability.RECORDS_READ_ALL,
            Capability.ANALYTICS_READ,
        }
    ),
}


def role_has_capability(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
