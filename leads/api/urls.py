from django.urls import path

from leads.api import configuration, follow_ups, messages, notes, scoring, views

urlpatterns = [
    path("leads/", views.LeadListView.as_view(), name="lead-list"),
    path("leads/import/", views.LeadImportView.as_view(), name="lead-import"),
    path("leads/import/preview/", views.LeadImportPreviewView.as_view(), name="lead-import-preview"),
    path("leads/<int:lead_id>/", views.LeadDetailView.as_view(), name="lead-detail"),
    path("leads/<int:lead_id>/score/", scoring.LeadScoreView.as_view(), name="lead-score"),
    path("leads/score/train-model", scoring.TrainModelView.as_view(), name="lead-train-model"),
    path("leads/score/rules/", configuration.RuleListView.as_view(), name="scoring-rule-list"),
    path("leads/score/rules/<int:rule_id>/", configuration.RuleDetailView.as_view(), name="scoring-rule-detail"),
    path("leads/score/settings/", configuration.ScoringSettingsView.as_view(), name="scoring-settings"),
    path("analytics/lead-scoring-model", scoring.LeadScoringModelView.as_view(), name="lead-scoring-model"),
    path("leads/<int:lead_id>/activities/", views.LeadActivityView.as_view(), name="lead-activity-list"),
    path("leads/<int:lead_id>/messages/", messages.LeadMessageListView.as_view(), name="lead-message-list"),
    path("leads/<int:lead_id>/priority/", messages.LeadPriorityView.as_view(), name="lead-priority"),
    path("leads/priority/settings/", messages.PrioritySettingsView.as_view(), name="priority-settings"),
    path("leads/<int:lead_id>/notes/", notes.LeadNoteListView.as_view(), name="lead-note-list"),
    path("leads/<int:lead_id>/follow-ups/", follow_ups.LeadFollowUpListView.as_view(), name="lead-follow-up-list"),
    path("follow-ups/", follow_ups.FollowUpListView.as_view(), name="follow-up-list"),
    path(
        "follow-ups/<int:follow_up_id>/complete/", follow_ups.FollowUpCompleteView.as_view(), name="follow-up-complete"
    ),
    path("follow-ups/<int:follow_up_id>/reopen/", follow_ups.FollowUpReopenView.as_view(), name="follow-up-reopen"),
]
