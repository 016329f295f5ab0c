from django.urls import path

from tenants.accounts.api.views import PlatformMeView, TokenView
from tenants.api import views

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", PlatformMeView.as_view(), name="me"),
    path("platform/tenants/", views.TenantListView.as_view(), name="tenant-list"),
    path("platform/tenants/<int:tenant_id>/", views.TenantDetailView.as_view(), name="tenant-detail"),
    path("platform/tenants/<int:tenant_id>/offboarding/", views.TenantOffboardView.as_view(), name="tenant-offboard"),
    path("platform/offboardings/", views.OffboardingListView.as_view(), name="offboarding-list"),
    path(
        "platform/offboardings/<uuid:offboarding_id>/",
        views.OffboardingDetailView.as_view(),
        name="offboarding-detail",
    ),
    path(
        "platform/offboardings/<uuid:offboarding_id>/archive/",
        views.OffboardingArchiveView.as_view(),
        name="offboarding-archive",
    ),
]
