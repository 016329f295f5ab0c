"""The main navigation. Later apps add their entries here; each names the capability it needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from crm_saas.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str | None
    icon: str  # a name from static/crm_saas/icons.svg


TENANT_NAV = [
    NavItem("Dashboard", "dashboard", Capability.WORKSPACE_READ, "home"),
    NavItem("Leads", "leads:list", Capability.RECORDS_READ, "target"),
    NavItem("Triage inbox", "leads:triage", Capability.RECORDS_READ, "inbox"),
    NavItem("Customers", "lifecycle:customers", Capability.RECORDS_READ, "users"),
    NavItem("Portfolio", "lifecycle:portfolio", Capability.RECORDS_READ, "chart"),
    NavItem("Voice", "voice:home", Capability.VOICE_USE, "mic"),
    NavItem("Scoring model", "leads:model", Capability.ANALYTICS_READ, "chart"),
    NavItem("Churn model", "lifecycle:churn_model", Capability.ANALYTICS_READ, "chart"),
    NavItem("Team", "accounts:users", Capability.USERS_MANAGE, "team"),
    NavItem("Audit log", "audit:events", Capability.AUDIT_READ, "shield"),
    NavItem("API keys", "integrations:api_keys", Capability.SETTINGS_MANAGE, "key"),
    NavItem("Webhooks", "integrations:webhooks", Capability.SETTINGS_MANAGE, "link"),
    NavItem("Privacy", "privacy:home", Capability.PRIVACY_MANAGE, "lock"),
]
PLATFORM_NAV = [
    NavItem("Tenants", "platform:tenants", None, "building"),
    NavItem("Offboarding", "platform:offboarding", None, "lock"),
]


def navigation_for(request: HttpRequest, *, is_platform: bool) -> list[dict[str, str | bool]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = PLATFORM_NAV if is_platform else TENANT_NAV
    entries: list[dict[str, str | bool]] = []
    for item in items:
        if item.capability and not user.has_capability(item.capability):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # the app providing this page is not installed in this build
        entries.append({"label": item.label, "url": url, "icon": item.icon, "active": False})
    # The entry whose address is the longest prefix of the page's address is the current one.
    matching = [
        entry
        for entry in entries
        if request.path == entry["url"] or (entry["url"] != "/" and request.path.startswith(str(entry["url"])))
    ]
    if matching:
        max(matching, key=lambda entry: len(str(entry["url"])))["active"] = True
    return entries
