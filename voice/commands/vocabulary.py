"""Word lists the command grammar uses for what is not yet a record: new companies, people, emails, notes.

A new lead's company or contact cannot be among the tenant's names, so the grammar offers a slot
made of common words instead: company-name words ("blue", "peak", "holdings", "analytics") and
spelled letters for acronyms ("x y z holdings"), first names and common surnames for people, a few
mailbox and domain words for spoken emails. A name outside these lists ("Copperleaf") is left to
Whisper: the hybrid engine keeps the grammar's text only where it sounds like what Whisper heard.
The lists are generic, chosen from common business names, not from any test or benchmark sentence.
"""

from __future__ import annotations

from voice.commands.lexicon import FIRST_NAMES, words_split

# Words common in company names (industry nouns, descriptive words, places in names).
COMPANY_WORDS = tuple(
    words_split(
        "holdings consulting design designs analytics media labs lab software systems solutions services "
        "partners group associates agency studio studios ventures capital finance financial insurance realty "
        "properties homes construction builders engineering energy power solar electric motors auto logistics "
        "shipping freight transport trading foods food farms farm bakery coffee kitchen restaurant hotels hotel "
        "travel health healthcare medical clinic dental pharma care fitness sports wellness beauty fashion "
        "apparel retail market markets supply supplies tools products industries manufacturing technologies "
        "technology tech digital data cloud networks network security robotics electronics telecom mobile "
        "marketing advertising publishing print education learning academy school legal law accounting "
        "management global international national united american north south east west central pacific "
        "atlantic blue green red black white silver gold golden bright clear true first prime new one "
        "star sun sky river lake ocean bay harbor harbour coast island mountain peak summit ridge valley hill "
        "rock stone oak pine maple cedar willow forest park field bridge gate point tower city town home "
        "smart rapid swift fast alpha beta delta omega apex vertex nova zen core pro max"
    )
)
SURNAMES = tuple(
    words_split(
        "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez "
        "wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark "
        "ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams "
        "nelson baker hall rivera campbell mitchell carter roberts turner phillips parker evans edwards "
        "collins stewart morris murphy cook rogers morgan cooper peterson reed bailey bell kelly howard ward "
        "cox richardson wood watson brooks bennett gray james hughes price sanders myers long ross foster "
        "chen wang kim singh patel khan shah meyer muller schmidt schneider fischer weber becker wagner "
        "silva santos rossi russo ferrari costa martins"
    )
)
MAILBOX_WORDS = ("info", "sales", "hello", "contact", "support", "office", "admin", "team", "mail")
EMAIL_DOMAINS = ("example", "gmail", "outlook", "yahoo", "hotmail", "icloud", "proton")
TOP_LEVEL_DOMAINS = ("com", "net", "org", "io", "co")
# A note's free text: the grammar only has to carry the recogniser to the end of the sentence (the
# hybrid engine takes the words from Whisper), so a few common words suffice.
NOTE_WORDS = tuple(
    words_split(
        "they want a demo pricing proposal send call back next week month interested not budget approved "
        "meeting went well follow up later is are no yes contract signed decision maker on holiday email them "
        "us in january february march april may june july august september october november december "
        "the and to of for at by with from about after before until over was were be been has have had will "
        "would can could should it this that there very too more less new price quote team needs asked"
    )
)
PERSON_FIRST_NAMES = tuple(sorted(FIRST_NAMES))
