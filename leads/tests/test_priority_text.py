"""Reading inquiry text: signals with negation and typos, language, key phrases, and how the
priority combines the score with the text."""

from __future__ import annotations

import numpy as np
import pytest

from leads.priority.analysis import tenant_signal_set
from leads.priority.decide import EvidenceSignal, TextEvidence, Thresholds, decide, level
from leads.priority.generator import generate
from leads.priority.language import detect_language, is_not_english
from leads.priority.phrases import key_phrases
from leads.priority.signals import find_signals, strongest_by_key
from leads.priority.text_model import NotEnoughText, train_text_model


def keys(text: str) -> list[str]:
    return [match.key for match in find_signals(text)]


def test_the_done_means_email_carries_timeline_budget_approved_and_demo_with_spans() -> None:
    text = "We need this live by March, budget approved, can we see a demo?"
    matches = find_signals(text)
    assert [(m.key, text[m.start : m.end]) for m in matches] == [
        ("timeline", "live by March"),
        ("budget_approved", "budget approved"),
        ("demo", "demo"),
    ]
    assert matches[0].label == "timeline: live by March"
    assert matches[1].label == "mentions budget approved"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No budget until next year, just browsing.", ["no_budget", "not_now", "not_now"]),
        ("We don't need a demo, but what's your pricing?", ["pricing"]),
        ("Budget is not approved yet.", ["no_budget"]),
        ("It is not urgent at all.", ["not_now"]),
        ("We have no budget. Can we see a demo?", ["no_budget", "demo"]),  # the negation stops at the sentence
        ("no rush, but we'd like a demmo this week", ["not_now", "demo", "timeline"]),
    ],
)
def test_negation_turns_or_drops_a_signal_within_its_clause(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


def test_common_typos_still_match() -> None:
    assert keys("Our budjet is aproved and I'm the CEO. 25 seats. Pricng?") == [
        "budget_approved",
        "decision_maker",
        "team_size",
        "pricing",
    ]


def test_unsubscribe_and_spam_are_blocking() -> None:
    assert [m.blocking for m in find_signals("Please unsubscribe me")] == [True]
    spam = find_signals("Dear Sir/Madam, our SEO services guarantee backlinks. Click here")
    assert {m.key for m in spam} == {"spam"} and all(m.blocking for m in spam)


def test_the_newest_statement_wins_a_contradiction() -> None:
    newest_first = find_signals("Budget approved since Monday.") + find_signals("There is no budget right now.")
    assert set(strongest_by_key(newest_first)) == {"budget_approved"}
    reversed_order = find_signals("There is no budget right now.") + find_signals("Budget approved since Monday.")
    assert set(strongest_by_key(reversed_order)) == {"no_budget"}


def test_tenant_phrases_are_whole_words_and_negatable() -> None:
    class Row:
        pk, label, points = 7, "asks about SOC 2", 12
        phrase_list = ["SOC 2", "ISO 27001"]

    signals = tenant_signal_set([Row()])
    found = find_signals("Are you SOC  2 compliant? ISO 270011 is not it.", signals)
    assert [(m.key, m.label, m.tenant) for m in found] == [("tenant:7", "asks about SOC 2", True)]
    assert find_signals("We do not need SOC 2.", signals) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("We need this live by March, can we see a demo for the team?", "en"),
        ("Sehr geehrte Damen und Herren, wir möchten eine Demo für unser Team sehen.", "de"),
        ("Bonjour, nous voudrions une démo de votre produit pour notre équipe.", "fr"),
        ("Hola, necesitamos una demo para nuestro equipo de ventas.", "es"),
        ("Hallo, wij willen graag een demo voor ons team.", "nl"),
        ("Demo?", "und"),
        ("Zxq vbnm plkj wert yuiop", "other"),
    ],
)
def test_language_from_stopwords(text: str, code: str) -> None:
    assert detect_language(text) == code
    assert is_not_english(code) == (code not in {"en", "und"})


