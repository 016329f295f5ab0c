"""What the lifecycle app knows about a person: the customer account and its whole history."""

from __future__ import annotations

from django.db.models import Q

from crm_saas.privacy.registry import PrivacyProvider, RecordSet, Subject, email_q, register
from lifecycle.models import ChurnPrediction, Customer, LifecycleEvent, NextAction, StageChange


class LifecycleProvider(PrivacyProvider):
    name = "lifecycle"
    label = "Customers"

    def link(self, subject: Subject) -> Subject:
        # A customer is the same person as the lead it came from.
        customers = Customer.objects.filter(
            Q(pk__in=subject.customer_ids) | Q(lead_id__in=subject.lead_ids) | email_q("email", subject.emails)
        )
        rows = list(customers.values_list("pk", "email", "lead_id"))
        return subject.merge(
            customer_ids=[pk for pk, _, _ in rows],
            emails=[email for _, email, _ in rows],
            lead_ids=[lead_id for _, _, lead_id in rows],
        )

    def record_sets(self, subject: Subject) -> list[RecordSet]:
        ids = sorted(subject.customer_ids)
        return [
            RecordSet(NextAction.objects.filter(customer_id__in=ids)),
            RecordSet(ChurnPrediction.objects.filter(customer_id__in=ids)),
            RecordSet(StageChange.objects.filter(customer_id__in=ids)),
            RecordSet(LifecycleEvent.objects.filter(customer_id__in=ids)),
            RecordSet(Customer.objects.filter(pk__in=ids)),
        ]


register(LifecycleProvider())
