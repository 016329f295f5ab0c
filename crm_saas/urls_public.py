"""URLs served on the platform host (public schema): operators manage tenants here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from crm_saas import views

urlpatterns = [
    path("", views.platform_home, name="platform-home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("tenants.accounts.urls")),
    path("platform/", include("tenants.urls")),
    path("api/v1/", include(("tenants.api.urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="crm_saas.urls_public"), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "crm_saas.views.bad_request"
handler403 = "crm_saas.views.permission_denied"
handler404 = "crm_saas.views.not_found"
handler500 = "crm_saas.views.server_error"
