"""Privacy services: a person's data export (``exports``) and erasure (``erasure``)."""

from crm_saas.privacy.services.erasure import privacy_erasure_request, privacy_erasure_run
from crm_saas.privacy.services.exports import (
    privacy_export_download,
    privacy_export_request,
    privacy_export_run,
    privacy_exports_purge_expired,
)
from crm_saas.privacy.services.search import PersonMatch, privacy_subject_search

__all__ = [
    "PersonMatch",
    "privacy_erasure_request",
    "privacy_erasure_run",
    "privacy_export_download",
    "privacy_export_request",
    "privacy_export_run",
    "privacy_exports_purge_expired",
    "privacy_subject_search",
]
