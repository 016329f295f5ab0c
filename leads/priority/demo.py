"""Inquiry messages for the demo workspace's generated leads, so the triage inbox is alive and the
text model has a closed history to learn from (wording from the generator's ``train`` family)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from leads.models import Lead
from leads.priority.analysis import text_analyse
from leads.priority.generator import CHANNELS, WORDING, inquiry_text
from leads.priority.models import LeadMessage, MessageDirection
from leads.priority.service import message_analysis_apply, signal_set


def demo_messages_generate(rng: random.Random, plans: list[tuple[Lead, float, datetime, datetime]]) -> int:
    """For about 70 % of ``plans`` (lead, hidden interest, start, end), one or two inquiries written
    between start and end; 2 % are spam. Returns how many messages were created."""
    signals = signal_set()
    messages = []
    for lead, interest, start, end in plans:
        if rng.random() > 0.7:
            continue
        span = max(60.0, (end - start).total_seconds())
        for _ in range(rng.choice([1, 1, 2])):
            if rng.random() < 0.02:
                text = rng.choice(WORDING["train"]["spam"])
            else:
                text, _statements = inquiry_text(rng, intent=interest, family="train")
            channel = rng.choices([name for name, _ in CHANNELS], weights=[weight for _, weight in CHANNELS])[0]
            message = LeadMessage(
                lead=lead,
                channel=channel,
                direction=MessageDirection.INBOUND,
                body=text,
                sender=lead.email if channel == "email" else "",
                occurred_at=start + timedelta(seconds=rng.random() * span),
            )
            message_analysis_apply(message, text_analyse(text, signals))
            messages.append(message)
    LeadMessage.objects.bulk_create(messages, batch_size=2000)
    return len(messages)
