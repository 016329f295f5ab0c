from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.audit.api.serializers import AuditEventOutput
from crm_saas.audit.models import AuditAction
from crm_saas.audit.selectors import audit_event_list
from crm_saas.roles import Capability


class AuditEventListView(TenantAPIView):
    required_capability = Capability.AUDIT_READ

    @extend_schema(
        responses=AuditEventOutput(many=True),
        parameters=[
            OpenApiParameter("action", str, enum=AuditAction.values),
            OpenApiParameter("actor", int, description="User id of the actor."),
            OpenApiParameter("subject", str, description="Pseudonym of a person (subj_...): every event about them."),
        ],
        tags=["audit"],
    )
    def get(self, request: Request) -> Response:
        actor = request.query_params.get("actor")
        events = audit_event_list(
            action=request.query_params.get("action") or None,
            actor_id=int(actor) if actor and actor.isdigit() else None,
            subject_ref=(request.query_params.get("subject") or "").strip() or None,
        )
        return self.paginated_response(events, AuditEventOutput)
