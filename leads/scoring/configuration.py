"""Tenant admins edit the point rules and the scoring settings; open leads are rescored after."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from crm_saas.errors import DomainError
from leads.models import RuleOperator, ScoringRule, ScoringSettings
from leads.scoring.rules import rules_ensure_defaults

NUMERIC_OPERATORS = {RuleOperator.GREATER, RuleOperator.LESS, RuleOperator.NO_ACTIVITY_DAYS}
VALUELESS_OPERATORS = {RuleOperator.IS_TRUE, RuleOperator.IS_EMPTY, RuleOperator.NOT_EMPTY}


def _rescore_after_commit() -> None:
    schema_name = connection.schema_name

    def enqueue() -> None:
        from leads.tasks import leads_rescore_open_task

        leads_rescore_open_task.apply_async(headers={"_schema_name": schema_name})

    transaction.on_commit(enqueue)


def _check_rule(rule: ScoringRule) -> None:
    if rule.operator not in RuleOperator.values:
        raise DomainError(f"Unknown operator '{rule.operator}'.", field="operator")
    if not rule.field.strip():
        raise DomainError("Say which field the rule looks at.", field="field")
    if not rule.label.strip():
        raise DomainError("Give the rule a label; it is shown as the reason.", field="label")
    if not -100 <= rule.points <= 100:
        raise DomainError("Points must be between -100 and 100.", field="points")
    if rule.operator in NUMERIC_OPERATORS:
        try:
            float(rule.value)
        except ValueError as exc:
            raise DomainError(f"'{rule.value}' is not a number.", field="value") from exc
    elif rule.operator not in VALUELESS_OPERATORS and not rule.value.strip():
        raise DomainError("This operator needs a value to compare with.", field="value")


@transaction.atomic
def scoring_rule_create(*, data: dict[str, Any]) -> ScoringRule:
    rules_ensure_defaults()
    rule = ScoringRule(**data)
    _check_rule(rule)
    rule.save()
    _rescore_after_commit()
    return rule


@transaction.atomic
def scoring_rule_update(*, rule: ScoringRule, data: dict[str, Any]) -> ScoringRule:
    for name, value in data.items():
        setattr(rule, name, value)
    _check_rule(rule)
    rule.save()
    _rescore_after_commit()
    return rule


@transaction.atomic
def scoring_rule_delete(*, rule: ScoringRule) -> None:
    rule.delete()
    _rescore_after_commit()


@transaction.atomic
def scoring_settings_update(*, data: dict[str, Any]) -> ScoringSettings:
    from leads.scoring.service import scoring_settings

    settings_row = scoring_settings()
    for name, value in data.items():
        setattr(settings_row, name, value)
    if not 100 >= settings_row.band_a_min > settings_row.band_b_min > settings_row.band_c_min >= 0:
        raise DomainError("Band thresholds must descend: 100 >= A > B > C >= 0.", field="band_a_min")
    if not 0 <= settings_row.rules_weight <= 1:
        raise DomainError("The rules weight is between 0 (model only) and 1 (rules only).", field="rules_weight")
    settings_row.save()
    _rescore_after_commit()
    return settings_row
