from rest_framework import serializers

from crm_saas.jobs.models import Job


class JobOutput(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "result", "error", "created_at", "started_at", "finished_at"]
