"""Base classes for API endpoints. Each declares the capability it needs (see permissions.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from crm_saas.api.permissions import HasRoleCapability, IsPlatformOperator


class TenantAPIView(APIView):
    """An endpoint on a tenant's host, for users of that tenant holding a capability."""

    permission_classes: ClassVar[list[Any]] = [HasRoleCapability]
    required_capability: ClassVar[str | None] = None
    required_capabilities: ClassVar[dict[str, str] | None] = None


class PlatformAPIView(APIView):
    """An endpoint on the platform host, for platform operators."""

    permission_classes: ClassVar[list[Any]] = [IsPlatformOperator]


class PublicAPIView(APIView):
    """An endpoint anyone may call (sign-in). Throttled by the 'auth' scope."""

    permission_classes: ClassVar[list[Any]] = [AllowAny]
    throttle_classes: ClassVar[list[Any]] = [ScopedRateThrottle, AnonRateThrottle]
    throttle_scope = "auth"
