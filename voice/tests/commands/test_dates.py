"""Follow-up dates and query windows in the tenant's time zone, with a fixed clock.

Now is Tuesday 24 November 2026, 10:00 local time. "morning" means 09:00, "afternoon" 14:00; a day
without a time is due at 09:00; a bare hour from 1 to 6 is in the afternoon.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from voice.commands.dates import follow_up_find, follow_up_when, window_find
from voice.commands.parser import command_parse
from voice.tests.commands.conftest import BERLIN, NEW_YORK, NOW_BERLIN, NOW_NEW_YORK, context_make

CASES = [
    ("next tuesday at 3pm", "2026-12-01T15:00:00"),
    ("tomorrow at 10", "2026-11-25T10:00:00"),
    ("friday morning", "2026-11-27T09:00:00"),
    ("in two weeks", "2026-12-08T09:00:00"),
    ("friday at 9", "2026-11-27T09:00:00"),  # dateparser alone reads "friday at 9" as September
    ("tomorrow at ten thirty am", "2026-11-25T10:30:00"),
    ("at three thirty pm tomorrow", "2026-11-25T15:30:00"),
    ("on friday at 4", "2026-11-27T16:00:00"),
    ("tomorrow afternoon", "2026-11-25T14:00:00"),
    ("this coming friday afternoon", "2026-11-27T14:00:00"),
    ("the day after tomorrow", "2026-11-26T09:00:00"),
    ("monday next week", "2026-11-30T09:00:00"),
    ("a week from friday", "2026-12-04T09:00:00"),
    ("end of the week", "2026-11-27T09:00:00"),
    ("on the 5th", "2026-12-05T09:00:00"),
    ("on december third at 2pm", "2026-12-03T14:00:00"),
    ("tonight", "2026-11-24T19:00:00"),
    ("in an hour", "2026-11-24T11:00:00"),
    ("in a couple of days", "2026-11-26T09:00:00"),
    ("at noon on friday", "2026-11-27T12:00:00"),
    ("the day after tomorrow at noon", "2026-11-26T12:00:00"),
    ("friday around noon", "2026-11-27T12:00:00"),
    ("tomorrow at midday", "2026-11-25T12:00:00"),
    ("tomorrow by end of day", "2026-11-25T17:00:00"),
    ("friday around lunchtime", "2026-11-27T12:00:00"),
]


@pytest.mark.parametrize(("phrase", "wall"), CASES)
@pytest.mark.parametrize(
    ("now", "zone", "offset"), [(NOW_BERLIN, BERLIN, "+01:00"), (NOW_NEW_YORK, NEW_YORK, "-05:00")]
)
def test_follow_up_dates_in_the_tenant_zone(phrase, wall, now, zone, offset):
    assert follow_up_when(phrase, now=now, timezone=zone).isoformat() == wall + offset


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [(NOW_BERLIN, BERLIN, "2026-12-01T15:00:00+01:00"), (NOW_NEW_YORK, NEW_YORK, "2026-12-01T15:00:00-05:00")],
)
def test_the_parser_puts_the_date_in_the_action(now, zone, expected):
    action = command_parse(
        "remind me to call john smith next tuesday at 3pm", now=now, timezone=zone, context=context_make()
    )
    assert action.entities["due_at"] == expected
    assert action.reply == "Schedule a call with John Smith, Globex (#42) on Tuesday 1 December 2026 at 15:00?"


def test_now_in_another_zone_is_read_in_the_tenant_zone():
    # 03:00 UTC on the 25th is still 22:00 on the 24th in New York: "tomorrow" is the 25th there.
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert follow_up_when("tomorrow at 10", now=now, timezone=NEW_YORK).isoformat() == "2026-11-25T10:00:00-05:00"
    assert follow_up_when("tomorrow at 10", now=now, timezone=BERLIN).isoformat() == "2026-11-26T10:00:00+01:00"


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        (datetime(2026, 3, 27, 10, 0, tzinfo=ZoneInfo(BERLIN)), BERLIN, "2026-04-10T09:00:00+02:00"),
        (datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo(NEW_YORK)), NEW_YORK, "2026-03-15T09:00:00-04:00"),
    ],
)
def test_a_dst_change_gets_the_new_offset(now, zone, expected):
    """dateparser keeps the offset of `now` across a DST change; the wall clock is kept instead."""
    assert follow_up_when("in two weeks", now=now, timezone=zone).isoformat() == expected


def test_next_weekday_is_the_next_occurrence():
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo(BERLIN))
    assert follow_up_when("next tuesday", now=monday, timezone=BERLIN).isoformat() == "2026-11-24T09:00:00+01:00"


def test_the_date_span_is_found_and_cut_from_the_sentence():
    span = follow_up_find("schedule a follow up with abc corp on friday morning", now=NOW_BERLIN, timezone=BERLIN)
    assert span.text == "on friday morning"
    assert follow_up_find("call lead forty two", now=NOW_BERLIN, timezone=BERLIN) is None


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("call hooli the day after tomorrow at noon", "the day after tomorrow at noon"),
        ("call hooli tomorrow around midday", "tomorrow around midday"),
        ("call hooli friday by end of day", "friday by end of day"),
    ],
)
def test_the_whole_date_phrase_is_found_with_its_time_of_day(sentence, phrase):
    """A time of day after the day ("at noon") is part of the date, not left in the lead's words."""
    assert follow_up_find(sentence, now=NOW_BERLIN, timezone=BERLIN).text == phrase


def test_month_words_inside_names_are_not_dates():
    # "may" alone is a verb, not a month; only "may 5" or "5 may" would be a date.
    action = command_parse("remind me to call may tomorrow", now=NOW_BERLIN, timezone=BERLIN, context=context_make())
    assert action.entities["due_at"] == "2026-11-25T09:00:00+01:00"
    assert action.entities["lead_query"] == "may"


@pytest.mark.parametrize(
    ("text", "after", "before"),
    [
        ("leads from today", "2026-11-24T00:00:00", None),
        ("leads this week", "2026-11-23T00:00:00", None),
        ("leads yesterday", "2026-11-23T00:00:00", "2026-11-24T00:00:00"),
        ("leads last week", "2026-11-16T00:00:00", "2026-11-23T00:00:00"),
        ("leads in the last 7 days", "2026-11-17T00:00:00", None),
        ("leads past two weeks", "2026-11-10T00:00:00", None),
        ("leads since monday", "2026-11-23T00:00:00", None),
    ],
)
def test_query_windows_start_at_local_midnight(text, after, before):
    for now, zone, offset in [(NOW_BERLIN, BERLIN, "+01:00"), (NOW_NEW_YORK, NEW_YORK, "-05:00")]:
        _, created_after, created_before = window_find(text, now=now, timezone=zone)
        assert created_after == after + offset
        assert created_before == (before + offset if before else None)


def test_this_month_uses_the_offset_of_its_first_day():
    # 1 November 2026 00:00 in New York is still daylight time (the change is at 02:00).
    _, created_after, _ = window_find("leads this month", now=NOW_NEW_YORK, timezone=NEW_YORK)
    assert created_after == "2026-11-01T00:00:00-04:00"


def test_unreadable_date_words_leave_due_at_missing():
    action = command_parse("follow up with hooli", now=NOW_BERLIN, timezone=BERLIN, context=context_make())
    assert action.missing == ["due_at"]
    assert action.reply.startswith("When should I follow up with Hooli (#9)?")
