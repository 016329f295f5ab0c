"""Customers and events for tests, through the services (so invariants hold)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from lifecycle.models import Customer
from lifecycle.services import customer_create
from tenants.accounts.models import User


def make_customer(*, actor: User, days_ago: float = 200, **data: Any) -> Customer:
    data.setdefault("name", "Casey Customer")
    data.setdefault("signed_up_at", timezone.now() - timedelta(days=days_ago))
    return customer_create(actor=actor, data=data)
