"""Customer and event services: validation, status from cancellation/reactivation, lead conversion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm_saas.errors import ConflictError, DomainError, PermissionDeniedError
from leads.models import Lead
from leads.services import lead_create, lead_update
from lifecycle.models import Customer, EventKind, LifecycleEvent
from lifecycle.services import customer_from_lead, customer_update, lifecycle_event_add
from lifecycle.tests.factories import make_customer
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.django_db


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def test_a_new_customer_has_its_signup_event(alpha) -> None:
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP], email="Casey@Example.TEST", mrr="99.5", plan="Team")
        assert (customer.email, customer.mrr, customer.owner, customer.status) == (
            "casey@example.test",
            customer.mrr,
            alpha.users[REP],
            "active",
        )
        assert str(customer.mrr) == "99.50"
        assert list(customer.events.values_list("kind", flat=True)) == ["signup"]
        assert customer.last_event_at == customer.signed_up_at


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "company": ""}, "name"),
        ({"email": "nope"}, "email"),
        ({"mrr": "-1"}, "mrr"),
        ({"status": "churned"}, None),
        ({"signed_up_at": timezone.now() + timedelta(days=3)}, "signed_up_at"),
    ],
)
def test_bad_customers_are_refused(alpha, data, field) -> None:
    with alpha.active(), pytest.raises(DomainError) as error:
        make_customer(actor=alpha.users[REP], **data)
    assert error.value.field == field


def test_external_ids_are_unique_and_reps_keep_customers_for_themselves(alpha) -> None:
    with alpha.active():
        first = make_customer(actor=alpha.users[REP], external_id="C-1")
        with pytest.raises(ConflictError):
            make_customer(actor=alpha.users[REP], external_id="C-1")
        with pytest.raises(PermissionDeniedError):
            customer_update(customer=first, actor=alpha.users[REP], data={"owner": alpha.users[MANAGER]})
        moved = customer_update(customer=first, actor=alpha.users[MANAGER], data={"owner": alpha.users[MANAGER]})
        assert moved.owner == alpha.users[MANAGER]


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"kind": "login", "occurred_at": timezone.now() + timedelta(days=1)}, "occurred_at"),
        ({"kind": "login", "severity": "urgent"}, "severity"),
        ({"kind": "ticket_opened", "severity": "catastrophic"}, "severity"),
        ({"kind": "nps", "score": 11}, "score"),
        ({"kind": "nps", "score": -1}, "score"),
        ({"kind": "nps"}, "score"),
        ({"kind": "login", "score": 5}, "score"),
        ({"kind": "purchase", "amount": "-5"}, "amount"),
        ({"kind": "usage", "quantity": -2}, "quantity"),
    ],
)
def test_bad_events_are_refused_with_the_field_named(alpha, event, field) -> None:
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP])
        with pytest.raises(DomainError) as error:
            lifecycle_event_add(customer=customer, **event)
        assert error.value.field == field
        assert customer.events.count() == 1


def test_the_database_holds_the_invariants_too(alpha) -> None:
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP])
        for values in (
            {"kind": "nps", "score": 12},
            {"kind": "purchase", "amount": -1},
            {"kind": "login", "severity": "low"},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                LifecycleEvent.objects.create(customer=customer, occurred_at=timezone.now(), **values)
        with pytest.raises(IntegrityError), transaction.atomic():
            Customer.objects.filter(pk=customer.pk).update(status="churned")


def test_status_follows_the_latest_cancellation_or_reactivation_even_out_of_order(alpha) -> None:
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP], days_ago=300)
        cancelled = days_ago(60)
        lifecycle_event_add(customer=customer, kind=EventKind.CANCELLATION, occurred_at=cancelled)
        assert (customer.status, customer.churned_at) == ("churned", cancelled)

        lifecycle_event_add(customer=customer, kind=EventKind.REACTIVATION, occurred_at=days_ago(10))
        assert (customer.status, customer.churned_at) == ("active", None)

        # An older cancellation, imported late, does not undo the later reactivation.
        lifecycle_event_add(customer=customer, kind=EventKind.CANCELLATION, occurred_at=days_ago(100))
        assert customer.status == "active"

        lifecycle_event_add(customer=customer, kind=EventKind.CANCELLATION, occurred_at=days_ago(1))
        customer.refresh_from_db()
        assert customer.status == "churned" and customer.last_event_at > days_ago(2)

        ticket = lifecycle_event_add(customer=customer, kind="ticket_opened", severity="urgent", note="Down")
        assert ticket.severity == "urgent"
        nps = lifecycle_event_add(customer=customer, kind="nps", score=0)
        assert nps.score == 0


def test_converting_a_lead_creates_its_customer_once(alpha) -> None:
    with alpha.active():
        rep = alpha.users[REP]
        lead = lead_create(actor=rep, data={"name": "Lee Lead", "company": "Leadco", "email": "lee@leadco.test"})
        assert not Customer.objects.exists()
        lead = lead_update(lead=lead, actor=rep, data={"status": "converted"})
        customer = Customer.objects.get(lead=lead)
        assert (customer.name, customer.company, customer.email, customer.owner) == (
            "Lee Lead",
            "Leadco",
            "lee@leadco.test",
            rep,
        )
        signup = customer.events.get()
        assert (signup.kind, signup.occurred_at) == ("signup", lead.converted_at)

        # Idempotent: converting again (or calling the service directly) returns the same customer.
        lead_update(lead=lead, actor=rep, data={"status": "qualified"})
        lead_update(lead=lead, actor=rep, data={"status": "converted"})
        assert customer_from_lead(lead=Lead.objects.get(pk=lead.pk), actor=rep) == customer
        assert Customer.objects.count() == 1 and LifecycleEvent.objects.count() == 1


def test_a_converted_lead_links_an_existing_customer_by_email_or_external_id(alpha) -> None:
    with alpha.active():
        rep = alpha.users[REP]
        by_email = make_customer(actor=rep, email="known@example.test")
        by_id = make_customer(actor=rep, external_id="ACC-9", name="Known by id")
        first = lead_create(actor=rep, data={"name": "K", "email": "KNOWN@example.test", "status": "converted"})
        second = lead_create(actor=rep, data={"name": "J", "external_id": "ACC-9", "status": "converted"})
        assert Customer.objects.get(lead=first) == by_email
        assert Customer.objects.get(lead=second) == by_id
        assert Customer.objects.count() == 2

        with pytest.raises(DomainError):
            customer_from_lead(lead=lead_create(actor=rep, data={"name": "Open"}), actor=rep)


def test_a_converted_leads_page_links_to_its_customer_for_those_who_may_open_it(alpha) -> None:
    with alpha.active():
        rep = alpha.users[REP]
        lead = lead_create(actor=rep, data={"name": "Lia Link", "company": "Linkco"})
        page = f"/leads/{lead.pk}/"
        assert "Converted into a customer" not in alpha.web(REP).get(page).content.decode()
        lead_update(lead=lead, actor=rep, data={"status": "converted"})
        customer = Customer.objects.get(lead=lead)
    html = alpha.web(REP).get(page).content.decode()
    assert f'href="/customers/{customer.pk}/"' in html and "Converted into a customer" in html
    with alpha.active():
        Customer.objects.filter(pk=customer.pk).update(owner=alpha.users[MANAGER])
    # The rep still sees the lead, but the customer is now someone else's: no link to a 404.
    assert "Converted into a customer" not in alpha.web(REP).get(page).content.decode()
