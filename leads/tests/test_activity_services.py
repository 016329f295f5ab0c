"""Notes and follow-ups as services: validation, defaults, who may assign and change, lead_assign."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from crm_saas.errors import DomainError, PermissionDeniedError
from crm_saas.roles import Role
from leads.models import FollowUp, LeadNote
from leads.selectors import follow_up_agenda, follow_ups_for_user, lead_notes_for
from leads.services import (
    follow_up_complete,
    follow_up_reopen,
    follow_up_schedule,
    lead_assign,
    lead_create,
    lead_note_add,
)
from tenants.accounts.services import user_create, user_deactivate
from tests.surface import ADMIN, MANAGER, REP, VIEWER

pytestmark = pytest.mark.django_db


def _soon(**delta: float) -> datetime:
    return timezone.now() + timedelta(**(delta or {"days": 1}))


@pytest.fixture
def world(alpha):
    with alpha.active():
        yield alpha


@pytest.fixture
def rep_lead(world):
    return lead_create(actor=world.users[REP], data={"name": "John Smith", "company": "ABC Corp"})


# --- notes ----------------------------------------------------------------------------------------


def test_a_note_is_stripped_and_kept_with_its_author(world, rep_lead) -> None:
    note = lead_note_add(lead=rep_lead, author=world.users[REP], text="  They want a demo in March.\n ")
    assert (note.text, note.source, note.author) == ("They want a demo in March.", "typed", world.users[REP])
    assert list(lead_notes_for(rep_lead)) == [note]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write something in the note."),
        ("   \n\t", "Write something in the note."),
        ("x" * 5001, "A note is at most 5000 characters; this one has 5001."),
    ],
)
def test_empty_and_overlong_notes_are_refused(world, rep_lead, text: str, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        lead_note_add(lead=rep_lead, author=world.users[REP], text=text)
    assert (caught.value.field, caught.value.message) == ("text", message)
    assert not LeadNote.objects.exists()


def test_a_note_of_exactly_the_limit_is_kept(world, rep_lead) -> None:
    assert len(lead_note_add(lead=rep_lead, author=world.users[REP], text="y" * 5000).text) == 5000


def test_a_note_source_must_be_known(world, rep_lead) -> None:
    with pytest.raises(DomainError) as caught:
        lead_note_add(lead=rep_lead, author=world.users[REP], text="hi", source="fax")
    assert caught.value.field == "source"
    spoken = lead_note_add(lead=rep_lead, author=world.users[REP], text="hi", source="voice")
    assert spoken.source == "voice"


# --- scheduling follow-ups ------------------------------------------------------------------------


def test_defaults_assign_the_owner_and_title_from_kind_and_lead(world, rep_lead) -> None:
    follow_up = follow_up_schedule(lead=rep_lead, actor=world.users[MANAGER], due_at=_soon(), kind="call")
    assert follow_up.assignee == world.users[REP]  # the lead's owner, not the manager who scheduled it
    assert follow_up.created_by == world.users[MANAGER]
    assert follow_up.title == "Call John Smith"
    assert follow_up.done_at is None
    assert (
        follow_up_schedule(lead=rep_lead, actor=world.users[REP], due_at=_soon()).title == "Follow up with John Smith"
    )
    titled = follow_up_schedule(lead=rep_lead, actor=world.users[REP], due_at=_soon(), title="  Send   pricing ")
    assert titled.title == "Send pricing"


def test_an_unowned_lead_gives_the_follow_up_to_the_actor(world) -> None:
    lead = lead_create(actor=world.users[MANAGER], data={"company": "Nobody's", "owner": None})
    follow_up = follow_up_schedule(lead=lead, actor=world.users[MANAGER], due_at=_soon(), kind="demo")
    assert (follow_up.assignee, follow_up.title) == (world.users[MANAGER], "Demo for Nobody's")


def test_a_rep_scheduling_on_a_lead_owned_by_someone_else_gets_it_themselves(world) -> None:
    other = user_create(email="rep2@alpha.test", role=Role.SALES_REP, password="Another-rep-pass-1")
    lead = lead_create(actor=world.users[REP], data={"company": "Handed over", "owner": world.users[REP]})
    lead_assign(lead=lead, actor=world.users[MANAGER], assignee=other)
    lead.refresh_from_db()
    follow_up = follow_up_schedule(lead=lead, actor=world.users[REP], due_at=_soon())  # rep created it: still sees it
    assert follow_up.assignee == world.users[REP]


@pytest.mark.parametrize(
    ("due_at", "message"),
    [
        (None, "Give a due date and time."),
        (datetime(2030, 3, 1, 15, 0), "Give the due time with its time zone, e.g. 2026-03-10T15:00:00+01:00."),
        (timezone.now() - timedelta(minutes=6), "The due time is in the past."),
    ],
)
def test_due_times_must_be_aware_and_not_in_the_past(world, rep_lead, due_at, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        follow_up_schedule(lead=rep_lead, actor=world.users[REP], due_at=due_at)
    assert (caught.value.field, caught.value.message) == ("due_at", message)


def test_a_due_time_a_few_minutes_ago_is_fine(world, rep_lead) -> None:
    follow_up = follow_up_schedule(lead=rep_lead, actor=world.users[REP], due_at=timezone.now() - timedelta(minutes=4))
    assert follow_up.is_overdue


def test_unknown_kinds_and_long_titles_are_refused(world, rep_lead) -> None:
    with pytest.raises(DomainError) as caught:
        follow_up_schedule(lead=rep_lead, actor=world.users[REP], due_at=_soon(), kind="fax")
    assert caught.value.field == "kind"
    with pytest.raises(DomainError) as caught:
        follow_up_schedule(lead=rep_lead, actor=world.users[REP], due_at=_soon(), title="t" * 201)
    assert (caught.value.field, caught.value.message) == ("title", "A title is at most 200 characters.")
    assert not FollowUp.objects.exists()


def test_a_rep_may_only_give_follow_ups_to_themselves(world, rep_lead) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        follow_up_schedule(lead=rep_lead, actor=world.users[REP], due_at=_soon(), assignee=world.users[MANAGER])
    assert caught.value.field == "assignee"
    assert caught.value.message == "Only managers and admins can give follow-ups to someone else."
    mine = follow_up_schedule(lead=rep_lead, actor=world.users[REP], due_at=_soon(), assignee=world.users[REP])
    assert mine.assignee == world.users[REP]


def test_managers_assign_anyone_who_can_work_the_lead(world, rep_lead) -> None:
    manager = world.users[MANAGER]
    given = follow_up_schedule(lead=rep_lead, actor=manager, due_at=_soon(), assignee=world.users[ADMIN])
    assert given.assignee == world.users[ADMIN]

    with pytest.raises(DomainError) as caught:
        follow_up_schedule(lead=rep_lead, actor=manager, due_at=_soon(), assignee=world.users[VIEWER])
    assert caught.value.message == "Alpha viewer is a viewer and cannot work on leads."

    stranger = user_create(email="rep3@alpha.test", role=Role.SALES_REP, password="Another-rep-pass-1")
    with pytest.raises(DomainError) as caught:
        follow_up_schedule(lead=rep_lead, actor=manager, due_at=_soon(), assignee=stranger)
    assert caught.value.message == "rep3@alpha.test cannot see this lead; assign the lead to them first."

    user_deactivate(user=stranger, actor=world.users[ADMIN])
    stranger.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        follow_up_schedule(lead=rep_lead, actor=manager, due_at=_soon(), assignee=stranger)
    assert (caught.value.field, caught.value.message) == ("assignee", "rep3@alpha.test is not an active user.")


# --- completing and reopening ---------------------------------------------------------------------


def test_complete_and_reopen(world, rep_lead) -> None:
    follow_up = follow_up_schedule(lead=rep_lead, actor=world.users[REP], due_at=_soon())
    done = follow_up_complete(follow_up=follow_up, actor=world.users[REP])
    first_done_at = done.done_at
    assert first_done_at is not None
    again = follow_up_complete(follow_up=follow_up, actor=world.users[REP])
    assert again.done_at == first_done_at  # completing twice keeps the first time
    reopened = follow_up_reopen(follow_up=follow_up, actor=world.users[MANAGER])
    assert reopened.done_at is None
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_another_rep_cannot_complete_a_follow_up_not_theirs(world) -> None:
    other = user_create(email="rep4@alpha.test", role=Role.SALES_REP, password="Another-rep-pass-1")
    lead = lead_create(actor=other, data={"company": "Theirs"})
    follow_up = follow_up_schedule(lead=lead, actor=other, due_at=_soon())
    with pytest.raises(PermissionDeniedError):
        follow_up_complete(follow_up=follow_up, actor=world.users[REP])
    with pytest.raises(PermissionDeniedError):
        follow_up_complete(follow_up=follow_up, actor=world.users[VIEWER])
    assert follow_up_complete(follow_up=follow_up, actor=world.users[ADMIN]).done_at is not None


# --- lead_assign ----------------------------------------------------------------------------------


def test_lead_assign_follows_the_owner_rules(world, rep_lead) -> None:
    other = user_create(email="rep5@alpha.test", role=Role.SALES_REP, password="Another-rep-pass-1")
    with pytest.raises(PermissionDeniedError) as caught:
        lead_assign(lead=rep_lead, actor=world.users[REP], assignee=other)
    assert caught.value.field == "owner"
    assert lead_assign(lead=rep_lead, actor=world.users[REP], assignee=world.users[REP]).owner == world.users[REP]
    assert lead_assign(lead=rep_lead, actor=world.users[MANAGER], assignee=other).owner == other
    user_deactivate(user=other, actor=world.users[ADMIN])
    other.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        lead_assign(lead=rep_lead, actor=world.users[MANAGER], assignee=other)
    assert caught.value.message == "The owner must be an active user."


# --- selectors ------------------------------------------------------------------------------------


def test_follow_ups_for_user_and_the_agenda(world, rep_lead) -> None:
    rep, manager = world.users[REP], world.users[MANAGER]
    now = timezone.now()
    overdue = follow_up_schedule(lead=rep_lead, actor=rep, due_at=now - timedelta(minutes=3), title="Late")
    later = follow_up_schedule(lead=rep_lead, actor=rep, due_at=now + timedelta(days=3), title="Later")
    done = follow_up_schedule(lead=rep_lead, actor=rep, due_at=now + timedelta(days=2), title="Done")
    follow_up_complete(follow_up=done, actor=rep)
    managers = follow_up_schedule(lead=rep_lead, actor=manager, due_at=now + timedelta(days=1), assignee=manager)

    assert list(follow_ups_for_user(user=rep)) == [overdue, later]
    assert list(follow_ups_for_user(user=rep, status="done")) == [done]
    assert list(follow_ups_for_user(user=rep, include_done=True)) == [overdue, later, done]
    assert list(follow_ups_for_user(user=manager)) == [managers]
    assert list(follow_ups_for_user(user=manager, everyone=True)) == [overdue, managers, later]
    with pytest.raises(PermissionDeniedError):
        follow_ups_for_user(user=rep, everyone=True)

    agenda = follow_up_agenda(user=rep, now=now)
    assert (agenda.overdue, agenda.upcoming) == ([overdue], [later])
    assert not follow_up_agenda(user=world.users[ADMIN])
