from django.urls import path

from crm_saas.privacy import platform_views as offboarding
from tenants import views

app_name = "platform"

urlpatterns = [
    path("tenants/", views.tenants, name="tenants"),
    path("tenants/<int:tenant_id>/active/", views.tenant_set_active, name="tenant_set_active"),
    path("tenants/<int:tenant_id>/offboard/", offboarding.offboarding_start, name="tenant_offboard"),
    path("offboarding/", offboarding.offboarding_list, name="offboarding"),
    path("offboarding/<uuid:offboarding_id>/archive/", offboarding.offboarding_archive, name="offboarding_archive"),
    path(
        "offboarding/<uuid:offboarding_id>/archive/delete/",
        offboarding.offboarding_archive_delete,
        name="offboarding_archive_delete",
    ),
]
