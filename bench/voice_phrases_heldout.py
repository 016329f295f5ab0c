"""The held-out spoken command set: other records, other numbers, other wordings than the dev set.

bench/voice_phrases.py is the development set: the grammar and the recogniser's rules may be looked
at and tuned against it. This set was written apart from it, before the grammar was extended, from
how sales reps phrase each command rather than from what the grammar accepts: it names leads and a
colleague the dev set never names, new companies and people of its own (one an acronym), other phone
numbers and emails, other verbs and politeness ("could you", "I need to", "for me"), other date
expressions and other query filters. Its figures are the headline of bench/voice_commands.py.

Voices and speeds are assigned as for the dev set but shifted, so a sentence type is not always
heard in the same voice.
"""

from __future__ import annotations

from datetime import date

from voice_phrases import Utterance, _voiced, _weekdays

# A colleague only the held-out set names (seeded with the others by bench/voice_commands.py).
HELDOUT_USERS = [("nadia.kowalski@voice.test", "Nadia Kowalski", "sales_rep")]


def heldout_utterances(today: date) -> list[Utterance]:
    """The held-out accuracy set (44 utterances over every intent), voices and speeds assigned."""
    w1, w2, w3 = _weekdays(today)
    cases = [
        # create_lead: new companies (one an acronym), people, a phone number and an email
        (
            "I need to add a lead for Rachel Adams at Copperleaf Design",
            "create_lead",
            {"person": "Rachel Adams", "company": "Copperleaf Design"},
        ),
        ("could you create a lead called XYZ Holdings", "create_lead", {"company": "XYZ Holdings"}),
        (
            "new lead Victor Huang from Bluefin Analytics phone five five five nine zero four one",
            "create_lead",
            {"person": "Victor Huang", "company": "Bluefin Analytics", "phone": "5559041"},
        ),
        ("add Meadowbrook Farms as a new lead", "create_lead", {"company": "Meadowbrook Farms"}),
        (
            "create a lead for Northgate Dental Group email info at northgate dot com",
            "create_lead",
            {"company": "Northgate Dental Group", "email": "info@northgate.com"},
        ),
        ("please add a new lead for Hannah Wright", "create_lead", {"person": "Hannah Wright"}),
        ("start a new lead for JKL Consulting", "create_lead", {"company": "JKL Consulting"}),
        (
            "add a lead called Silverline Fitness phone eight zero zero five five five one two one two",
            "create_lead",
            {"company": "Silverline Fitness", "phone": "8005551212"},
        ),
        # update_lead_status: other verbs and status words
        (
            "mark Wayne Enterprises as closed won",
            "update_lead_status",
            {"lead": "Wayne Enterprises", "status": "converted"},
        ),
        ("change Sunrise Dental to qualified", "update_lead_status", {"lead": "Sunrise Dental", "status": "qualified"}),
        ("we lost Oceanic Airlines", "update_lead_status", {"lead": "Oceanic Airlines", "status": "lost"}),
        (
            "Golden Gate Media is qualified now",
            "update_lead_status",
            {"lead": "Golden Gate Media", "status": "qualified"},
        ),
        (
            "could you mark Chloe Martin as contacted please",
            "update_lead_status",
            {"lead": "Chloe Martin", "status": "contacted"},
        ),
        ("update Iron Bridge Capital to lost", "update_lead_status", {"lead": "Iron Bridge Capital", "status": "lost"}),
        ("move Sakura Trading back to new", "update_lead_status", {"lead": "Sakura Trading", "status": "new"}),
        # assign_lead: other verbs, a colleague by first name, "myself"
        (
            "can you assign Harbor Freight Solutions to Priya Patel",
            "assign_lead",
            {"lead": "Harbor Freight Solutions", "user": "Priya Patel"},
        ),
        ("give Bella Vista Hotels to Nadia", "assign_lead", {"lead": "Bella Vista Hotels", "user": "Nadia Kowalski"}),
        ("transfer Nimbus Cloud to Tom Becker", "assign_lead", {"lead": "Nimbus Cloud", "user": "Tom Becker"}),
        ("assign Evergreen Landscaping to myself", "assign_lead", {"lead": "Evergreen Landscaping", "user": "me"}),
        (
            "hand over Polar Express Shipping to Diego",
            "assign_lead",
            {"lead": "Polar Express Shipping", "user": "Diego Alvarez"},
        ),
        # add_note
        (
            "add a note to Wayne Enterprises they need a quote by Friday",
            "add_note",
            {"lead": "Wayne Enterprises", "note": "they need a quote by Friday"},
        ),
        (
            "note on Elena Rossi she is travelling until June",
            "add_note",
            {"lead": "Elena Rossi", "note": "she is travelling until June"},
        ),
        (
            "add a comment to Tyrell Corp saying the pilot went well",
            "add_note",
            {"lead": "Tyrell Corp", "note": "the pilot went well"},
        ),
        (
            "leave a note for Silver Lake Partners waiting on legal review",
            "add_note",
            {"lead": "Silver Lake Partners", "note": "waiting on legal review"},
        ),
        # schedule_follow_up: other tasks and date expressions
        (
            f"remind me to call Ben Carter on {w3} at 2 pm",
            "schedule_follow_up",
            {"lead": "Ben Carter", "due": (w3, 14)},
        ),
        (
            "schedule a meeting with Golden Gate Media in two days at 10 am",
            "schedule_follow_up",
            {"lead": "Golden Gate Media", "due": (2, 10)},
        ),
        (
            "remind me to email Kenji Watanabe tomorrow afternoon",
            "schedule_follow_up",
            {"lead": "Kenji Watanabe", "due": (1, 14)},
        ),
        (
            f"book a demo with Bright Path Education next {w1} at 1 pm",
            "schedule_follow_up",
            {"lead": "Bright Path Education", "due": (w1, 13)},
        ),
        ("call Soylent Foods tomorrow at 4 pm", "schedule_follow_up", {"lead": "Soylent Foods", "due": (1, 16)}),
        (
            f"set up a call with Vandelay Industries on {w2} morning",
            "schedule_follow_up",
            {"lead": "Vandelay Industries", "due": (w2, 9)},
        ),
        # query_leads: other filters and verbs
        ("list all my cold leads", "query_leads", {"owner": "me", "band": ["D"]}),
        (
            "show me contacted leads from the website",
            "query_leads",
            {"status": ["contacted"], "source": "web"},
        ),
        ("show Priya's leads", "query_leads", {"owner": "Priya Patel"}),
        ("how many qualified leads are there", "query_leads", {"status": ["qualified"]}),
        ("find leads from partners", "query_leads", {"source": "partner"}),
        ("can you list my new leads please", "query_leads", {"owner": "me", "status": ["new"]}),
        # read_lead_score
        ("what's Golden Gate Media's score", "read_lead_score", {"lead": "Golden Gate Media"}),
        ("how good is Nimbus Cloud", "read_lead_score", {"lead": "Nimbus Cloud"}),
        ("explain the score for Iron Bridge Capital", "read_lead_score", {"lead": "Iron Bridge Capital"}),
        ("why is Sunrise Dental rated so high", "read_lead_score", {"lead": "Sunrise Dental"}),
        ("give me the score of Chloe Martin", "read_lead_score", {"lead": "Chloe Martin"}),
        # yes / no / help
        ("sure", "confirm", {}),
        ("no thanks", "cancel", {}),
        ("help me", "help", {}),
    ]
    items = [Utterance(text, intent, entities, set="heldout") for text, intent, entities in cases]
    return _voiced(items, offset=5)
