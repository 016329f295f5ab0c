"""Realistic generated lead inquiries with a known truth, for the demo workspace, tests and benchmarks.

There is no public labelled corpus of lead inquiries, so the text and its outcome are generated from
the same hidden quantities (docs/lead_priority_generator.md explains the process):

* ``fit`` (company fit, N(0,1)) drives the structured lead score: score = 50 + 15 fit + 5 intent + noise.
* ``intent`` (buying intent, N(0,1)) drives what the lead writes: each kind of statement (demo request,
  budget approved, deadline, decision maker, team size, pricing, competitor...) appears with a
  probability rising with intent; negatives ("no budget until next year", "just browsing") with a
  probability falling with it. So texts mix signals, and a keen lead may still say "no rush".
* conversion probability p = sigmoid(-1.2 + 0.8 fit + 1.7 intent); the truth priority is High when
  p >= 0.5, Medium when p >= 0.2, else Low; the outcome (converted or lost) is drawn from p.
* 4 % spam and 3 % unsubscribe requests (p = 0, Low).

Wording comes from one of two template *families*: ``train`` (used by the demo and to train text
models) and ``heldout`` (different sentences, greetings and closings, written separately) so a model
is never graded on the templates it learnt from. Typos are added to some words.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

FAMILIES = ("train", "heldout")

# statement -> (how strongly intent raises its chance, base log-odds), and per family its wordings.
POSITIVE = {
    "demo": (1.3, -0.6),
    "budget_approved": (1.4, -1.6),
    "deadline": (1.2, -1.3),
    "decision_maker": (0.9, -1.5),
    "team_size": (0.8, -1.0),
    "pricing": (0.6, -0.3),
    "competitor": (0.5, -1.4),
}
NEGATIVE = {
    "no_budget": (-1.3, -1.8),
    "not_now": (-1.2, -1.4),
    "no_demo": (-0.8, -2.5),
}

WORDING: dict[str, dict[str, list[str]]] = {
    "train": {
        "demo": [
            "Can we see a demo?",
            "Could you set up a demo for our team?",
            "We would like a free trial.",
            "Is a demo possible next week?",
            "Please book us a product demo.",
        ],
        "budget_approved": [
            "Budget is approved for this.",
            "We have budget approved for Q{q}.",
            "Our budget has been allocated.",
            "Funding is secured.",
        ],
        "deadline": [
            "We need this live by {month}.",
            "We have to go live before {month}.",
            "It is urgent for us.",
            "We need it up and running this month.",
        ],
        "decision_maker": ["I'm the CEO.", "I am the head of sales here.", "As the founder I make the decision."],
        "team_size": ["We are {n} sales reps.", "It would be for {n} users.", "We need {n} seats."],
        "pricing": ["What does it cost?", "Can you send pricing?", "How much is it per user?"],
        "competitor": ["We currently use {rival}.", "We are switching from {rival}.", "{rival} is too complex for us."],
        "no_budget": ["There is no budget until next year.", "We have no budget right now.", "Budget is frozen."],
        "not_now": [
            "Just browsing for now.",
            "We are not in a hurry.",
            "Maybe next year.",
            "Just researching options.",
        ],
        "no_demo": ["We don't need a demo.", "No need for a call."],
        "filler": [
            "We are a {industry} company.",
            "I found you on Google.",
            "Thanks for the quick reply.",
            "Our team keeps leads in spreadsheets.",
            "We want better reporting.",
        ],
        "greeting": ["Hi,", "Hello,", "Hi there,", ""],
        "closing": ["Thanks, {name}", "Best, {name}", "Regards,\n{name}", "{name}"],
        "spam": [
            "Dear Sir/Madam, we offer SEO services with guaranteed ranking. Click here.",
            "Make money from home with bitcoin, limited time offer!",
            "We sell backlinks to put your site on the first page of Google.",
        ],
        "unsubscribe": ["Please unsubscribe me.", "Remove me from your list.", "Stop emailing me, thanks."],
    },
    "heldout": {
        "demo": [
            "Would love to see the platform in action.",
            "Can someone walk us through it?",
            "Could we try it with a pilot group first?",
            "Happy to join a demonstration if you have slots.",
        ],
        "budget_approved": [
            "Finance signed off the budget last week.",
            "The budget is already in place.",
            "We got the budget confirmed.",
            "Management approved the budget for this project.",
        ],
        "deadline": [
            "Our deadline is end of {month}.",
            "Ideally ready by the end of the quarter.",
            "Need a decision within two weeks.",
            "We want to roll it out ASAP.",
        ],
        "decision_maker": [
            "I sign off on tools for the company.",
            "I'm the owner of the business.",
            "As CFO I have the final say.",
        ],
        "team_size": ["Roughly {n} people would use it.", "Our team has {n} agents.", "Licences for {n} staff."],
        "pricing": ["Could you share a quote?", "What are your rates for a team our size?", "Any pricing for NGOs?"],
        "competitor": [
            "Moving off {rival} is the plan.",
            "Compared with {rival}, what is different?",
            "Our {rival} contract ends soon.",
        ],
        "no_budget": [
            "Honestly we can't afford much this year.",
            "No budget until next year, sorry.",
            "Our budget is not approved yet.",
        ],
        "not_now": [
            "This is an early stage exploration.",
            "Probably something for in a few months.",
            "It's for a student project.",
            "No rush on our side.",
        ],
        "no_demo": ["A demo won't be necessary.", "We don't want a call yet."],
        "filler": [
            "Came across your site at a conference.",
            "We run a small {industry} business.",
            "Our CRM today is a mess of emails.",
            "A colleague mentioned you.",
        ],
        "greeting": ["Good morning,", "Hey team,", "Dear all,", "Hiya,", ""],
        "closing": ["Cheers,\n{name}", "Kind regards, {name}", "-- {name}", "Sent from my phone"],
        "spam": [
            "Winner! You have won a casino bonus, click here to claim.",
            "Cheap loan offer, 100% free, work from home today.",
            "Our SEO agency guarantees traffic. Dear friend, reply now.",
        ],
        "unsubscribe": ["Take me off your mailing list.", "Opt out please.", "Do not contact me again."],
    },
}
MONTHS = ["January", "February", "March", "April", "May", "June", "September", "October", "November"]
RIVALS = ["Salesforce", "HubSpot", "Pipedrive", "Zoho", "spreadsheets"]
INDUSTRIES = ["logistics", "retail", "healthcare", "software", "finance", "education"]
NAMES = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas"]
TYPOS = {
    "demo": "demmo",
    "budget": "budjet",
    "approved": "aproved",
    "pricing": "pricng",
    "urgent": "urgnet",
    "next": "nxt",
    "would": "woud",
    "please": "pls",
    "thanks": "thx",
    "allocated": "alocated",
}
CHANNELS = [("form", 0.45), ("email", 0.4), ("chat", 0.15)]


@dataclass(frozen=True)
class Inquiry:
    text: str
    channel: str
    score: int
    fit: float
    intent: float
    probability: float
    truth: str  # high, medium, low
    converted: bool
    kind: str  # inquiry, spam, unsubscribe
    statements: tuple[str, ...] = ()


def _sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value))


def truth_of(probability: float) -> str:
    return "high" if probability >= 0.5 else ("medium" if probability >= 0.2 else "low")


def _typos(rng: random.Random, text: str, rate: float) -> str:
    words = text.split(" ")
    for index, word in enumerate(words):
        bare = word.strip(".,?!").lower()
        if bare in TYPOS and rng.random() < rate * 3:
            words[index] = word.lower().replace(bare, TYPOS[bare])
        elif len(word) > 4 and rng.random() < rate:
            cut = rng.randrange(1, len(word) - 1)
            words[index] = word[:cut] + word[cut + 1 :]  # a dropped letter
    return " ".join(words)


def _fill(rng: random.Random, sentence: str) -> str:
    return sentence.format(
        month=rng.choice(MONTHS),
        q=rng.randint(1, 4),
        n=rng.choice([5, 8, 12, 20, 35, 60, 120]),
        rival=rng.choice(RIVALS),
        industry=rng.choice(INDUSTRIES),
        name=rng.choice(NAMES),
    )


def inquiry_text(
    rng: random.Random, *, intent: float, family: str = "train", typo_rate: float = 0.03
) -> tuple[str, tuple[str, ...]]:
    """A text for a lead of this ``intent``, and the statements it contains."""
    words = WORDING[family]
    statements = [key for key, (slope, base) in POSITIVE.items() if rng.random() < _sigmoid(base + slope * intent)]
    statements += [key for key, (slope, base) in NEGATIVE.items() if rng.random() < _sigmoid(base + slope * intent)]
    rng.shuffle(statements)
    sentences = [_fill(rng, rng.choice(words[key])) for key in statements]
    for _ in range(rng.choice([1, 1, 2])):
        sentences.insert(rng.randrange(len(sentences) + 1), _fill(rng, rng.choice(words["filler"])))
    greeting = rng.choice(words["greeting"])
    closing = _fill(rng, rng.choice(words["closing"]))
    body = " ".join(sentences)
    text = "\n".join(part for part in (greeting, _typos(rng, body, typo_rate), closing) if part)
    return text, tuple(statements)


def generate(n: int, *, family: str = "train", seed: int = 0) -> list[Inquiry]:
    if family not in FAMILIES:
        raise ValueError(f"family is one of {FAMILIES}")
    rng = random.Random(f"{family}:{seed}")  # noqa: S311 - generated data, not secrets
    cases = []
    for _ in range(n):
        fit, intent = rng.gauss(0, 1), rng.gauss(0, 1)
        score = int(min(100, max(0, round(50 + 15 * fit + 5 * intent + rng.gauss(0, 8)))))
        channel = rng.choices([name for name, _ in CHANNELS], weights=[weight for _, weight in CHANNELS])[0]
        draw = rng.random()
        if draw < 0.04 or draw < 0.07:
            kind = "spam" if draw < 0.04 else "unsubscribe"
            text = _fill(rng, rng.choice(WORDING[family][kind]))
            cases.append(Inquiry(text, channel, score, fit, intent, 0.0, "low", False, kind, (kind,)))
            continue
        text, statements = inquiry_text(rng, intent=intent, family=family)
        probability = _sigmoid(-1.2 + 0.8 * fit + 1.7 * intent)
        converted = rng.random() < probability
        cases.append(
            Inquiry(
                text, channel, score, fit, intent, probability, truth_of(probability), converted, "inquiry", statements
            )
        )
    return cases
