"""A small tenant as the parser sees it: leads (two of them both "Acme"), users, a fixed clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from voice.commands.parser import CommandContext, LeadRef, UserRef

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
# A Tuesday, 10:00 local time.
NOW_BERLIN = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo(BERLIN))
NOW_NEW_YORK = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo(NEW_YORK))

LEADS = [
    LeadRef(12, "", "Acme Ltd", "12"),
    LeadRef(40, "", "Acme Inc", "40"),
    LeadRef(7, "", "ABC Corp", "7"),
    LeadRef(42, "John Smith", "Globex", "42"),
    LeadRef(55, "", "Initech", "INI-55"),
    LeadRef(8, "Jane Doe", "Umbrella GmbH", "8"),
    LeadRef(9, "", "Hooli", "9"),
    LeadRef(31, "Maria Garcia", "Stark Industries", "31"),
    LeadRef(63, "", "Wayne Enterprises LLC", "63"),
    LeadRef(77, "", "Five Guys", "77"),
]
USERS = [
    UserRef(1, "Sarah Connor", "sarah@crm.test"),
    UserRef(2, "Tom Baker", "tom.baker@crm.test"),
    UserRef(3, "Priya Patel", "priya@crm.test"),
]
SPEAKER_ID = 3


def context_make(**overrides) -> CommandContext:
    values = {"leads": LEADS, "users": USERS, "speaker_id": SPEAKER_ID, **overrides}
    return CommandContext(**values)


@pytest.fixture
def context() -> CommandContext:
    return context_make()
