"""Realistic demo leads, generated (no real people): a closed history a model can learn from and a
pipeline of open leads to rank.

Each lead has a hidden interest level. Interest, the source (referrals convert best, cold outreach
worst) and company size drive both its engagement (visits, time on site, e-mail opens and clicks,
forms, meetings) and, through a logistic link, whether it converted. Deterministic for a seed.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from leads.models import ActivityKind, CustomField, CustomFieldType, Lead, LeadActivity, LeadStatus
from tenants.accounts.models import User

FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kara",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Yara",
    "Zoe",
]
LAST = [
    "Adams",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Novak",
    "Okafor",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Varga",
    "Weber",
    "Young",
]
COMPANY_A = ["Nimbus", "Atlas", "Copper", "Harbor", "Lumen", "Orbit", "Pioneer", "Quartz", "Summit", "Vertex"]
COMPANY_B = ["Logistics", "Health", "Retail", "Labs", "Finance", "Foods", "Energy", "Media", "Systems", "Travel"]
INDUSTRIES = ["Software", "Retail", "Healthcare", "Finance", "Logistics", "Education", "Manufacturing"]
SIZES = [("1-10", -0.4), ("11-50", 0.0), ("51-200", 0.3), ("201-1000", 0.4), ("1000+", 0.1)]
SOURCES = [
    ("referral", 1.1),
    ("web", 0.2),
    ("event", 0.5),
    ("partner", 0.6),
    ("paid search", -0.1),
    ("cold outreach", -0.9),
]
COUNTRIES = ["Germany", "United Kingdom", "France", "Netherlands", "Spain", "United States", "India"]
TITLES = ["CEO", "CTO", "Head of Sales", "Operations Manager", "Marketing Lead", "IT Director", "Analyst"]


def _activities(rng: random.Random, lead: Lead, interest: float, start, end) -> list[LeadActivity]:
    span = max(1.0, (end - start).total_seconds())
    rows = []

    def add(kind: str, count: int, quantity=lambda: 1.0) -> None:
        for _ in range(count):
            at = start + timedelta(seconds=rng.random() * span)
            rows.append(LeadActivity(lead=lead, kind=kind, occurred_at=at, quantity=quantity()))

    level = max(0.0, interest + 1.5)

    def count(mean: float) -> int:
        return max(0, round(rng.gauss(mean, 0.35 * mean + 0.5)))

    add(ActivityKind.VISIT, count(1 + 2.5 * level))
    add(ActivityKind.TIME_ON_SITE, count(1 + 1.5 * level), lambda: round(rng.uniform(30, 120) * (1 + level)))
    opens = count(1 + 2 * level)
    add(ActivityKind.EMAIL_OPEN, opens)
    add(ActivityKind.EMAIL_CLICK, sum(rng.random() < 0.15 + 0.1 * level for _ in range(opens)))
    add(ActivityKind.FORM_SUBMISSION, int(rng.random() < 0.2 + 0.15 * level))
    add(ActivityKind.MEETING, int(rng.random() < 0.05 + 0.12 * level))
    return rows


@transaction.atomic
def demo_leads_generate(*, owners: list[User], closed: int = 600, open_leads: int = 120, seed: int = 7) -> int:
    """Create ``closed`` historical and ``open_leads`` current leads with their engagement."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    CustomField.objects.get_or_create(
        key="budget_known", defaults={"label": "Budget known", "type": CustomFieldType.BOOLEAN}
    )
    CustomField.objects.get_or_create(key="seats", defaults={"label": "Seats wanted", "type": CustomFieldType.NUMBER})
    now = timezone.now()
    leads: list[Lead] = []
    plans = []
    for index in range(closed + open_leads):
        is_open = index >= closed
        source, source_effect = rng.choice(SOURCES)
        size, size_effect = rng.choice(SIZES)
        interest = rng.gauss(0, 1)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"
        created = now - timedelta(days=rng.uniform(1, 30) if is_open else rng.uniform(40, 330))
        decided = created + timedelta(days=rng.uniform(5, 35))
        logit = -0.9 + 1.1 * interest + source_effect + size_effect
        converted = rng.random() < 1 / (1 + math.exp(-logit))
        status = LeadStatus.NEW if is_open else (LeadStatus.CONVERTED if converted else LeadStatus.LOST)
        if is_open and rng.random() < 0.4:
            status = rng.choice([LeadStatus.CONTACTED, LeadStatus.QUALIFIED])
        lead = Lead(
            name=f"{first} {last}",
            company=company,
            email=f"{first}.{last}@{company.split()[0].lower()}.example".lower(),
            phone=f"+49 30 {rng.randint(1000000, 9999999)}" if rng.random() < 0.6 else "",
            title=rng.choice(TITLES),
            industry=rng.choice(INDUSTRIES),
            company_size=size,
            country=rng.choice(COUNTRIES),
            source=source,
            referred=source == "referral",
            status=status,
            owner=rng.choice(owners),
            created_at=created,
            converted_at=decided if status == LeadStatus.CONVERTED else None,
            lost_at=decided if status == LeadStatus.LOST else None,
            attributes={"budget_known": rng.random() < 0.3 + 0.2 * (interest > 0), "seats": rng.randint(1, 200)},
        )
        leads.append(lead)
        plans.append((interest, created, now if is_open else decided))
    Lead.objects.bulk_create(leads)
    activities = [
        activity
        for lead, (interest, start, end) in zip(leads, plans, strict=True)
        for activity in _activities(rng, lead, interest, start, end)
    ]
    LeadActivity.objects.bulk_create(activities, batch_size=5000)
    from leads.priority.demo import demo_messages_generate

    demo_messages_generate(
        rng, [(lead, interest, start, end) for lead, (interest, start, end) in zip(leads, plans, strict=True)]
    )
    return len(leads)
