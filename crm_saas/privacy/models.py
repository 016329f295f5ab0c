"""Privacy requests of one tenant, and the tenant's secret for pseudonyms.

A request names its subject by ``subject_label`` (what the admin typed) only until that person is
erased; from then on every request about them shows the pseudonym alone (``subject_ref``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class PrivacyRequestKind(models.TextChoices):
    EXPORT = "export", "Export"
    ERASURE = "erasure", "Erasure"


class PrivacyRequestStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class PrivacyRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=PrivacyRequestKind.choices)
    status = models.CharField(
        max_length=10, choices=PrivacyRequestStatus.choices, default=PrivacyRequestStatus.QUEUED, db_index=True
    )
    # HMAC of the person's identifier under the tenant's secret: correlates requests about one person.
    subject_ref = models.CharField(max_length=40, db_index=True)
    subject_label = models.CharField(max_length=254)
    # What identified the person: {"email": ...}, {"lead_id": ...} or {"customer_id": ...}.
    query = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="privacy_requests"
    )
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Export: the manifest summary; erasure: the verification report.
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The encrypted export bundle in the object store, until it expires.
    bundle_key = models.CharField(max_length=300, blank=True)
    bundle_size = models.PositiveBigIntegerField(null=True, blank=True)
    bundle_sha256 = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    bundle_deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {PrivacyRequestStatus.SUCCEEDED, PrivacyRequestStatus.FAILED}


class PseudonymSecret(models.Model):
    """The tenant's HMAC secret for pseudonyms (one row), stored encrypted under its data key, so a
    database copy alone cannot test guesses and offboarding (crypto-shredding) destroys it too."""

    encrypted_secret = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:  # never the secret
        return f"pseudonym secret of {self.created_at:%Y-%m-%d}"
