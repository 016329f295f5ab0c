from django.urls import path

from tenants import views

app_name = "platform"

urlpatterns = [
    path("tenants/", views.tenants, name="tenants"),
    path("tenants/<int:tenant_id>/active/", views.tenant_set_active, name="tenant_set_active"),
]
