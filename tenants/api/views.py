from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import PlatformAPIView
from crm_saas.privacy.api.views import bundle_response
from crm_saas.privacy.offboarding import tenant_archive_delete, tenant_archive_download, tenant_offboard_request
from tenants import selectors, services
from tenants.api.serializers import (
    OffboardingOutput,
    TenantCreateInput,
    TenantOffboardInput,
    TenantOutput,
    TenantUpdateInput,
)


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


OFFBOARDING_TAGS = ["platform"]


class TenantOffboardView(PlatformAPIView):
    @extend_schema(
        request=TenantOffboardInput,
        responses={
            202: OffboardingOutput,
            400: OpenApiResponse(description="The confirmation is not the tenant's schema name."),
            404: OpenApiResponse(description="No such tenant."),
            409: OpenApiResponse(description="Already being offboarded, or already offboarded."),
        },
        tags=OFFBOARDING_TAGS,
    )
    def post(self, request: Request, tenant_id: int) -> Response:
        """Offboard a tenant: it stops being served at once; a worker archives it, destroys its keys,
        deletes its objects and schema, and verifies. Poll the offboarding until it has finished.
        Cannot be undone: ``confirm`` must be the tenant's schema name."""
        tenant = selectors.tenant_get_for_offboarding(tenant_id=tenant_id)
        data = TenantOffboardInput(data=request.data)
        data.is_valid(raise_exception=True)
        offboarding = tenant_offboard_request(
            tenant=tenant, actor=request.user, confirm=data.validated_data["confirm"], request=request._request
        )
        return Response(OffboardingOutput(offboarding).data, status=status.HTTP_202_ACCEPTED)


class OffboardingListView(PlatformAPIView):
    @extend_schema(responses=OffboardingOutput(many=True), tags=OFFBOARDING_TAGS)
    def get(self, request: Request) -> Response:
        """Every offboarding, newest first, with its progress, verification and archive."""
        return self.paginated_response(selectors.tenant_offboarding_list(), OffboardingOutput)


class OffboardingDetailView(PlatformAPIView):
    @extend_schema(responses=OffboardingOutput, tags=OFFBOARDING_TAGS)
    def get(self, request: Request, offboarding_id: UUID) -> Response:
        return Response(OffboardingOutput(selectors.tenant_offboarding_get(offboarding_id=offboarding_id)).data)


class OffboardingArchiveView(PlatformAPIView):
    def perform_content_negotiation(self, request: Request, force: bool = False):  # type: ignore[override]
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The tenant's archive."),
            404: OpenApiResponse(description="No such offboarding."),
            409: OpenApiResponse(description="Not made yet, or the offboarding failed before making it."),
            410: OpenApiResponse(description="Deleted by an operator, or expired."),
        },
        tags=OFFBOARDING_TAGS,
    )
    def get(self, request: Request, offboarding_id: UUID) -> HttpResponse:
        """The decrypted archive (ZIP: manifest.json, records/<app.model>.json, objects/...); each
        download is audited."""
        archive, filename = tenant_archive_download(
            offboarding_id=offboarding_id, actor=request.user, request=request._request
        )
        return bundle_response(archive, filename)

    @extend_schema(
        responses={
            200: OffboardingOutput,
            404: OpenApiResponse(description="No such offboarding."),
            409: OpenApiResponse(description="The offboarding is still running."),
        },
        tags=OFFBOARDING_TAGS,
    )
    def delete(self, request: Request, offboarding_id: UUID) -> Response:
        """Delete the archive (the last copy of the tenant's data) once it has been handed over;
        audited. Deleting an archive that is already gone changes nothing."""
        offboarding = tenant_archive_delete(offboarding_id=offboarding_id, actor=request.user, request=request._request)
        return Response(OffboardingOutput(offboarding).data)
