from django.urls import path

from crm_saas.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_home, name="home"),
    path("exports/", views.export_create, name="export_create"),
    path("erasures/", views.erasure_create, name="erasure_create"),
    path("requests/<uuid:request_id>/", views.request_detail, name="request"),
    path("exports/<uuid:request_id>/download/", views.export_download, name="export_download"),
]
