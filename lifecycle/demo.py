"""The demo workspace's customers: some converted demo leads become customers (through the same
conversion as in the product), and the synthetic generator gives them and a few hundred more
customers two years of history; a churn model is then trained on them and every customer scored."""

from __future__ import annotations

from typing import Any

from crm_saas.errors import DomainError
from crm_saas.roles import Role
from leads.selectors import LeadFilters, lead_list_for_user
from lifecycle.churn.service import churn_model_train
from lifecycle.services import customers_from_leads
from lifecycle.stages.service import customer_stages_recompute
from lifecycle.synthetic import lifecycle_generate
from tenants.accounts.models import User


def generator_owners() -> list[User]:
    """Who owns generated customers: the tenant's active reps and managers (anyone active if none)."""
    users = User.objects.filter(is_active=True).order_by("pk")
    owners = list(users.filter(role__in=[Role.SALES_REP, Role.MANAGER]))
    return owners or list(users)


def demo_customers_generate(
    *, manager: User, from_leads: int = 120, customers: int = 300, seed: int = 7
) -> dict[str, Any]:
    """Customers from up to ``from_leads`` converted demo leads plus ``customers`` generated ones."""
    converted = lead_list_for_user(user=manager, filters=LeadFilters(status="converted", ordering="created_at"))
    linked = customers_from_leads(leads=list(converted[:from_leads]), actor=manager)
    generated = lifecycle_generate(customers=customers, seed=seed, owners=generator_owners(), existing=linked)
    # A trained churn model, so every customer shows its risk, drivers, history and next actions.
    try:
        version = churn_model_train(actor=manager)
    except DomainError:  # a small demo (tests) may have too few cancellations to learn from
        version = None
    # Stages and their whole history (risk included), so lists and timelines tell each story from day one.
    generated["stages"] = customer_stages_recompute().customers
    return {
        **generated,
        "churn_model_version": version.version if version else None,
        "churn_auc": version.metrics.get("auc") if version else None,
    }
