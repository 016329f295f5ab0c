from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from crm_saas.navigation import navigation_for


def workspace(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_platform = tenant is None or tenant.schema_name == "public"
    return {
        "workspace": tenant,
        "is_platform": is_platform,
        "nav_items": navigation_for(request, is_platform=is_platform),
    }
