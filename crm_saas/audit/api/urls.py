from django.urls import path

from crm_saas.audit.api.views import AuditEventListView

urlpatterns = [path("audit-events/", AuditEventListView.as_view(), name="audit-event-list")]
