from django.urls import path

from crm_saas.audit import views

app_name = "audit"

urlpatterns = [path("", views.events, name="events")]
