"""Privacy API: find a person, export their data, erase them. Admins only."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.privacy import selectors
from crm_saas.privacy.api.serializers import (
    PrivacyErasureInput,
    PrivacyRequestOutput,
    PrivacySearchOutput,
    PrivacySubjectInput,
)
from crm_saas.privacy.models import PrivacyRequestKind
from crm_saas.privacy.services import (
    privacy_erasure_request,
    privacy_export_download,
    privacy_export_request,
    privacy_subject_search,
)
from crm_saas.roles import Capability

TAGS = ["privacy"]


def _subject_data(serializer_class: type, data: object) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PrivacySearchView(TenantAPIView):
    required_capability = Capability.PRIVACY_MANAGE

    @extend_schema(parameters=[PrivacySubjectInput], responses=PrivacySearchOutput, tags=TAGS)
    def get(self, request: Request) -> Response:
        """Everything the workspace holds about one person, matched by e-mail across leads and
        customers (or by a lead or customer id), counted per record type."""
        match = privacy_subject_search(
            actor=request.user, data=_subject_data(PrivacySubjectInput, request.query_params)
        )
        return Response(
            PrivacySearchOutput(
                {
                    "query": {match.query.field: match.query.value},
                    "emails": sorted(match.subject.emails),
                    "lead_ids": sorted(match.subject.lead_ids),
                    "customer_ids": sorted(match.subject.customer_ids),
                    "records": match.records,
                    "files": match.files,
                    "total": match.total,
                }
            ).data
        )


class PrivacyExportListView(TenantAPIView):
    required_capability = Capability.PRIVACY_MANAGE

    @extend_schema(responses=PrivacyRequestOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        return self.paginated_response(selectors.privacy_request_list(kind=PrivacyRequestKind.EXPORT), self._output)

    def _output(self, *args, **kwargs) -> PrivacyRequestOutput:
        return PrivacyRequestOutput(*args, context={"request": self.request}, **kwargs)

    @extend_schema(
        request=PrivacySubjectInput,
        responses={202: PrivacyRequestOutput, 404: OpenApiResponse(description="Nobody matches.")},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        """Queue an export of everything about the person; poll it (or its job) until it succeeds,
        then download the bundle from ``download_url`` (only you can, until ``expires_at``)."""
        export = privacy_export_request(
            actor=request.user, data=_subject_data(PrivacySubjectInput, request.data), request=request
        )
        return Response(
            PrivacyRequestOutput(export, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


class PrivacyExportDetailView(TenantAPIView):
    required_capability = Capability.PRIVACY_MANAGE

    @extend_schema(responses=PrivacyRequestOutput, tags=TAGS)
    def get(self, request: Request, request_id: UUID) -> Response:
        export = selectors.privacy_request_get(request_id=request_id, kind=PrivacyRequestKind.EXPORT)
        return Response(PrivacyRequestOutput(export, context={"request": request}).data)


class PrivacyExportDownloadView(TenantAPIView):
    required_capability = Capability.PRIVACY_MANAGE

    def perform_content_negotiation(self, request: Request, force: bool = False):  # type: ignore[override]
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The export bundle."),
            404: OpenApiResponse(description="No such export, or another admin's."),
            409: OpenApiResponse(description="Not ready yet, or failed."),
            410: OpenApiResponse(description="Expired and deleted."),
        },
        tags=TAGS,
    )
    def get(self, request: Request, request_id: UUID) -> HttpResponse:
        """The decrypted bundle (ZIP: manifest.json, records/*.json, voice/*); each download is audited."""
        bundle, filename = privacy_export_download(user=request.user, request_id=request_id, request=request)
        return bundle_response(bundle, filename)


def bundle_response(bundle: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(bundle, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["Content-Length"] = str(len(bundle))
    return response


class PrivacyErasureListView(TenantAPIView):
    required_capability = Capability.PRIVACY_MANAGE

    @extend_schema(responses=PrivacyRequestOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        return self.paginated_response(
            selectors.privacy_request_list(kind=PrivacyRequestKind.ERASURE), PrivacyRequestOutput
        )

    @extend_schema(
        request=PrivacyErasureInput,
        responses={
            202: PrivacyRequestOutput,
            400: OpenApiResponse(description="The confirmation does not match."),
            404: OpenApiResponse(description="Nobody matches."),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        """Queue the erasure of a person, confirmed by typing the same e-mail or id in ``confirm``.
        Poll the request: its ``report`` lists what was deleted and the verification that nothing is left."""
        erasure = privacy_erasure_request(
            actor=request.user, data=_subject_data(PrivacyErasureInput, request.data), request=request
        )
        return Response(
            PrivacyRequestOutput(erasure, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


class PrivacyErasureDetailView(TenantAPIView):
    required_capability = Capability.PRIVACY_MANAGE

    @extend_schema(responses=PrivacyRequestOutput, tags=TAGS)
    def get(self, request: Request, request_id: UUID) -> Response:
        erasure = selectors.privacy_request_get(request_id=request_id, kind=PrivacyRequestKind.ERASURE)
        return Response(PrivacyRequestOutput(erasure, context={"request": request}).data)
