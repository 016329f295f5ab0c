"""Word lists the command parser and the grammar share.

Kept apart from the patterns so that the parser (which reads text) and the JSGF grammar (which
constrains what the recogniser can hear) agree on one vocabulary: a status synonym added here is
both heard and understood.
"""

from __future__ import annotations


def words_split(text: str, separator: str | None = None) -> list[str]:
    """A word list written as one string (long vocabularies read better that way)."""
    return [word.strip() for word in text.split(separator) if word.strip()]


# Lead statuses of leads.models.LeadStatus, repeated here because this package knows no Django.
STATUSES = ("new", "contacted", "qualified", "converted", "lost")

# Spoken status words -> status. Multi-word keys are matched before single words. "one" is how
# speech recognisers most often write "won" after "as" ("mark acme as one").
STATUS_SYNONYMS: dict[str, str] = {
    "new": "new",
    "open": "new",
    "reopened": "new",
    "contacted": "contacted",
    "reached out": "contacted",
    "reached out to": "contacted",
    "in contact": "contacted",
    "called": "contacted",
    "qualified": "qualified",
    "qualify": "qualified",
    "sales qualified": "qualified",
    "converted": "converted",
    "convert": "converted",
    "won": "converted",
    "one": "converted",
    "closed won": "converted",
    "a customer": "converted",
    "customer": "converted",
    "signed": "converted",
    "lost": "lost",
    "dead": "lost",
    "closed lost": "lost",
    "disqualified": "lost",
    "not interested": "lost",
    "dropped": "lost",
    "junk": "lost",
    "dark": "lost",
}

# Score bands as the scoring settings page names them (band A is "hot").
BAND_WORDS: dict[str, str] = {"hot": "A", "warm": "B", "cool": "C", "cold": "D"}
BANDS = ("A", "B", "C", "D")

# Sources a tenant is likely to use (leads.demo uses the first six); spoken variants -> stored value.
# A tenant's own sources can be passed in CommandContext.sources and take precedence.
KNOWN_SOURCES: dict[str, str] = {
    "referral": "referral",
    "referrals": "referral",
    "a referral": "referral",
    "web": "web",
    "website": "web",
    "the website": "web",
    "event": "event",
    "events": "event",
    "partner": "partner",
    "partners": "partner",
    "paid search": "paid search",
    "ads": "paid search",
    "google ads": "paid search",
    "cold outreach": "cold outreach",
    "outreach": "cold outreach",
    "linkedin": "linkedin",
    "webinar": "webinar",
    "webinars": "webinar",
    "trade show": "trade show",
    "email": "email",
}

# Legal-form suffixes: spoken form -> canonical written form. Used to case company names and to
# compare "acme" with "Acme Ltd" (resolution ignores the suffix unless the speaker said one).
COMPANY_SUFFIXES: dict[str, str] = {
    "corp": "Corp",
    "corporation": "Corp",
    "inc": "Inc",
    "incorporated": "Inc",
    "ltd": "Ltd",
    "limited": "Ltd",
    "llc": "LLC",
    "llp": "LLP",
    "gmbh": "GmbH",
    "ag": "AG",
    "plc": "PLC",
    "co": "Co",
    "company": "Co",
    "sa": "SA",
    "sas": "SAS",
    "bv": "BV",
    "nv": "NV",
    "pty": "Pty",
    "se": "SE",
    "group": "Group",
}

# Short lower-case words that stay title-case in a company name; any other word of up to three
# letters is read as an acronym ("abc corp" -> "ABC Corp", "ibm" -> "IBM").
SHORT_WORDS = frozenset(
    words_split(
        "a an and the of for to in on at by new big red one two sun sky box bay web net air art bar bio "
        "car cat dog eco fox hub key lab law map max pro pay pet pop top way sea oak day zoo go my our "
        "all east west bee ice fit joy lux jet"
    )
)

