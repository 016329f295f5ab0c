"""The customer page's churn and next-action panels read their data here, so the page's view
stays as it is: ``{% customer_churn customer as churn %}``, ``{% customer_next_actions customer as next %}``."""

from __future__ import annotations

from typing import Any

from django import template

from crm_saas.roles import Capability
from lifecycle.churn import service
from lifecycle.churn.factors import HIGH_RISK, MEDIUM_RISK
from lifecycle.models import Customer, NextActionStatus
from lifecycle.next_actions import service as actions

register = template.Library()
HISTORY_POINTS = 12


@register.simple_tag
def customer_churn(customer: Customer) -> dict[str, Any]:
    """Latest risk with its drivers (split into raising and lowering) and the recent history."""
    latest = service.customer_churn_latest(customer)
    factors = latest.factors if latest else []
    history = service.customer_churn_history(customer, limit=HISTORY_POINTS)
    return {
        "latest": latest,
        "raising": [factor for factor in factors if factor["contribution"] > 0][:5],
        "lowering": [factor for factor in factors if factor["contribution"] < 0][:3],
        "history": history,
        "high_risk": HIGH_RISK,
        "medium_risk": MEDIUM_RISK,
    }


@register.simple_tag(takes_context=True)
def customer_next_actions(context: template.Context, customer: Customer) -> dict[str, Any]:
    """Open actions, the last few decisions, and whether the viewer may decide."""
    user = context["request"].user
    return {
        "open": list(actions.customer_next_actions(customer)),
        "decided": list(actions.customer_next_actions(customer, status=None).exclude(status=NextActionStatus.OPEN)[:5]),
        "can_decide": user.has_capability(Capability.RECORDS_WRITE),
    }


@register.filter
def signed(value: float) -> str:
    """+0.12 / -0.05: a driver's share of the risk."""
    try:
        return f"{float(value):+.2f}"
    except (TypeError, ValueError):
        return ""
