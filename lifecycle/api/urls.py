from django.urls import path

from lifecycle.api import churn, views

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/import/", views.CustomerImportView.as_view(), name="customer-import"),
    path("customers/events/import/", views.CustomerEventImportView.as_view(), name="customer-event-import"),
    path("customers/stage-rules/", views.StageRulesView.as_view(), name="customer-stage-rules"),
    path("customers/<int:customer_id>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("customers/<int:customer_id>/events/", views.CustomerEventListView.as_view(), name="customer-event-list"),
    path("customers/<int:customer_id>/stages/", views.CustomerStageHistoryView.as_view(), name="customer-stages"),
    path("customers/<int:customer_id>/timeline/", views.CustomerTimelineView.as_view(), name="customer-timeline"),
    path("customers/<int:customer_id>/churn/", churn.CustomerChurnView.as_view(), name="customer-churn"),
    path(
        "customers/<int:customer_id>/next-actions/",
        churn.CustomerNextActionListView.as_view(),
        name="customer-next-action-list",
    ),
    path(
        "customers/<int:customer_id>/next-actions/<int:action_id>/accept/",
        churn.NextActionAcceptView.as_view(),
        name="customer-next-action-accept",
    ),
    path(
        "customers/<int:customer_id>/next-actions/<int:action_id>/dismiss/",
        churn.NextActionDismissView.as_view(),
        name="customer-next-action-dismiss",
    ),
    path("customers/churn/train-model", churn.ChurnTrainModelView.as_view(), name="churn-train-model"),
    path("analytics/churn-model", churn.ChurnModelAnalyticsView.as_view(), name="churn-model"),
]
