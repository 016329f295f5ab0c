from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.permissions import IsPlatformOperator
from crm_saas.api.views import PublicAPIView, TenantAPIView
from crm_saas.jobs.api.serializers import JobOutput
from crm_saas.roles import Capability
from tenants.accounts import selectors, services
from tenants.accounts.api.serializers import (
    MeOutput,
    TokenInput,
    TokenOutput,
    UserCreateInput,
    UserImportInput,
    UserOutput,
    UserUpdateInput,
)
from tenants.accounts.imports import user_import_start
from tenants.accounts.models import AuthToken
from tenants.selectors import tenant_primary_domain


class TokenView(PublicAPIView):
    """Exchange e-mail and password for an API token of this tenant (or of the platform)."""

    @extend_schema(request=TokenInput, responses={201: TokenOutput}, auth=[], tags=["auth"])
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.auth_sign_in(
            email=data.validated_data["email"], password=data.validated_data["password"], request=request._request
        )
        issued = services.token_issue(user=user, name="api", request=request._request)
        body = {"token": issued.key, "expires_at": issued.token.expires_at, "user": user}
        return Response(TokenOutput(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, tags=["auth"])
    def delete(self, request: Request) -> Response:
        """Revoke the token used for this request."""
        if not isinstance(request.auth, AuthToken):
            return Response(
                {"detail": "Send the token to revoke in the Authorization header.", "errors": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        services.token_revoke(token=request.auth, actor=request.user, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(TenantAPIView):
    required_capability = Capability.WORKSPACE_READ

    @extend_schema(responses=MeOutput, tags=["auth"])
    def get(self, request: Request) -> Response:
        tenant = request._request.tenant
        return Response(MeOutput(MeOutput.build(request.user, tenant, tenant_primary_domain(tenant))).data)


class PlatformMeView(MeView):
    permission_classes = [IsPlatformOperator]


class UserListView(TenantAPIView):
    required_capability = Capability.USERS_MANAGE

    @extend_schema(
        responses=UserOutput(many=True),
        parameters=[
            OpenApiParameter("role", str, description="Filter by role."),
            OpenApiParameter("is_active", bool),
            OpenApiParameter("search", str, description="Part of the e-mail or name."),
        ],
        tags=["users"],
    )
    def get(self, request: Request) -> Response:
        is_active = request.query_params.get("is_active")
        users = selectors.user_list(
            role=request.query_params.get("role") or None,
            is_active=None if is_active is None else is_active.lower() in {"1", "true", "yes"},
            search=request.query_params.get("search", "")[:100],
        )
        return self.paginated_response(users, UserOutput)

    @extend_schema(request=UserCreateInput, responses={201: UserOutput}, tags=["users"])
    def post(self, request: Request) -> Response:
        data = UserCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("password"):
            user = services.user_create(
                email=values["email"],
                role=values["role"],
                full_name=values["full_name"],
                password=values["password"],
                actor=request.user,
                request=request._request,
            )
        else:
            user = services.user_invite(
                email=values["email"],
                role=values["role"],
                full_name=values["full_name"],
                actor=request.user,
                request=request._request,
                base_url=request.build_absolute_uri("/"),
            )
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(TenantAPIView):
    required_capability = Capability.USERS_MANAGE

    @extend_schema(responses=UserOutput, tags=["users"])
    def get(self, request: Request, user_id: int) -> Response:
        return Response(UserOutput(selectors.user_get(user_id=user_id)).data)

    @extend_schema(request=UserUpdateInput, responses=UserOutput, tags=["users"])
    def patch(self, request: Request, user_id: int) -> Response:
        user = selectors.user_get(user_id=user_id)
        data = UserUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        django_request = request._request
        if values.get("is_active") is False:
            user = services.user_deactivate(user=user, actor=request.user, request=django_request)
        user = services.user_update(
            user=user,
            actor=request.user,
            role=values.get("role"),
            full_name=values.get("full_name"),
            request=django_request,
        )
        if values.get("is_active") is True:
            user = services.user_reactivate(user=user, actor=request.user, request=django_request)
        return Response(UserOutput(user).data)


class UserImportView(TenantAPIView):
    required_capability = Capability.USERS_MANAGE
    parser_classes = [MultiPartParser]

    @extend_schema(request=UserImportInput, responses={202: JobOutput}, tags=["users"])
    def post(self, request: Request) -> Response:
        """Create (and invite) many users from a CSV, as a background job."""
        data = UserImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = user_import_start(
            upload=data.validated_data["file"], actor=request.user, base_url=request.build_absolute_uri("/")
        )
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