def test_key_phrases_are_the_content_words() -> None:
    phrases = key_phrases("Hi, we need a CRM for our field sales team. Budget approved; the field sales team is 20.")
    assert phrases[0] == "field sales team"
    assert "budget approved" in phrases and "hi" not in phrases


THRESHOLDS = Thresholds(high_min=65, medium_min=40, text_weight=0.6)


def test_strong_text_lifts_a_middling_score_to_high_with_reasons_first() -> None:
    evidence = TextEvidence(
        signals=[
            EvidenceSignal("timeline", "timeline: live by March", 15),
            EvidenceSignal("budget_approved", "mentions budget approved", 22),
            EvidenceSignal("demo", "asked for a demo this week", 20),
        ],
        language="en",
    )
    decision = decide(score=45, band="C", evidence=evidence, thresholds=THRESHOLDS)
    assert level(45, THRESHOLDS) == "medium"  # the score alone
    assert decision.priority == "high"
    assert decision.value == pytest.approx(0.4 * 45 + 0.6 * 100)
    assert [reason.text for reason in decision.reasons] == [
        "mentions budget approved",
        "asked for a demo this week",
        "timeline: live by March",
        "score band C (45)",
    ]


def test_negative_text_pulls_a_good_score_down_and_blocking_means_low() -> None:
    cold = TextEvidence(signals=[EvidenceSignal("no_budget", "says there is no budget yet", -20)])
    assert decide(score=80, band="A", evidence=cold, thresholds=THRESHOLDS).priority == "medium"  # 0.4*80+0.6*30
    spam = TextEvidence(blocking=EvidenceSignal("spam", "looks like spam", -80, True, 3))
    blocked = decide(score=95, band="A", evidence=spam, thresholds=THRESHOLDS)
    assert blocked.priority == "low" and blocked.reasons[0].text == "looks like spam"


def test_without_messages_the_score_decides_and_the_model_moves_the_text_value() -> None:
    assert decide(score=70, band="B", evidence=None, thresholds=THRESHOLDS).priority == "high"
    assert decide(score=None, band="", evidence=None, thresholds=THRESHOLDS).priority == "medium"
    sure = TextEvidence(model_probability=0.9, model_terms=("pilot",))
    doubtful = TextEvidence(model_probability=0.1)
    assert decide(score=50, band="C", evidence=sure, thresholds=THRESHOLDS).text == pytest.approx(70)
    assert decide(score=50, band="C", evidence=doubtful, thresholds=THRESHOLDS).text == pytest.approx(30)
    german = TextEvidence(language="de")
    assert "written in German" in [
        r.text for r in decide(score=50, band="C", evidence=german, thresholds=THRESHOLDS).reasons
    ]


def test_generator_families_differ_and_link_text_to_outcome() -> None:
    train, heldout = generate(400, family="train", seed=1), generate(400, family="heldout", seed=1)

    def sentences(cases: list) -> set[str]:  # greetings and names aside
        return {part.strip() for case in cases for part in case.text.replace("\n", ". ").split(". ") if len(part) > 15}

    shared = sentences(train) & sentences(heldout)
    assert len(shared) <= 0.01 * len(sentences(heldout)), shared
    keen = [case for case in train if case.intent > 1]
    cold = [case for case in train if case.intent < -1 and case.kind == "inquiry"]
    assert np.mean([case.converted for case in keen]) > np.mean([case.converted for case in cold]) + 0.3
    assert {case.truth for case in train} == {"high", "medium", "low"}
    assert generate(5, family="train", seed=9) == generate(5, family="train", seed=9)


def test_text_model_learns_from_outcomes_and_refuses_thin_history() -> None:
    train = generate(600, family="train", seed=4)
    model = train_text_model([case.text for case in train], np.array([case.converted for case in train]))
    assert model.metrics["auc"] > 0.6
    keen, cold = model.predict_proba(
        [
            "Budget approved, we need it live by March. Can we see a demo? We are 20 sales reps.",
            "Just browsing, no budget.",
        ]
    )
    assert keen > cold
    with pytest.raises(NotEnoughText, match="at least 60 closed leads"):
        train_text_model(["Demo please"] * 30, np.array([0, 1] * 15))
