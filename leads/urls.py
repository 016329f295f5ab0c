from django.urls import path

from leads import timeline_pages, views
from leads.imports import pages as import_pages
from leads.messages import pages as message_pages
from leads.priority import pages as priority_pages
from leads.scoring import pages as scoring_pages
from leads.scoring import rules_pages

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("model/", scoring_pages.model_page, name="model"),
    path("model/train/", scoring_pages.model_train, name="model_train"),
    path("model/rollback/", scoring_pages.model_rollback, name="model_rollback"),
    path("model/columns/", scoring_pages.column_keep, name="model_column"),
    path("model/rules/", rules_pages.rules_page, name="rules"),
    path("model/rules/<int:rule_id>/", rules_pages.rule_toggle, name="rule_toggle"),
    path("triage/", message_pages.triage_inbox, name="triage"),
    path("triage/<int:message_id>/assign/", message_pages.message_assign, name="message_assign"),
    path("triage/<int:message_id>/handled/", message_pages.message_handled, name="message_handled"),
    path("priority/", priority_pages.priority_settings_page, name="priority_settings"),
    path("priority/signals/<int:signal_id>/", priority_pages.priority_signal_change, name="priority_signal"),
    path("import/", import_pages.import_upload, name="import"),
    path("import/<str:token>/", import_pages.import_preview, name="import_preview"),
    path("<int:lead_id>/", views.lead_detail, name="detail"),
    path("<int:lead_id>/edit/", views.lead_edit, name="edit"),
    path("<int:lead_id>/delete/", views.lead_delete, name="delete"),
    path("<int:lead_id>/messages/new/", message_pages.message_add, name="message_add"),
    path("<int:lead_id>/notes/new/", timeline_pages.note_add, name="note_add"),
    path("<int:lead_id>/follow-ups/new/", timeline_pages.follow_up_add, name="follow_up_add"),
    path("follow-ups/<int:follow_up_id>/complete/", timeline_pages.follow_up_complete, name="follow_up_complete"),
    path("follow-ups/<int:follow_up_id>/reopen/", timeline_pages.follow_up_reopen, name="follow_up_reopen"),
]
