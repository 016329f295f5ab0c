"""URLs served on a tenant's host (tenant schema)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from crm_saas import views

api_v1 = [
    path("", include("tenants.accounts.api.urls")),
    path("", include("crm_saas.jobs.api.urls")),
    path("", include("crm_saas.audit.api.urls")),
    path("", include("crm_saas.integrations.api.urls")),
    path("", include("leads.api.urls")),
    path("", include("lifecycle.api.urls")),
    path("", include("voice.api.urls")),
    path("", include("crm_saas.privacy.api.urls")),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("tenants.accounts.urls")),
    path("audit/", include("crm_saas.audit.urls")),
    path("integrations/", include("crm_saas.integrations.urls")),
    path("leads/", include("leads.urls")),
    path("customers/", include("lifecycle.urls")),
    path("voice/", include("voice.urls")),
    path("privacy/", include("crm_saas.privacy.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "crm_saas.views.bad_request"
handler403 = "crm_saas.views.permission_denied"
handler404 = "crm_saas.views.not_found"
handler500 = "crm_saas.views.server_error"
