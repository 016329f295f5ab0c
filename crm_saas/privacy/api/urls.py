from django.urls import path

from crm_saas.privacy.api import views

urlpatterns = [
    path("privacy/search/", views.PrivacySearchView.as_view(), name="privacy-search"),
    path("privacy/exports/", views.PrivacyExportListView.as_view(), name="privacy-export-list"),
    path("privacy/exports/<uuid:request_id>/", views.PrivacyExportDetailView.as_view(), name="privacy-export-detail"),
    path(
        "privacy/exports/<uuid:request_id>/download/",
        views.PrivacyExportDownloadView.as_view(),
        name="privacy-export-download",
    ),
    path("privacy/erasures/", views.PrivacyErasureListView.as_view(), name="privacy-erasure-list"),
    path(
        "privacy/erasures/<uuid:request_id>/", views.PrivacyErasureDetailView.as_view(), name="privacy-erasure-detail"
    ),
]