# Filler words and politeness that speakers add and recognisers transcribe; removed as whole words.
# Order matters: longer phrases first so "could you please" goes before "please".
FILLER_PHRASES = (
    "i would like you to",
    "i'd like you to",
    "i would like to",
    "i'd like to",
    "i want you to",
    "i want to",
    "i need you to",
    "i need to",
    "could you please",
    "can you please",
    "would you please",
    "could you",
    "can you",
    "would you",
    "will you",
    "go ahead and",
    "you know",
    "i mean",
    "hey there",
    "thank you",
    "thanks",
    "please",
    "kindly",
    "um",
    "umm",
    "uh",
    "uhm",
    "er",
    "erm",
    "ah",
    "hmm",
    "hey",
    "let's",
    "lets",
)
# Leading words removed only at the start ("so show my leads", "okay assign acme to me").
LEADING_FILLERS = ("so", "okay", "ok", "right", "now", "and", "just", "alright", "well")

# A short reply (up to SHORT_REPLY_WORDS words) that starts with one of these is a yes or a no:
# "yeah go for it", "no wait don't".
SHORT_REPLY_WORDS = 4
CONFIRM_WORDS = frozenset({"yes", "yeah", "yep", "yup", "sure", "confirm", "confirmed", "correct", "absolutely"})
CANCEL_WORDS = frozenset({"no", "nope", "nah", "cancel", "cancelled", "canceled", "stop", "abort", "wait"})
CONFIRM_PHRASES = frozenset(
    words_split(
        "yes|yeah|yep|yup|yes please|sure|ok|okay|confirm|confirmed|go ahead|do it|yes do it|correct|"
        "that's right|thats right|right|affirmative|absolutely|go for it|sounds good|yes go ahead|"
        "yes confirm|please do|yes that's right|ok do it|okay do it|proceed|save it|yes save it|"
        "execute",
        "|",
    )
)
CANCEL_PHRASES = frozenset(
    words_split(
        "no|nope|nah|cancel|stop|never mind|nevermind|forget it|abort|don't|dont|no thanks|"
        "no thank you|cancel that|no cancel|don't do it|dont do it|no stop|stop it|scratch that|undo|"
        "wrong|no don't",
        "|",
    )
)
HELP_PHRASES = frozenset(
    words_split(
        "help|help me|what can i say|what can you do|how does this work|commands|options|"
        "what are the commands|show commands|list commands|what do you understand|how do i use this|"
        "instructions",
        "|",
    )
)

# Verbs the product does not support by voice, so the reply can say so specifically.
UNSUPPORTED_VERBS = {
    "delete": "delete leads",
    "remove": "remove leads",
    "merge": "merge leads",
    "export": "export leads",
    "import": "import leads",
    "send": "send emails",
    "text": "send messages",
    "print": "print",
    "archive": "archive leads",
}

# Common first names, used only to tell "create a lead for john smith" (a person) from
# "create a lead for acme widgets" (a company) when no suffix or "at/from" says which.
FIRST_NAMES = frozenset(
    words_split(
        "aaron adam adrian alan albert alex alexander alice amanda amy andrea andrew angela anna anne "
        "anthony ben benjamin beth bill bob brian carl carlos carol caroline charles charlie chris "
        "christian christine claire daniel david deborah dennis diana diane donald emily emma eric eva "
        "frank gary george grace greg hannah harry helen henry ian jack jacob james jane janet jason jeff "
        "jennifer jessica jim joe john jon jonathan jose joseph josh julia julie karen kate katie kelly "
        "kevin laura lauren linda lisa lucas lucy luis maria mark martin mary matt matthew max michael "
        "michelle mike nancy nick nicole olivia oliver patrick paul peter rachel rebecca richard robert "
        "ryan sam samantha sandra sara sarah scott sophie stephen steve steven susan thomas tim tom tony "
        "victoria william anna lena lukas jonas leon felix paula hans klaus priya raj rahul amit wei li "
        "chen yuki kenji ahmed fatima omar"
    )
)
