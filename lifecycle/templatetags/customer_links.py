"""The customer account a lead became, for the lead's page (only one the viewer may open)."""

from __future__ import annotations

from typing import Any

from django import template

from leads.models import Lead, LeadStatus
from lifecycle.models import Customer
from lifecycle.selectors import customers_visible_to

register = template.Library()


@register.simple_tag
def customer_of(lead: Lead, user: Any) -> Customer | None:
    if lead.status != LeadStatus.CONVERTED:
        return None  # only conversion creates or links a customer: no query for open leads
    return customers_visible_to(user).filter(lead=lead).first()
