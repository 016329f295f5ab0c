"""API key scopes, mapped onto the role capabilities that endpoints already declare.

A scope grants capabilities within the apps whose endpoints it covers: ``leads:write`` grants
``records:write`` on lead endpoints but not on customer endpoints. A key can never do more than
the role of the user who created it; a scope only narrows that role further. Write scopes include
the matching read scope, as in most APIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crm_saas.roles import Capability


@dataclass(frozen=True)
class Scope:
    name: str
    description: str
    grants: frozenset[tuple[str, str]]  # (app label of the endpoint, capability)

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset(capability for _, capability in self.grants)


def _grants(apps: Iterable[str], capabilities: Iterable[str]) -> frozenset[tuple[str, str]]:
    return frozenset((app, capability) for app in apps for capability in capabilities)


_LEADS_READ = _grants(["leads"], [Capability.RECORDS_READ, Capability.RECORDS_READ_ALL, Capability.ANALYTICS_READ])
_CUSTOMERS_READ = _grants(["lifecycle"], [Capability.RECORDS_READ, Capability.RECORDS_READ_ALL])
_WRITE = [Capability.RECORDS_WRITE, Capability.RECORDS_WRITE_ALL]

SCOPES: dict[str, Scope] = {
    scope.name: scope
    for scope in [
        Scope("leads:read", "Read leads, their activities, notes, follow-ups and scores.", _LEADS_READ),
        Scope(
            "leads:write",
            "Create, edit and import leads, log activities, notes and follow-ups (includes leads:read).",
            _LEADS_READ | _grants(["leads"], _WRITE),
        ),
        Scope("customers:read", "Read customers and their lifecycle events.", _CUSTOMERS_READ),
        Scope(
            "customers:write",
            "Create, edit and import customers and their events (includes customers:read).",
            _CUSTOMERS_READ | _grants(["lifecycle"], _WRITE),
        ),
        Scope(
            "voice:write",
            "Upload voice notes and send voice commands; read their results.",
            _grants(["voice"], [Capability.VOICE_USE]),
        ),
        Scope("models:train", "Train the lead scoring model.", _grants(["leads"], [Capability.MODELS_TRAIN])),
        Scope("audit:read", "Read the audit log.", _grants(["audit"], [Capability.AUDIT_READ])),
        Scope(
            "webhooks:manage",
            "Manage webhook subscriptions and redeliver events.",
            _grants(["integrations"], [Capability.SETTINGS_MANAGE]),
        ),
    ]
}
SCOPE_NAMES: list[str] = list(SCOPES)

# Every key may read who it acts as and poll the jobs it queued.
BASELINE_GRANTS = _grants(["accounts", "jobs"], [Capability.WORKSPACE_READ])


def scopes_grants(scopes: Iterable[str]) -> frozenset[tuple[str, str]]:
    grants = set(BASELINE_GRANTS)
    for name in scopes:
        scope = SCOPES.get(name)
        if scope is not None:
            grants |= scope.grants
    return frozenset(grants)


def scopes_capabilities(scopes: Iterable[str]) -> frozenset[str]:
    return frozenset(capability for _, capability in scopes_grants(scopes))


def scopes_granting(*, app_label: str, capability: str) -> list[str]:
    """The scopes that would allow ``capability`` on an endpoint of ``app_label`` (for messages)."""
    return [scope.name for scope in SCOPES.values() if (app_label, capability) in scope.grants]
