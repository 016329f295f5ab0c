from django.urls import path

from lifecycle import import_pages, views
from lifecycle.churn import pages as churn_pages

app_name = "lifecycle"

urlpatterns = [
    path("", views.customer_list, name="customers"),
    path("import/", import_pages.customer_import, name="import"),
    path("import/<str:token>/", import_pages.customer_import_preview, name="import_preview"),
    path("events/import/", import_pages.event_import, name="event_import"),
    path("events/import/<str:token>/", import_pages.event_import_preview, name="event_import_preview"),
    path("imports/<uuid:job_id>/", import_pages.import_progress, name="import_progress"),
    path("<int:customer_id>/", views.customer_detail, name="customer"),
    path("<int:customer_id>/events/new/", views.event_add, name="event_add"),
    path("churn-model/", churn_pages.churn_model_page, name="churn_model"),
    path("churn-model/train/", churn_pages.churn_model_train, name="churn_model_train"),
    path("churn-model/rollback/", churn_pages.churn_model_rollback, name="churn_model_rollback"),
    path(
        "<int:customer_id>/next-actions/<int:action_id>/accept/",
        churn_pages.next_action_accept,
        name="next_action_accept",
    ),
    path(
        "<int:customer_id>/next-actions/<int:action_id>/dismiss/",
        churn_pages.next_action_dismiss,
        name="next_action_dismiss",
    ),
    path("<int:customer_id>/timeline/", views.customer_timeline, name="timeline"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("stage-rules/", views.stage_rules_page, name="stage_rules"),
]
