from django.urls import path

from crm_saas.integrations.api import views

urlpatterns = [
    path("api-keys/", views.ApiKeyListView.as_view(), name="api-key-list"),
    path("api-keys/<int:api_key_id>/", views.ApiKeyDetailView.as_view(), name="api-key-detail"),
    path("api-keys/<int:api_key_id>/revoke/", views.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
    path("webhooks/", views.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/events/", views.WebhookEventListView.as_view(), name="webhook-event-list"),
    path(
        "webhooks/deliveries/<uuid:delivery_id>/",
        views.WebhookDeliveryDetailView.as_view(),
        name="webhook-delivery-detail",
    ),
    path(
        "webhooks/deliveries/<uuid:delivery_id>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="webhook-delivery-redeliver",
    ),
    path("webhooks/<uuid:subscription_id>/", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<uuid:subscription_id>/ping/", views.WebhookPingView.as_view(), name="webhook-ping"),
    path(
        "webhooks/<uuid:subscription_id>/deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="webhook-delivery-list",
    ),
]
