"""A person with data in every provider: a lead and the customer it became (same e-mail), their
scores, activity, notes, follow-ups, lifecycle history, a voice note with real audio, a spoken
command naming them, and audit events about them. Plus a bystander who must stay untouched."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from crm_saas.testing.world import TenantWorld
from leads.models import FollowUp, Lead, LeadActivity, LeadNote, LeadScore
from leads.services import lead_create
from lifecycle.models import ChurnPrediction, Customer, LifecycleEvent, NextAction, StageChange
from tests.surface import ADMIN, REP
from voice.models import VoiceCommand, VoiceCommandStatus, VoiceLog
from voice.services.logs import voice_log_audio, voice_log_create
from voice.tests.samples import spoken_wav

EMAIL = "jane.doe@example.com"


@dataclass
class Person:
    lead: Lead
    customer: Customer
    voice_log: VoiceLog
    command: VoiceCommand
    audio: bytes
    bystander: Lead


def person_build(world: TenantWorld, *, email: str = EMAIL) -> Person:
    """Inside ``world.active()``."""
    rep = world.users[REP]
    now = timezone.now()
    lead = lead_create(actor=rep, data={"name": "Jane Doe", "company": "Doe Ltd", "email": email})
    LeadActivity.objects.create(lead=lead, kind="visit", occurred_at=now)
    LeadScore.objects.create(lead=lead, score=71, band="B", scored_at=now)
    LeadNote.objects.create(lead=lead, author=rep, text="Jane asked about pricing")
    FollowUp.objects.create(lead=lead, assignee=rep, title="Call Jane", due_at=now + timedelta(days=1))
    customer = Customer.objects.create(name="Jane Doe", email=email.upper(), lead=lead, plan="Team")
    LifecycleEvent.objects.create(customer=customer, kind="signup", occurred_at=now)
    StageChange.objects.create(customer=customer, stage="new", reason="Signed up", changed_at=now)
    ChurnPrediction.objects.create(customer=customer, risk=0.4, band="medium", as_of=now)
    NextAction.objects.create(customer=customer, code="check_in", title="Check in", rationale="New")
    FollowUp.objects.create(customer=customer, assignee=rep, title="Onboard Jane", due_at=now + timedelta(days=2))
    audio = spoken_wav()
    upload = io.BytesIO(audio)
    upload.name = "note.wav"
    voice_log = voice_log_create(actor=rep, upload=upload, lead_id=lead.pk)
    voice_log_audio(user=world.users[ADMIN], log_id=voice_log.id)  # a playback: an audit event about her
    command = VoiceCommand.objects.create(
        speaker=rep, text="call jane doe tomorrow", status=VoiceCommandStatus.ANSWERED, lead=lead
    )
    bystander = lead_create(actor=rep, data={"name": "Bob Other", "email": "bob@example.com"})
    return Person(lead, customer, voice_log, command, audio, bystander)
