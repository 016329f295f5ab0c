from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.integrations import selectors
from crm_saas.integrations.api.serializers import (
    ApiKeyCreatedOutput,
    ApiKeyInput,
    ApiKeyOutput,
    WebhookDeliveryDetailOutput,
    WebhookDeliveryOutput,
    WebhookEventOutput,
    WebhookInput,
    WebhookOutput,
    WebhookUpdateInput,
    WebhookWithSecretOutput,
)
from crm_saas.integrations.events import EVENTS
from crm_saas.integrations.models import DeliveryStatus
from crm_saas.integrations.services import api_keys, webhooks
from crm_saas.roles import Capability


class ApiKeyListView(TenantAPIView):
    """API keys of the workspace. Managed by admins signed in with a session or token, never by
    another API key (a key cannot mint keys)."""

    required_capability = Capability.SETTINGS_MANAGE
    api_keys_allowed = False

    @extend_schema(responses=ApiKeyOutput(many=True), tags=["api keys"])
    def get(self, request: Request) -> Response:
        return self.paginated_response(selectors.api_key_list(), ApiKeyOutput)

    @extend_schema(request=ApiKeyInput, responses={201: ApiKeyCreatedOutput}, tags=["api keys"])
    def post(self, request: Request) -> Response:
        data = ApiKeyInput(data=request.data)
        data.is_valid(raise_exception=True)
        issued = api_keys.api_key_create(actor=request.user, request=request, **data.validated_data)
        body = ApiKeyCreatedOutput(issued.api_key).data
        body["key"] = issued.key
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(TenantAPIView):
    required_capability = Capability.SETTINGS_MANAGE
    api_keys_allowed = False

    @extend_schema(responses=ApiKeyOutput, tags=["api keys"])
    def get(self, request: Request, api_key_id: int) -> Response:
        return Response(ApiKeyOutput(selectors.api_key_get(api_key_id=api_key_id)).data)


class ApiKeyRevokeView(TenantAPIView):
    required_capability = Capability.SETTINGS_MANAGE
    api_keys_allowed = False

    @extend_schema(request=None, responses=ApiKeyOutput, tags=["api keys"])
    def post(self, request: Request, api_key_id: int) -> Response:
        api_key = selectors.api_key_get(api_key_id=api_key_id)
        api_key = api_keys.api_key_revoke(api_key=api_key, actor=request.user, request=request)
        return Response(ApiKeyOutput(api_key).data)


class WebhookListView(TenantAPIView):
    required_capability = Capability.SETTINGS_MANAGE

    @extend_schema(responses=WebhookOutput(many=True), tags=["webhooks"])
    def get(self, request: Request) -> Response:
        return self.paginated_response(selectors.subscription_list(), WebhookOutput)

    @extend_schema(request=WebhookInput, responses={201: WebhookWithSecretOutput}, tags=["webhooks"])
    def post(self, request: Request) -> Response:
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = webhooks.subscription_create(actor=request.user, request=request, **data.validated_data)
        return Response(WebhookWithSecretOutput(subscription).data, status=status.HTTP_201_CREATED)


class WebhookDetailView(TenantAPIView):
    required_capability = Capability.SETTINGS_MANAGE

    @extend_schema(responses=WebhookWithSecretOutput, tags=["webhooks"])
    def get(self, request: Request, subscription_id: UUID) -> Response:
        subscription = selectors.subscription_get(subscription_id=subscription_id)
        return Response(WebhookWithSecretOutput(subscription).data)

    @extend_schema(request=WebhookUpdateInput, responses=WebhookWithSecretOutput, tags=["webhooks"])
    def patch(self, request: Request, subscription_id: UUID) -> Response:
        subscription = selectors.subscription_get(subscription_id=subscription_id)
        data = WebhookUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = webhooks.subscription_update(
            subscription=subscription, actor=request.user, data=dict(data.validated_data), request=request
        )
        return Response(WebhookWithSecretOutput(subscription).data)

    @extend_schema(responses={204: None}, tags=["webhooks"])
    def delete(self, request: Request, subscription_id: UUID) -> Response:
        subscription = selectors.subscription_get(subscription_id=subscription_id)
        webhooks.subscription_delete(subscription=subscription, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookPingView(TenantAPIView):
    """Queue a signed ``ping`` event to the subscription's URL, to check the receiver."""

    required_capability = Capability.SETTINGS_MANAGE

    @extend_schema(request=None, responses={202: WebhookDeliveryOutput}, tags=["webhooks"])
    def post(self, request: Request, subscription_id: UUID) -> Response:
        subscription = selectors.subscription_get(subscription_id=subscription_id)
        delivery = webhooks.subscription_ping(subscription=subscription, actor=request.user)
        return Response(WebhookDeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListView(TenantAPIView):
    required_capability = Capability.SETTINGS_MANAGE

    @extend_schema(
        responses=WebhookDeliveryOutput(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=DeliveryStatus.values),
            OpenApiParameter("event", str, enum=[*EVENTS, "ping"]),
        ],
        tags=["webhooks"],
    )
    def get(self, request: Request, subscription_id: UUID) -> Response:
        subscription = selectors.subscription_get(subscription_id=subscription_id)
        deliveries = selectors.delivery_list(
            subscription=subscription,
            status=request.query_params.get("status") or None,
            event=request.query_params.get("event") or None,
        )
        return self.paginated_response(deliveries, WebhookDeliveryOutput)


class WebhookDeliveryDetailView(TenantAPIView):
    required_capability = Capability.SETTINGS_MANAGE

    @extend_schema(responses=WebhookDeliveryDetailOutput, tags=["webhooks"])
    def get(self, request: Request, delivery_id: UUID) -> Response:
        return Response(WebhookDeliveryDetailOutput(selectors.delivery_get(delivery_id=delivery_id)).data)


class WebhookRedeliverView(TenantAPIView):
    """Send the delivery's event again, as a new delivery with the same event id."""

    required_capability = Capability.SETTINGS_MANAGE

    @extend_schema(request=None, responses={202: WebhookDeliveryOutput}, tags=["webhooks"])
    def post(self, request: Request, delivery_id: UUID) -> Response:
        delivery = selectors.delivery_get(delivery_id=delivery_id)
        copy = webhooks.delivery_redeliver(delivery=delivery, actor=request.user)
        return Response(WebhookDeliveryOutput(copy).data, status=status.HTTP_202_ACCEPTED)


class WebhookEventListView(TenantAPIView):
    """The events a subscription can receive."""

    required_capability = Capability.SETTINGS_MANAGE
    pagination_class = None

    @extend_schema(responses=WebhookEventOutput(many=True), tags=["webhooks"])
    def get(self, request: Request) -> Response:
        return Response([{"name": name, "description": text} for name, text in EVENTS.items()])
