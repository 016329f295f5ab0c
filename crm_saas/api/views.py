"""Base classes for API endpoints. Each declares the capability it needs (see permissions.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from crm_saas.api.compiled_rows import compiled_rows
from crm_saas.api.permissions import HasRoleCapability, IsPlatformOperator
from crm_saas.api.throttling import AnonRateLimit, ScopedRateLimit
from crm_saas.integrations.api.idempotency import IdempotentPostMixin


class BaseAPIView(GenericAPIView):
    def paginated_response(self, queryset: QuerySet, serializer_class: type) -> Response:
        """One page of ``queryset`` as ``{count, next, previous, results}``.

        A compiled serializer over plain columns gets its page as rows, not model instances."""
        rows = compiled_rows(queryset, serializer_class) if isinstance(queryset, QuerySet) else None
        page = self.paginate_queryset(queryset if rows is None else rows)
        return self.get_paginated_response(serializer_class(page, many=True).data)


class TenantAPIView(IdempotentPostMixin, BaseAPIView):
    """An endpoint on a tenant's host, for users of that tenant holding a capability."""

    # POSTs honour an Idempotency-Key header (crm_saas/integrations/api/idempotency.py).

    permission_classes: ClassVar[list[Any]] = [HasRoleCapability]
    required_capability: ClassVar[str | None] = None
    required_capabilities: ClassVar[dict[str, str] | None] = None


class PlatformAPIView(BaseAPIView):
    """An endpoint on the platform host, for platform operators."""

    permission_classes: ClassVar[list[Any]] = [IsPlatformOperator]


class PublicAPIView(BaseAPIView):
    """An endpoint anyone may call (sign-in). Throttled by the 'auth' scope."""

    permission_classes: ClassVar[list[Any]] = [AllowAny]
    throttle_classes: ClassVar[list[Any]] = [ScopedRateLimit, AnonRateLimit]
    throttle_scope = "auth"
