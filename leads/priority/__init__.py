"""Auto-prioritisation of leads (High / Medium / Low) from their score and what they write.

``signals`` (curated and tenant phrases, with negation), ``language`` and ``phrases`` read one text;
``text_model`` learns from the tenant's closed leads; ``decide`` combines the score with the text
evidence; ``service`` stores priorities and their history and keeps them fresh.
"""
