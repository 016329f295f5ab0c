from django.urls import path

from crm_saas.integrations import views

app_name = "integrations"

urlpatterns = [
    path("api-keys/", views.api_key_list, name="api_keys"),
    path("api-keys/<int:api_key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<uuid:subscription_id>/", views.webhook_detail, name="webhook"),
    path("webhooks/deliveries/<uuid:delivery_id>/", views.delivery_detail, name="delivery"),
    path("webhooks/deliveries/<uuid:delivery_id>/redeliver/", views.delivery_redeliver, name="delivery_redeliver"),
]
