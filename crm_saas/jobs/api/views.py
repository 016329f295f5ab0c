from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.jobs.api.serializers import JobOutput
from crm_saas.jobs.selectors import job_get_for_user
from crm_saas.roles import Capability


class JobDetailView(TenantAPIView):
    """Status of a background job: poll until ``status`` is succeeded or failed."""

    required_capability = Capability.WORKSPACE_READ

    @extend_schema(responses=JobOutput, tags=["jobs"])
    def get(self, request: Request, job_id: UUID) -> Response:
        return Response(JobOutput(job_get_for_user(user=request.user, job_id=job_id)).data)
