"""Lead and user resolution: exact numbers, fuzzy names, thresholds, and ambiguity never guessed."""

from __future__ import annotations

import pytest

from voice.commands.resolve import (
    AMBIGUITY_MARGIN,
    MATCH_MIN,
    SOUNDALIKE_SCORE,
    LeadIndex,
    LeadRef,
    UserRef,
    lead_match_score,
    lead_resolve,
    sound_key,
    user_resolve,
)
from voice.tests.commands.conftest import LEADS, USERS


@pytest.mark.parametrize(
    ("spoken", "lead_id"),
    [
        ("hooli", 9),
        ("Hooli", 9),
        ("the hooli", 9),
        ("john smith", 42),
        ("smith", 42),
        ("globex", 42),
        ("john smith from globex", 42),
        ("wayne enterprises", 63),
        ("wayne enterprises llc", 63),
        ("umbrella", 8),
        ("jane doe at umbrella gmbh", 8),
        ("in a tech", 55),  # a recogniser splitting "Initech"
        ("initek", 55),
        ("starc industries", 31),
        ("five guys", 77),
        ("acme ltd", 12),
        ("acme limited", 12),
        ("acme inc", 40),
    ],
)
def test_names_resolve(spoken, lead_id):
    found = lead_resolve(spoken, LEADS)
    assert found.status == "matched", found
    assert found.lead.id == lead_id
    assert MATCH_MIN / 100 <= found.score <= 1.0


@pytest.mark.parametrize("spoken", ["acme", "a c me", "ACME"])
def test_close_candidates_are_ambiguous(spoken):
    found = lead_resolve(spoken, LEADS)
    assert found.status == "ambiguous"
    assert found.lead is None
    assert {lead.id for lead in found.candidates} == {12, 40}


@pytest.mark.parametrize(
    ("spoken", "lead_id"),
    [
        ("42", 42),
        ("lead 42", 42),
        ("lead number forty two", 42),
        ("four two", 42),
        ("#42", 42),
        ("INI-55", 55),
        ("lead 55", 55),
    ],
)
def test_numbers_match_exactly(spoken, lead_id):
    found = lead_resolve(spoken, LEADS)
    assert (found.status, found.lead.id, found.score) == ("matched", lead_id, 1.0)


def test_a_number_shared_by_two_leads_is_ambiguous():
    leads = [LeadRef(42, "", "Globex", None), LeadRef(7, "", "Initech", "42")]
    found = lead_resolve("lead 42", leads)
    assert found.status == "ambiguous"
    assert {lead.id for lead in found.candidates} == {42, 7}


@pytest.mark.parametrize("spoken", ["lead 1234", "zebra logistics", "", "the"])
def test_nothing_close_is_none(spoken):
    assert lead_resolve(spoken, LEADS).status == "none"


def test_no_leads_is_none():
    assert lead_resolve("hooli", []).status == "none"


def test_thresholds_are_documented_values():
    assert MATCH_MIN == 80.0
    assert AMBIGUITY_MARGIN == 6.0


def test_a_clear_winner_beats_a_weaker_neighbour():
    leads = [LeadRef(1, "", "Globex Corp", None), LeadRef(2, "", "Globe Corp", None)]
    assert lead_match_score("globex corp", leads[0]) > lead_match_score("globex corp", leads[1])
    assert lead_resolve("globex corp", leads).lead.id == 1


def test_sound_key():
    assert sound_key("Initech") == sound_key("initek") == sound_key("in a tech") == "intk"
    assert sound_key("") == ""


@pytest.mark.parametrize(
    ("spoken", "user_id"),
    [("sarah", 1), ("sara", 1), ("sarah connor", 1), ("tom", 2), ("tom baker", 2), ("priya", 3), ("tom.baker", 2)],
)
def test_users_resolve(spoken, user_id):
    found = user_resolve(spoken, USERS)
    assert found.status == "matched"
    assert found.user.id == user_id


def test_me_is_the_speaker():
    assert user_resolve("me", USERS, speaker_id=2).user.id == 2
    assert user_resolve("myself", USERS, speaker_id=3).user.id == 3
    assert user_resolve("me", USERS).status == "none"


def test_a_speaker_missing_from_the_list_is_still_themselves():
    found = user_resolve("me", [], speaker_id=99)
    assert (found.status, found.user.id) == ("matched", 99)


def test_two_sarahs_are_ambiguous():
    users = [*USERS, UserRef(4, "Sarah Lee", "slee@crm.test")]
    found = user_resolve("sarah", users)
    assert found.status == "ambiguous"
    assert {user.id for user in found.candidates} == {1, 4}
    assert user_resolve("sarah lee", users).user.id == 4


def test_unknown_user_is_none():
    assert user_resolve("bob", USERS).status == "none"


def test_labels():
    assert LeadRef(12, "", "Acme Ltd", "12").label == "Acme Ltd (#12)"
    assert LeadRef(42, "John Smith", "Globex", "42").label == "John Smith, Globex (#42)"
    assert LeadRef(5, "", "", None).label == "Lead 5 (#5)"


def test_the_index_short_list_misses_no_lead_that_could_match():
    """LeadIndex scans in C and scores only a short list; it must contain every lead scoring MATCH_MIN."""
    index = LeadIndex(LEADS)
    for spoken in [
        "acme",
        "a c me",
        "hooli",
        "initek",
        "in a tech",
        "smith",
        "wayne",
        "five guys",
        "umbrela",
        "globe x",
    ]:
        query = " ".join(spoken.split())
        full = {lead.id for lead in LEADS if lead_match_score(query, lead) >= MATCH_MIN}
        assert full <= {lead.id for lead in index.shortlist(query)}, spoken
        assert lead_resolve(spoken, index) == lead_resolve(spoken, LEADS)


def test_a_sound_alike_of_me_is_the_speaker_only_when_no_user_answers_to_it():
    found = user_resolve("meet", USERS, speaker_id=2)
    assert (found.status, found.user.id, found.score) == ("matched", 2, SOUNDALIKE_SCORE)
    assert user_resolve("meet", USERS).status == "none"  # no speaker known
    meet = UserRef(4, "Meet Shah", "meet.shah@crm.test")
    assert user_resolve("meet", [*USERS, meet], speaker_id=2).user.id == 4


def test_one_number_word_alone_is_not_a_lead_number():
    """Recognisers write "won" as "one": "set one to qualified" must not pick lead 1."""
    leads = [*LEADS, LeadRef(1, "", "Zeta Labs", "1")]
    assert lead_resolve("one", leads).status == "none"
    assert lead_resolve("lead one", leads).lead.id == 1
    assert lead_resolve("number one", leads).lead.id == 1
    assert lead_resolve("four two", leads).lead.id == 42
