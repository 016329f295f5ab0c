from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import PlatformAPIView
from tenants import selectors, services
from tenants.api.serializers import TenantCreateInput, TenantOutput, TenantUpdateInput


class TenantListView(PlatformAPIView):
    @extend_schema(responses=TenantOutput(many=True), tags=["platform"])
    def get(self, request: Request) -> Response:
        return self.paginated_response(selectors.tenant_list(), TenantOutput)

    @extend_schema(request=TenantCreateInput, responses={201: TenantOutput}, tags=["platform"])
    def post(self, request: Request) -> Response:
        data = TenantCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        provisioned = services.tenant_provision(**data.validated_data, actor=request.user, request=request._request)
        return Response(TenantOutput(provisioned.tenant).data, status=status.HTTP_201_CREATED)


class TenantDetailView(PlatformAPIView):
    @extend_schema(responses=TenantOutput, tags=["platform"])
    def get(self, request: Request, tenant_id: int) -> Response:
        return Response(TenantOutput(selectors.tenant_get(tenant_id=tenant_id)).data)

    @extend_schema(request=TenantUpdateInput, responses=TenantOutput, tags=["platform"])
    def patch(self, request: Request, tenant_id: int) -> Response:
        tenant = selectors.tenant_get(tenant_id=tenant_id)
        data = TenantUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.tenant_reactivate if data.validated_data["is_active"] else services.tenant_deactivate
        tenant = change(tenant=tenant, actor=request.user, request=request._request)
        return Response(TenantOutput(tenant).data)
