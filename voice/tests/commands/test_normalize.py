"""Clean-up of transcripts and typed text: punctuation, fillers, spoken emails, numbers, phones, casing."""

from __future__ import annotations

import pytest

from voice.commands.normalize import (
    company_case,
    emails_write,
    leading_fillers_strip,
    misheard_add_repair,
    number_read,
    numbers_to_digits,
    person_case,
    phone_read,
    text_clean,
)
from voice.commands.parser import command_parse
from voice.tests.commands.conftest import BERLIN, NOW_BERLIN


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Um, could you create a lead for ABC corp, please?", "create a lead for ABC corp"),
        ("add a note to Acme: they want a demo in March.", "add a note to Acme : they want a demo in March"),
        ("note to acme - call back", "note to acme : call back"),
        ("schedule a follow-up with x", "schedule a follow up with x"),
        ("send an e-mail", "send an email"),
        ("I'd like to show my leads", "show my leads"),
        ("mail john@acme.com.", "mail john@acme.com"),
        ("...", ""),
    ],
)
def test_text_clean(raw, clean):
    assert text_clean(raw) == clean


def test_leading_fillers_go_only_when_something_follows():
    assert leading_fillers_strip("so okay show my leads") == "show my leads"
    assert leading_fillers_strip("okay") == "okay"


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("john at acme dot com", "john@acme.com"),
        ("j dot smith at example dot co dot uk", "j.smith@example.co.uk"),
        ("mary underscore jones at mail dot example dot org", "mary_jones@mail.example.org"),
        ("j o e at acme dot io", "joe@acme.io"),
        ("John@Acme.COM", "john@acme.com"),
        ("raj at the rate gmail dot com", "raj@gmail.com"),
    ],
)
def test_spoken_emails(spoken, written):
    assert emails_write(spoken) == written


def test_at_without_a_domain_is_not_an_email():
    assert emails_write("john smith at acme corp") == "john smith at acme corp"


@pytest.mark.parametrize(
    ("spoken", "digits"),
    [
        ("forty two", "42"),
        ("four two", "42"),
        ("#42", "42"),
        ("one hundred and five", "105"),
        ("double five", "55"),
        ("five oh two", "502"),
        ("fifty", "50"),
        ("for", None),
        ("acme", None),
    ],
)
def test_numbers(spoken, digits):
    assert number_read(spoken) == digits


def test_numbers_to_digits_keeps_groups_and_words_apart():
    assert numbers_to_digits("in two weeks at three thirty pm") == "in 2 weeks at 3 30 pm"
    assert numbers_to_digits("for two days") == "for 2 days"


@pytest.mark.parametrize(
    ("spoken", "phone"),
    [
        ("five five five one two three four", "5551234"),
        ("555 123 4567", "5551234567"),
        ("(555) 123-4567", "5551234567"),
        ("plus four four seven seven double oh one two three four five six", "+447700123456"),
        ("five five five", None),
        ("call me", None),
    ],
)
def test_phones(spoken, phone):
    assert phone_read(spoken) == phone


@pytest.mark.parametrize(
    ("spoken", "cased"),
    [
        ("abc corp", "ABC Corp"),
        ("a b c corp", "ABC Corp"),
        ("acme gmbh", "Acme GmbH"),
        ("ibm", "IBM"),
        ("acme limited", "Acme Limited"),
        ("bank of america", "Bank of America"),
        ("big box llc", "Big Box LLC"),
        ("ACME inc", "ACME Inc"),
        ("McKinsey and company", "McKinsey and Company"),
        # Spelled acronyms as recognisers write them.
        ("a BC Corp", "ABC Corp"),
        ("AB C Corp", "ABC Corp"),
        ("A.B.C. Corp", "ABC Corp"),
        ("J.K.L. consulting", "JKL Consulting"),
        ("U.S. Steel", "US Steel"),
        ("x y z holdings", "XYZ Holdings"),
        # ... but not an article before a word in capitals that is not short, nor a lone acronym.
        ("an ACME corp", "An ACME Corp"),
        ("A Better Company", "A Better Company"),
        ("IBM", "IBM"),
    ],
)
def test_company_case(spoken, cased):
    assert company_case(spoken) == cased


@pytest.mark.parametrize("heard", ["create a lead for a BC Corp", "create a lead for A.B.C. Corp"])
def test_a_spelled_acronym_heard_apart_is_one_company_name(heard, context):
    action = command_parse(heard, now=NOW_BERLIN, timezone=BERLIN, context=context)
    assert action.intent == "create_lead"
    assert action.entities["company"] == "ABC Corp"


def test_person_case():
    assert person_case("john o'brien") == "John O'Brien"
    assert person_case("mary-jane smith") == "Mary-Jane Smith"
    assert person_case("Ana de la Cruz") == "Ana de la Cruz"


@pytest.mark.parametrize(
    ("heard", "repaired"),
    [
        ("And a note to acme they want a demo", "add a note to acme they want a demo"),
        ("and then a new lead from globex", "add a new lead from globex"),
        ("and a lead called pinecrest", "add a lead called pinecrest"),
        ("Another lead called Pinecrest Hotels", "add a lead called Pinecrest Hotels"),
        ("another note to acme they called", "add a note to acme they called"),
        ("another way to say it", "another way to say it"),
        ("and show my leads", "and show my leads"),  # a filler before any other command: left to the filler rule
        ("and a half", "and a half"),
    ],
)
def test_a_misheard_add_at_the_start_is_the_verb(heard, repaired):
    assert misheard_add_repair(heard) == repaired
