"""What the leads app knows about a person: the lead, its scores, activity, notes and follow-ups."""

from __future__ import annotations

from django.db.models import Q

from crm_saas.privacy.registry import PrivacyProvider, RecordSet, Subject, email_q, register
from leads.models import FollowUp, Lead, LeadActivity, LeadNote, LeadScore


class LeadsProvider(PrivacyProvider):
    name = "leads"
    label = "Leads"

    def link(self, subject: Subject) -> Subject:
        leads = Lead.objects.filter(Q(pk__in=subject.lead_ids) | email_q("email", subject.emails))
        rows = list(leads.values_list("pk", "email"))
        return subject.merge(lead_ids=[pk for pk, _ in rows], emails=[email for _, email in rows])

    def record_sets(self, subject: Subject) -> list[RecordSet]:
        lead_ids = sorted(subject.lead_ids)
        return [
            RecordSet(LeadScore.objects.filter(lead_id__in=lead_ids)),
            RecordSet(LeadActivity.objects.filter(lead_id__in=lead_ids)),
            RecordSet(LeadNote.objects.filter(lead_id__in=lead_ids)),
            RecordSet(
                FollowUp.objects.filter(Q(lead_id__in=lead_ids) | Q(customer_id__in=sorted(subject.customer_ids)))
            ),
            RecordSet(Lead.objects.filter(pk__in=lead_ids)),
        ]


register(LeadsProvider())
