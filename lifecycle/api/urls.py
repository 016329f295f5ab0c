from django.urls import path

from lifecycle.api import views

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/import/", views.CustomerImportView.as_view(), name="customer-import"),
    path("customers/events/import/", views.CustomerEventImportView.as_view(), name="customer-event-import"),
    path("customers/stage-rules/", views.StageRulesView.as_view(), name="customer-stage-rules"),
    path("customers/<int:customer_id>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("customers/<int:customer_id>/events/", views.CustomerEventListView.as_view(), name="customer-event-list"),
    path("customers/<int:customer_id>/stages/", views.CustomerStageHistoryView.as_view(), name="customer-stages"),
    path("customers/<int:customer_id>/timeline/", views.CustomerTimelineView.as_view(), name="customer-timeline"),
]
