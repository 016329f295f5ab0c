from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from crm_saas.navigation import navigation_for
from crm_saas.roles import Capability


def workspace(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_platform = tenant is None or tenant.schema_name == "public"
    return {
        "workspace": tenant,
        "is_platform": is_platform,
        "nav_items": navigation_for(request, is_platform=is_platform),
        # The command bar (type or speak a command) sits on every page of those who may use voice.
        "command_bar": not is_platform and _can(request, Capability.VOICE_USE),
    }


def _can(request: HttpRequest, capability: str) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.has_capability(capability))
