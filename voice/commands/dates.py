"""Dates in commands: when a follow-up is due, and which creation window a query means.

Follow-ups use dateparser (PREFER_DATES_FROM=future, RELATIVE_BASE=now in the tenant timezone,
TIMEZONE, RETURN_AS_TIMEZONE_AWARE), after finding the date words in the sentence with our own
pattern (dateparser's search_dates also takes words like "may" or "second" inside notes and lead
names) and rewriting the phrases dateparser 1.5 gets wrong:

- number words -> digits ("at three thirty pm" -> "at 3:30pm", "in two weeks" -> "in 2 weeks");
- a bare hour after "at" ("friday at 9" reads as September; "at 10" sometimes works) -> "at 09:00";
  hours 1-6 without am/pm mean the afternoon (business hours: "call them at 3" is 15:00);
- parts of the day are ours, not dateparser's: morning 09:00, noon 12:00, afternoon 14:00,
  evening 18:00, tonight 19:00, end of day 17:00;
- a day without a time ("friday", "tomorrow", "in two weeks") is due at DEFAULT_HOUR (09:00), not
  midnight nor the current clock time;
- "coming"/"this" before a weekday, "day after tomorrow", "end of the week", "<weekday> next week",
  "a week from friday", "the 5th" are rewritten or computed directly.

"next <weekday>" follows dateparser: the first such weekday after today (on a Tuesday, "next
Tuesday" is in 7 days; on a Monday, "next Tuesday" is tomorrow). The confirmation reply states the
exact date so the speaker can correct it.

dateparser returns relative dates with the offset of `now` even across a DST change; we keep its
wall-clock time and attach the tenant's zone again, so "in two weeks" from 27 March in Berlin is
10 April 09:00+02:00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from voice.commands.normalize import numbers_to_digits

DEFAULT_HOUR = 9
PART_OF_DAY_HOURS = {
    "first thing": 8,
    "morning": 9,
    "noon": 12,
    "midday": 12,
    "lunchtime": 12,
    "lunch": 12,
    "afternoon": 14,
    "end of day": 17,
    "end of the day": 17,
    "eod": 17,
    "evening": 18,
    "tonight": 19,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip

_HOUR_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_MINUTE_WORD = r"(?:oh\s+five|fifteen|thirty|forty\s+five|forty|fifty|twenty|ten|o'clock)"
_NUM = r"(?:\d+|a|an|a\s+couple\s+of|a\s+few|couple\s+of|few|one|two|three|four|five|six|seven|eight|nine|ten)"
_AMPM = r"(?:\s*(?:am|pm|a\.m\.?|p\.m\.?|o'clock))"
_CLOCK = rf"(?:\d{{1,2}}(?:[:\s]\d{{2}}(?!\d))?|{_HOUR_WORD}(?:\s+{_MINUTE_WORD})?)"
_TIME = rf"(?:(?:at|around|by|@)\s+(?:{_CLOCK}{_AMPM}?|noon|midday|midnight)|{_CLOCK}{_AMPM}|noon|midday|midnight)"
_ORD = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|(?:twenty\s+|thirty\s+)?(?:{'|'.join(ORDINALS)}))"
_ORD_STRICT = rf"(?:\d{{1,2}}(?:st|nd|rd|th)|(?:twenty\s+|thirty\s+)?(?:{'|'.join(ORDINALS)}))"
_MONTH = "(?:" + "|".join(MONTHS) + ")"
_WEEKDAY = "(?:" + "|".join(WEEKDAYS) + ")"
_PART = (
    r"(?:(?:in\s+the\s+)?(?:morning|afternoon|evening)|first\s+thing"
    r"|(?:(?:at|around|by)\s+)?(?:lunch(?:time)?|end\s+of(?:\s+the)?\s+day))"
)
_DAY = (
    rf"(?:today|tomorrow|tonight|(?:the\s+)?day\s+after\s+tomorrow|later\s+today"
    rf"|(?:(?:next|this|coming|this\s+coming)\s+)?{_WEEKDAY}(?:\s+next\s+week)?"
    rf"|(?:next|this)\s+(?:week|month)|end\s+of(?:\s+the)?\s+(?:week|month)"
    rf"|in\s+{_NUM}\s+(?:minutes?|hours?|days?|weeks?|months?)"
    rf"|{_NUM}\s+(?:days?|weeks?)\s+from\s+(?:now|today|tomorrow|{_WEEKDAY})"
    rf"|(?:the\s+)?{_ORD}\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+(?:the\s+)?{_ORD}|the\s+{_ORD_STRICT})"
)
_WHEN_RE = re.compile(
    rf"(?<![\w'])(?:(?:on|by|for|at|this|next)\s+)?"
    rf"(?:{_DAY}(?:\s+{_PART})?(?:\s+{_TIME})?(?:\s+{_PART})?|{_TIME}(?:\s+(?:on\s+)?{_DAY})?(?:\s+{_PART})?"
    rf"|(?:this|in\s+the)\s+(?:morning|afternoon|evening)(?:\s+{_TIME})?)(?![\w'])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateSpan:
    start: int
    end: int
    text: str
    when: datetime | None  # None when the words look like a date but cannot be read as one


def follow_up_find(text: str, *, now: datetime, timezone: str) -> DateSpan | None:
    """The last date phrase in `text` and the aware datetime it means in the tenant timezone."""
    matches = list(_WHEN_RE.finditer(text))
    if not matches:
        return None
    match = max(matches, key=lambda m: (len(m[0]), m.start()))
    return DateSpan(match.start(), match.end(), match[0], follow_up_when(match[0], now=now, timezone=timezone))


def follow_up_when(phrase: str, *, now: datetime, timezone: str) -> datetime | None:
    """Read one date phrase ("next tuesday at 3pm") as an aware datetime in `timezone`."""
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    phrase = _ordinals_to_digits(phrase.lower())
    phrase = re.sub(r"^(?:on|by|for)\s+", "", phrase.strip())
    part_hour = None
    for words, hour in sorted(PART_OF_DAY_HOURS.items(), key=lambda item: -len(item[0])):
        pattern = rf"(?:in\s+the\s+|(?:at|around|by|@)\s+|this\s+)?\b{words}\b"
        if re.search(pattern, phrase):
            part_hour = hour
            phrase = re.sub(pattern, " today " if words == "tonight" else " ", phrase, count=1)
            break
    phrase = _rewrite(numbers_to_digits(phrase))
    has_clock = bool(re.search(r"\d:\d\d|\d(?:am|pm)\b|\bnoon\b|\bmidnight\b", phrase))
    sub_day = bool(re.search(r"\b(?:minutes?|hours?)\b", phrase))
    direct = _direct_date(phrase, local_now)
    if direct is not None:
        wall = direct
    else:
        settings = {
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "TIMEZONE": timezone,
            "RETURN_AS_TIMEZONE_AWARE": True,
        }
        parsed = dateparser.parse(phrase.strip() or "today", settings=settings, languages=["en"])
        if parsed is None:
            return None
        wall = parsed.replace(tzinfo=None)  # its wall clock; the offset may be stale across DST
    if not has_clock and not sub_day:
        wall = wall.replace(hour=part_hour if part_hour is not None else DEFAULT_HOUR, minute=0, second=0)
    return wall.replace(microsecond=0, tzinfo=zone)


def _rewrite(phrase: str) -> str:
    """Turn spoken forms into ones dateparser reads reliably (see the module docstring)."""
    phrase = re.sub(r"\b(\d{1,2})\s+(\d{2})\b(?!\s*(?:minutes?|hours?|days?|weeks?|months?))", r"\1:\2", phrase)
    phrase = re.sub(r"\b(\d{1,2})\s*o'clock\b", r"\1:00", phrase)
    phrase = re.sub(r"\b(\d{1,2}(?::\d{2})?)\s*a\.?m\.?(?=\s|$)", r"\1am", phrase)
    phrase = re.sub(r"\b(\d{1,2}(?::\d{2})?)\s*p\.?m\.?(?=\s|$)", r"\1pm", phrase)
    phrase = re.sub(r"\b(?:at|around|by|@)\s+(\d{1,2})(?::(\d{2}))?(?![\d:]|am|pm)", _at_hour, phrase)
    phrase = re.sub(r"\bmidday\b", "noon", phrase)
    phrase = re.sub(r"\b(?:this\s+coming|coming|this)\s+(?=" + _WEEKDAY + ")", "", phrase)
    phrase = re.sub(r"\b(?:the\s+)?day\s+after\s+tomorrow\b", "in 2 days", phrase)
    phrase = re.sub(r"\bend\s+of(?:\s+the)?\s+week\b", "friday", phrase)
    phrase = re.sub(r"\blater\s+today\b", "today", phrase)
    phrase = re.sub(r"\b(?:a\s+)?couple\s+of\b", "2", phrase)
    phrase = re.sub(r"\b(?:a\s+)?few\b", "3", phrase)
    phrase = re.sub(r"\bin\s+an?\b", "in 1", phrase)
    phrase = re.sub(r"\b(\d+)\s+(days?|weeks?)\s+from\s+(?:now|today)\b", r"in \1 \2", phrase)
    return re.sub(r"\s+", " ", phrase)


def _at_hour(match: re.Match[str]) -> str:
    hour, minute = int(match[1]), match[2] or "00"
    if 1 <= hour <= 6:
        hour += 12  # "at 3" in a sales day is the afternoon
    return f"at {hour:02d}:{minute}"


def _ordinals_to_digits(phrase: str) -> str:
    def ordinal(match: re.Match[str]) -> str:
        tens = {"twenty": 20, "thirty": 30}.get((match[1] or "").strip(), 0)
        return f"{tens + ORDINALS[match[2]]}th"

    return re.sub(r"\b(twenty\s+|thirty\s+)?(" + "|".join(ORDINALS) + r")\b", ordinal, phrase)


def _direct_date(phrase: str, now: datetime) -> datetime | None:
    """Phrases dateparser 1.5 misreads, computed here.

    "<weekday> next week", "a week from <weekday>|tomorrow", "the 5th", "end of the month".
    """
    clock = re.search(r"\b(\d{1,2}):(\d{2})\b|\b(\d{1,2})(am|pm)\b", phrase)
    hour, minute = 0, 0
    if clock:
        if clock[1]:
            hour, minute = int(clock[1]), int(clock[2])
        else:
            hour = int(clock[3]) % 12 + (12 if clock[4] == "pm" else 0)
    today = now.replace(tzinfo=None, hour=hour, minute=minute, second=0, microsecond=0)
    offset = re.search(rf"\b(\d+|an?) (day|week)s? from (tomorrow|{_WEEKDAY})\b", phrase)
    if offset:
        amount = 1 if offset[1] in {"a", "an"} else int(offset[1])
        if offset[3] == "tomorrow":
            base = today + timedelta(days=1)
        else:  # the next such weekday after today, as dateparser reads a bare weekday
            base = today + timedelta(days=(WEEKDAYS.index(offset[3]) - today.weekday() - 1) % 7 + 1)
        return base + timedelta(days=amount * (7 if offset[2] == "week" else 1))
    weekday_next_week = re.search(rf"\b({_WEEKDAY}) next week\b", phrase)
    if weekday_next_week:
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=WEEKDAYS.index(weekday_next_week[1]))
    day_only = re.fullmatch(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)(?: at \S+| \S+(?:am|pm))?", phrase.strip())
    if day_only and 1 <= int(day_only[1]) <= 31:
        day = int(day_only[1])
        month_start = today.replace(day=1)
        for offset in range(3):
            year, month = divmod(month_start.month - 1 + offset, 12)
            try:
                candidate = today.replace(year=month_start.year + year, month=month + 1, day=day)
            except ValueError:
                continue  # the 31st in a 30-day month
            if candidate.date() >= today.date():
                return candidate
    if re.search(r"\bend of (?:the )?month\b", phrase):
        first_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first_next - timedelta(days=1)
    return None


_WINDOW_RE = re.compile(
    r"(?<![\w'])(?:(?:created|added|that came in|came in|from|since|in|during|of|for)\s+)?(?:the\s+)?"
    r"(?P<window>today|yesterday|this\s+(?:week|month|year)|last\s+(?:week|month|year)"
    r"|(?:last|past)\s+(?P<n>\d+|[a-z]+)\s+(?P<unit>days?|weeks?)|past\s+(?:week|month)"
    r"|since\s+(?P<since>" + "|".join(WEEKDAYS) + r"))(?![\w'])",
    re.IGNORECASE,
)


def window_find(text: str, *, now: datetime, timezone: str) -> tuple[tuple[int, int], str, str | None] | None:
    """A creation window in a query: its span, created_after and created_before as ISO strings.

    Windows start at midnight in the tenant timezone: "this week" from Monday 00:00, "last N days"
    from midnight N days ago, "yesterday" from yesterday 00:00 until today 00:00.
    """
    match = _WINDOW_RE.search(text)
    if match is None:
        return None
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date(), time(0), tzinfo=zone)
    window = re.sub(r"\s+", " ", match["window"].lower())
    before: datetime | None = None
    if window == "today":
        after = midnight
    elif window == "yesterday":
        after, before = _days_back(midnight, 1, zone), midnight
    elif window == "this week":
        after = _days_back(midnight, local.weekday(), zone)
    elif window == "last week":
        before = _days_back(midnight, local.weekday(), zone)
        after = _days_back(before, 7, zone)
    elif window in {"this month", "past month"} or window == "last month":
        after = midnight.replace(day=1)
        if window == "last month":
            before, after = after, (after - timedelta(days=1)).replace(day=1)
        elif window == "past month":
            after = _days_back(midnight, 30, zone)
    elif window == "this year":
        after = midnight.replace(month=1, day=1)
    elif window == "last year":
        before = midnight.replace(month=1, day=1)
        after = before.replace(year=before.year - 1)
    elif window == "past week":
        after = _days_back(midnight, 7, zone)
    elif match["since"]:
        back = (local.weekday() - WEEKDAYS.index(match["since"].lower())) % 7
        after = _days_back(midnight, back, zone)
    else:
        amount = numbers_to_digits(match["n"])
        if not amount.isdigit():
            return None
        days = int(amount) * (7 if match["unit"].lower().startswith("week") else 1)
        after = _days_back(midnight, days, zone)
    return (match.start(), match.end()), after.isoformat(), before.isoformat() if before else None


def _days_back(midnight: datetime, days: int, zone: ZoneInfo) -> datetime:
    # Calendar arithmetic on the wall clock, then the zone again: a DST change keeps midnight.
    return (midnight.replace(tzinfo=None) - timedelta(days=days)).replace(tzinfo=zone)
