from django.urls import path

from tenants.accounts.api.views import PlatformMeView, TokenView
from tenants.api import views

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", PlatformMeView.as_view(), name="me"),
    path("platform/tenants/", views.TenantListView.as_view(), name="tenant-list"),
    path("platform/tenants/<int:tenant_id>/", views.TenantDetailView.as_view(), name="tenant-detail"),
]
