"""The spoken command set of bench/voice_commands.py: seed records, utterances and what they mean.

Every utterance is the exact text espeak-ng speaks (its reference transcript), the intent the
parser should find, and the entities that matter, written symbolically: ``lead`` names a seeded
lead by its company or person, ``user`` / ``owner`` a seeded user ("me" is the speaker), ``due`` a
follow-up time relative to the clock (see ``due_expected``), ``created_after`` a query window. The
benchmark turns them into ids and dates at run time.

Weekday names are chosen from the real date when the set is built (never today or tomorrow), so
"next Thursday" means one thing: the product reads "next <weekday>" as the first such weekday after
today (voice/commands/dates.py), and the expectations follow that rule.

Ambiguous references (two leads called Acme, two users called Sam) are kept apart in AMBIGUOUS:
the product must ask back, which is checked separately and not counted in the accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

SPEAKER = ("sarah.lee@voice.test", "Sarah Lee", "sales_rep")
USERS = [
    ("tom.becker@voice.test", "Tom Becker", "sales_rep"),
    ("priya.patel@voice.test", "Priya Patel", "manager"),
    ("diego.alvarez@voice.test", "Diego Alvarez", "sales_rep"),
    ("sam.ortiz@voice.test", "Sam Ortiz", "sales_rep"),
    ("sam.fischer@voice.test", "Sam Fischer", "sales_rep"),
]

# (person, company, source, status, days since created): the speaker's book of 40 leads.
LEADS = [
    ("", "ABC Corp", "web", "new", 40),
    ("", "Globex", "referral", "contacted", 2),
    ("", "Initech", "event", "new", 12),
    ("", "Umbrella Health", "partner", "qualified", 30),
    ("", "Northwind Traders", "web", "new", 5),
    ("", "Blue Sky Labs", "referral", "contacted", 1),
    ("Jane Cooper", "", "linkedin", "new", 3),
    ("Omar Haddad", "", "referral", "qualified", 8),
    ("", "Acme Ltd", "web", "new", 20),
    ("", "Acme Inc", "event", "new", 21),
    ("Lucas Meyer", "Hooli", "web", "contacted", 15),
    ("", "Stark Industries", "partner", "qualified", 25),
    ("", "Wayne Enterprises", "referral", "new", 33),
    ("Maria Garcia", "Soylent Foods", "web", "new", 9),
    ("", "Vandelay Industries", "event", "contacted", 14),
    ("", "Pied Piper", "linkedin", "new", 6),
    ("", "Cyberdyne Systems", "partner", "new", 18),
    ("Aisha Khan", "Tyrell Corp", "referral", "qualified", 11),
    ("", "Oceanic Airlines", "web", "new", 45),
    ("", "Wonka Foods", "event", "new", 7),
    ("Ben Carter", "Redwood Dental", "referral", "contacted", 4),
    ("", "Silver Lake Partners", "partner", "new", 28),
    ("", "Green Valley Farms", "web", "new", 50),
    ("", "Summit Logistics", "linkedin", "new", 2),
    ("Chloe Martin", "", "referral", "new", 1),
    ("", "Harbor Freight Solutions", "web", "contacted", 35),
    ("", "Maple Leaf Bakery", "event", "new", 10),
    ("", "Nimbus Cloud", "web", "qualified", 16),
    ("", "Atlas Robotics", "partner", "new", 3),
    ("", "Bright Path Education", "referral", "new", 22),
    ("Kenji Watanabe", "Sakura Trading", "linkedin", "contacted", 19),
    ("", "Iron Bridge Capital", "web", "new", 60),
    ("", "Sunrise Dental", "event", "new", 13),
    ("", "Polar Express Shipping", "web", "new", 38),
    ("", "Golden Gate Media", "referral", "qualified", 27),
    ("", "Riverbend Clinic", "partner", "new", 6),
    ("Elena Rossi", "Bella Vista Hotels", "web", "new", 17),
    ("", "Quantum Analytics", "linkedin", "contacted", 4),
    ("", "Evergreen Landscaping", "event", "new", 44),
    ("", "Falcon Security", "web", "new", 9),
]

# espeak-ng English voices (accents and male/female variants) and speaking rates, mixed per utterance.
VOICES = ("en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-us-nyc", "en-us+f3", "en-gb+f4", "en-029")
SPEEDS = (140, 150, 160, 170, 180, 190)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class Utterance:
    text: str
    intent: str
    entities: dict[str, Any] = field(default_factory=dict)
    voice: str = ""
    speed: int = 0
    filler: bool = False
    set: str = "dev"  # "dev" (may be tuned against) or "heldout" (bench/voice_phrases_heldout.py)


def _weekdays(today: date) -> tuple[str, str, str]:
    """Three working days that are neither today nor tomorrow."""
    days = [d for d in range(5) if d not in {today.weekday(), (today.weekday() + 1) % 7}]
    return WEEKDAYS[days[0]], WEEKDAYS[days[1]], WEEKDAYS[days[2]]


def utterances(today: date) -> list[Utterance]:
    """The accuracy set (67 utterances over every intent), voices and speeds assigned."""
    w1, w2, w3 = _weekdays(today)
    cases = [
        # create_lead: companies, people, spoken emails and phone digits
        ("add a new lead from Brightwave Media", "create_lead", {"company": "Brightwave Media"}),
        (
            "create a lead for Jonathan Price at Redstone Partners",
            "create_lead",
            {"person": "Jonathan Price", "company": "Redstone Partners"},
        ),
        (
            "new lead Laura Chen at Vertex Labs email laura at example dot com",
            "create_lead",
            {"person": "Laura Chen", "company": "Vertex Labs", "email": "laura@example.com"},
        ),
        (
            "create a lead for Daniel Brooks email daniel at example dot com",
            "create_lead",
            {"person": "Daniel Brooks", "email": "daniel@example.com"},
        ),
        (
            "add a lead called Pinecrest Hotels phone five five five two one eight four",
            "create_lead",
            {"company": "Pinecrest Hotels", "phone": "5552184"},
        ),
        (
            "um create a new lead for Marco Silva at Lisbon Tiles please",
            "create_lead",
            {"person": "Marco Silva", "company": "Lisbon Tiles"},
        ),
        (
            "create lead Tidewater Logistics contact Anna Schmidt",
            "create_lead",
            {"company": "Tidewater Logistics", "person": "Anna Schmidt"},
        ),
        (
            "add a new lead from Harbor Point Realty phone four one five five five five zero one nine two",
            "create_lead",
            {"company": "Harbor Point Realty", "phone": "4155550192"},
        ),
        (
            "create a lead for Sophie Turner email sophie dot turner at gmail dot com",
            "create_lead",
            {"person": "Sophie Turner", "email": "sophie.turner@gmail.com"},
        ),
        ("new lead Oakridge Software", "create_lead", {"company": "Oakridge Software"}),
        (
            "add a lead for Kevin Walsh at Granite Peak Insurance phone five five five three three six seven",
            "create_lead",
            {"person": "Kevin Walsh", "company": "Granite Peak Insurance", "phone": "5553367"},
        ),
        (
            "create a new lead called Lakeside Veterinary Clinic",
            "create_lead",
            {"company": "Lakeside Veterinary Clinic"},
        ),
        # update_lead_status, with synonyms
        ("mark Globex as qualified", "update_lead_status", {"lead": "Globex", "status": "qualified"}),
        ("mark Initech as contacted", "update_lead_status", {"lead": "Initech", "status": "contacted"}),
        ("set Northwind Traders to lost", "update_lead_status", {"lead": "Northwind Traders", "status": "lost"}),
        ("mark Blue Sky Labs as won", "update_lead_status", {"lead": "Blue Sky Labs", "status": "converted"}),
        ("Umbrella Health is not interested", "update_lead_status", {"lead": "Umbrella Health", "status": "lost"}),
        ("move Omar Haddad to qualified", "update_lead_status", {"lead": "Omar Haddad", "status": "qualified"}),
        ("we won Stark Industries", "update_lead_status", {"lead": "Stark Industries", "status": "converted"}),
        ("please mark Jane Cooper as contacted", "update_lead_status", {"lead": "Jane Cooper", "status": "contacted"}),
        ("change the status of Hooli to converted", "update_lead_status", {"lead": "Hooli", "status": "converted"}),
        ("Pied Piper is dead", "update_lead_status", {"lead": "Pied Piper", "status": "lost"}),
        # assign_lead
        ("assign Globex to Tom Becker", "assign_lead", {"lead": "Globex", "user": "Tom Becker"}),
        (
            "assign Cyberdyne Systems to Priya Patel",
            "assign_lead",
            {"lead": "Cyberdyne Systems", "user": "Priya Patel"},
        ),
        ("reassign Wonka Foods to Tom", "assign_lead", {"lead": "Wonka Foods", "user": "Tom Becker"}),
        ("give Atlas Robotics to Diego Alvarez", "assign_lead", {"lead": "Atlas Robotics", "user": "Diego Alvarez"}),
        ("assign Summit Logistics to me", "assign_lead", {"lead": "Summit Logistics", "user": "me"}),
        ("hand Riverbend Clinic over to Priya", "assign_lead", {"lead": "Riverbend Clinic", "user": "Priya Patel"}),
        (
            "um assign Falcon Security to Diego please",
            "assign_lead",
            {"lead": "Falcon Security", "user": "Diego Alvarez"},
        ),
        # add_note (the note text is compared separately, not in the entity accuracy)
        (
            "add a note to Initech they want a demo next month",
            "add_note",
            {"lead": "Initech", "note": "they want a demo next month"},
        ),
        (
            "add a note to Umbrella Health saying budget approved for next quarter",
            "add_note",
            {"lead": "Umbrella Health", "note": "budget approved for next quarter"},
        ),
        (
            "note for Northwind Traders call back after the trade show",
            "add_note",
            {"lead": "Northwind Traders", "note": "call back after the trade show"},
        ),
        (
            "add a note to Jane Cooper she prefers email over phone calls",
            "add_note",
            {"lead": "Jane Cooper", "note": "she prefers email over phone calls"},
        ),
        (
            "add a note to Quantum Analytics they signed the contract",
            "add_note",
            {"lead": "Quantum Analytics", "note": "they signed the contract"},
        ),
        (
            "add a note to Omar Haddad pricing was too high",
            "add_note",
            {"lead": "Omar Haddad", "note": "pricing was too high"},
        ),
        (
            "leave a note on Maple Leaf Bakery they asked for a proposal",
            "add_note",
            {"lead": "Maple Leaf Bakery", "note": "they asked for a proposal"},
        ),
        # schedule_follow_up: due = (days from today, hour) or (weekday, hour)
        (
            "schedule a follow up with Globex tomorrow at 10 am",
            "schedule_follow_up",
            {"lead": "Globex", "due": (1, 10)},
        ),
        (
            f"remind me to call Jane Cooper next {w1} at 3 pm",
            "schedule_follow_up",
            {"lead": "Jane Cooper", "due": (w1, 15)},
        ),
        (f"schedule a call with Initech on {w2}", "schedule_follow_up", {"lead": "Initech", "due": (w2, 9)}),
        ("follow up with Omar Haddad tomorrow morning", "schedule_follow_up", {"lead": "Omar Haddad", "due": (1, 9)}),
        (
            f"remind me to email Blue Sky Labs on {w3} at 11 am",
            "schedule_follow_up",
            {"lead": "Blue Sky Labs", "due": (w3, 11)},
        ),
        (
            f"schedule a meeting with Northwind Traders next {w2} at 2 pm",
            "schedule_follow_up",
            {"lead": "Northwind Traders", "due": (w2, 14)},
        ),
        (
            "um remind me to call Umbrella Health the day after tomorrow at noon",
            "schedule_follow_up",
            {"lead": "Umbrella Health", "due": (2, 12)},
        ),
        (
            "set up a demo with Atlas Robotics in three days at 4 pm",
            "schedule_follow_up",
            {"lead": "Atlas Robotics", "due": (3, 16)},
        ),
        (
            "book a call with Stark Industries tomorrow at 9 am",
            "schedule_follow_up",
            {"lead": "Stark Industries", "due": (1, 9)},
        ),
        # query_leads
        ("show my hot leads", "query_leads", {"owner": "me", "band": ["A"]}),
        (
            "show leads from referral this week",
            "query_leads",
            {"source": "referral", "created_after": "this_week"},
        ),
        ("show qualified leads", "query_leads", {"status": ["qualified"]}),
        ("list my warm leads", "query_leads", {"owner": "me", "band": ["B"]}),
        ("show me new leads from linkedin", "query_leads", {"status": ["new"], "source": "linkedin"}),
        (
            "how many leads came from events this month",
            "query_leads",
            {"source": "event", "created_after": "this_month"},
        ),
        ("show Tom's leads", "query_leads", {"owner": "Tom Becker"}),
        ("which leads are qualified", "query_leads", {"status": ["qualified"]}),
        ("uh show my lost leads please", "query_leads", {"owner": "me", "status": ["lost"]}),
        # read_lead_score
        ("what is the score of Globex", "read_lead_score", {"lead": "Globex"}),
        ("what's the score of Northwind Traders", "read_lead_score", {"lead": "Northwind Traders"}),
        ("how hot is Blue Sky Labs", "read_lead_score", {"lead": "Blue Sky Labs"}),
        ("why is Initech scored so low", "read_lead_score", {"lead": "Initech"}),
        ("what is Omar Haddad's score", "read_lead_score", {"lead": "Omar Haddad"}),
        ("tell me the score for Umbrella Health", "read_lead_score", {"lead": "Umbrella Health"}),
        # yes / no / help
        ("yes", "confirm", {}),
        ("yes please", "confirm", {}),
        ("go ahead", "confirm", {}),
        ("no", "cancel", {}),
        ("cancel that", "cancel", {}),
        ("never mind", "cancel", {}),
        ("what can you do", "help", {}),
    ]
    return _voiced([Utterance(text, intent, entities) for text, intent, entities in cases])


# Said about leads and users whose names are shared: the product must ask back, not guess.
AMBIGUOUS_CASES = [
    ("mark Acme as contacted", "update_lead_status", "lead"),
    ("what is the score of Acme", "read_lead_score", "lead"),
    ("remind me to call Acme tomorrow at 10 am", "schedule_follow_up", "lead"),
    ("assign Globex to Sam", "assign_lead", "user"),
]


def ambiguous_utterances() -> list[tuple[Utterance, str]]:
    """(utterance, what must be asked back: "lead" or "user")."""
    voiced = _voiced([Utterance(text, intent) for text, intent, _ in AMBIGUOUS_CASES], offset=3)
    return [(utterance, asked) for utterance, (_, _, asked) in zip(voiced, AMBIGUOUS_CASES, strict=True)]


def _voiced(items: list[Utterance], *, offset: int = 0) -> list[Utterance]:
    """Voices in turn; speeds shifted each round so every voice is heard at several rates."""
    for index, item in enumerate(items, start=offset):
        item.voice = VOICES[index % len(VOICES)]
        item.speed = SPEEDS[(index + index // len(VOICES)) % len(SPEEDS)]
        item.filler = item.text.split()[0] in {"um", "uh", "please"} or item.text.endswith(" please")
    return items


def due_expected(spec: tuple[int | str, int], local_now: datetime) -> tuple[date, int]:
    """The (date, hour) a follow-up is due: N days from today, or the first such weekday after today."""
    when, hour = spec
    today = local_now.date()
    if isinstance(when, int):
        return today + timedelta(days=when), hour
    ahead = (WEEKDAYS.index(when) - today.weekday() - 1) % 7 + 1
    return today + timedelta(days=ahead), hour


def window_expected(window: str, local_now: datetime) -> date:
    """The first day of a query window ("this_week" from Monday, "this_month" from the 1st)."""
    today = local_now.date()
    if window == "this_week":
        return today - timedelta(days=today.weekday())
    if window == "this_month":
        return today.replace(day=1)
    raise ValueError(window)
