"""How each CSV column of a lead import is used (the engine is in crm_saas/imports/columns.py)."""

from __future__ import annotations

from crm_saas.imports.columns import ColumnPlan as ColumnPlan
from crm_saas.imports.columns import ImportPlan as ImportPlan
from crm_saas.imports.columns import infer_attribute_type as infer_attribute_type
from crm_saas.imports.columns import is_missing as is_missing
from crm_saas.imports.columns import normalise as normalise
from crm_saas.imports.columns import plan_build as _plan_build

# Lead fields and the column names (normalised) that mean them.
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full_name", "contact", "contact_name", "lead_name", "person"),
    "company": ("company", "company_name", "organization", "organisation", "account", "account_name"),
    "email": ("email", "e_mail", "email_address", "mail"),
    "phone": ("phone", "phone_number", "mobile", "telephone", "tel"),
    "title": ("title", "job_title", "position"),
    "industry": ("industry", "sector"),
    "company_size": ("company_size", "employees", "headcount", "number_of_employees"),
    "country": ("country",),
    "city": ("city", "town"),
    "source": ("source", "lead_source"),
    "utm_source": ("utm_source",),
    "utm_medium": ("utm_medium",),
    "utm_campaign": ("utm_campaign", "campaign"),
    "platform": ("platform", "origin", "lead_origin", "channel"),
    "referred": ("referred", "referral", "is_referral", "referred_by_customer"),
    "status": ("status", "lead_status", "stage"),
    "created_at": ("created_at", "created", "created_date", "creation_date", "date_created"),
    "external_id": ("external_id",),
}
LEAD_FIELDS = frozenset(FIELD_SYNONYMS)

OUTCOME_WON = frozenset({"1", "yes", "y", "true", "t", "converted", "won", "win"})
OUTCOME_LOST = frozenset({"0", "no", "n", "false", "f", "lost", "loss"})


def plan_build(**options) -> ImportPlan:
    """The engine's plan for lead fields; see ``crm_saas.imports.columns.plan_build``."""
    return _plan_build(fields=FIELD_SYNONYMS, entity="lead", **options)
