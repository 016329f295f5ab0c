"""Next best actions: kept in line with each scoring, accepted into follow-ups or dismissed.

After a customer is scored its recommendations are recomputed: an open action the playbook still
recommends is updated (title, rationale with today's numbers, rank), a new one is opened, and one
it no longer recommends expires. An action a rep accepted or dismissed in the last
``QUIET_DAYS`` is not recommended again in that time, so reps are not asked twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from crm_saas.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from crm_saas.roles import Capability
from lifecycle.models import Customer, NextAction, NextActionStatus
from lifecycle.next_actions.playbook import PLAYS, recommend
from lifecycle.selectors import customers_visible_to
from tenants.accounts.models import User

if TYPE_CHECKING:
    from lifecycle.churn.service import ScoredRows

QUIET_DAYS = 30
REASON_MAX_LENGTH = NextAction._meta.get_field("dismiss_reason").max_length


def next_actions_refresh(*, scored: ScoredRows, now: datetime | None = None) -> None:
    """Bring the open actions of the scored customers in line with the playbook (bulk); run after
    their stages were recomputed, since the at-risk stage is one of the playbook's inputs."""
    now = now or timezone.now()
    ids = [int(customer_id) for customer_id in scored.frame["customer_id"]]
    stages = {
        pk: (stage, reason)
        for pk, stage, reason in Customer.objects.filter(pk__in=ids).values_list("pk", "stage", "stage_reason")
    }
    wanted: dict[int, list[Any]] = {}
    for row, values in enumerate(scored.frame.to_dict("records")):
        stage, reason = stages.get(ids[row], (None, ""))
        wanted[ids[row]] = recommend(
            risk=float(scored.risks[row]),
            factors=scored.factors[row],
            values=values,
            now=now,
            stage=stage,
            stage_reason=reason,
        )
    open_actions = {
        (action.customer_id, action.code): action
        for action in NextAction.objects.filter(customer_id__in=ids, status=NextActionStatus.OPEN)
    }
    quiet = set(
        NextAction.objects.filter(
            customer_id__in=ids,
            status__in=[NextActionStatus.ACCEPTED, NextActionStatus.DISMISSED],
            decided_at__gte=now - timedelta(days=QUIET_DAYS),
        ).values_list("customer_id", "code")
    )
    created, updated, kept = [], [], set()
    for customer_id, recommendations in wanted.items():
        rank = 0
        for recommendation in recommendations:
            key = (customer_id, recommendation.code)
            if key in quiet:
                continue
            rank += 1
            fields = {
                "title": recommendation.title[:200],
                "rationale": recommendation.rationale[:500],
                "strength": round(recommendation.strength, 3),
                "rank": rank,
            }
            action = open_actions.get(key)
            if action is None:
                created.append(NextAction(customer_id=customer_id, code=recommendation.code, created_at=now, **fields))
            else:
                kept.add(key)
                for name, value in fields.items():
                    setattr(action, name, value)
                updated.append(action)
    expired = [action.pk for key, action in open_actions.items() if key not in kept]
    with transaction.atomic():
        NextAction.objects.filter(pk__in=expired).update(status=NextActionStatus.EXPIRED, decided_at=now)
        NextAction.objects.bulk_update(updated, ["title", "rationale", "strength", "rank"], batch_size=1000)
        NextAction.objects.bulk_create(created, batch_size=1000)


# --- reads -------------------------------------------------------------------------------------


def customer_next_actions(customer: Customer, *, status: str | None = NextActionStatus.OPEN) -> QuerySet[NextAction]:
    """The customer's actions (open ones by default), best first. Get ``customer`` through
    ``customer_get_for_user``."""
    actions = customer.next_actions.select_related("follow_up", "decided_by")
    if status:
        actions = actions.filter(status=status)
    return (
        actions.order_by("rank", "-strength", "id")
        if status == NextActionStatus.OPEN
        else actions.order_by("-created_at", "-id")
    )


def next_action_get_for_user(*, user: User, action_id: Any) -> NextAction:
    """An action on a customer the user may see; missing and not-yours answer alike."""
    try:
        return NextAction.objects.select_related("customer", "customer__owner").get(
            pk=int(action_id), customer__in=customers_visible_to(user)
        )
    except (NextAction.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundError("Next action not found.") from exc


@dataclass(frozen=True)
class AcceptanceRate:
    code: str
    name: str
    recommended: int
    accepted: int
    dismissed: int
    expired: int
    open: int

    @property
    def decided(self) -> int:
        return self.accepted + self.dismissed

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted among the actions reps decided on (None before any decision)."""
        return round(self.accepted / self.decided, 4) if self.decided else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "recommended": self.recommended,
            "accepted": self.accepted,
            "dismissed": self.dismissed,
            "expired": self.expired,
            "open": self.open,
            "acceptance_rate": self.acceptance_rate,
        }


def acceptance_rates() -> list[AcceptanceRate]:
    """Per playbook code, what happened to its recommendations (most recommended first)."""
    counts = {
        row["code"]: row
        for row in NextAction.objects.values("code").annotate(
            total=Count("id"),
            accepted=Count("id", filter=Q(status=NextActionStatus.ACCEPTED)),
            dismissed=Count("id", filter=Q(status=NextActionStatus.DISMISSED)),
            expired=Count("id", filter=Q(status=NextActionStatus.EXPIRED)),
            open=Count("id", filter=Q(status=NextActionStatus.OPEN)),
        )
    }
    rates = [
        AcceptanceRate(
            code=code,
            name=PLAYS[code].name if code in PLAYS else code,
            recommended=row["total"],
            accepted=row["accepted"],
            dismissed=row["dismissed"],
            expired=row["expired"],
            open=row["open"],
        )
        for code, row in counts.items()
    ]
    return sorted(rates, key=lambda rate: (-rate.recommended, rate.code))


# --- decisions ---------------------------------------------------------------------------------


def _decision_check(*, action: NextAction, actor: User) -> None:
    if not actor.has_capability(Capability.RECORDS_WRITE):
        raise PermissionDeniedError("Your role can read customers but not act on them.")
    if action.status != NextActionStatus.OPEN:
        raise ConflictError(f"This action was already {action.get_status_display().lower()}.")


@transaction.atomic
def next_action_accept(
    *, action: NextAction, actor: User, due_at: datetime | None = None, title: str = ""
) -> NextAction:
    """Accept: schedule the play's follow-up (for the customer's owner, or the actor) and record
    who decided when. Get ``action`` through ``next_action_get_for_user``."""
    from leads.services import customer_follow_up_schedule

    action = NextAction.objects.select_for_update().select_related("customer").get(pk=action.pk)
    _decision_check(action=action, actor=actor)
    play = PLAYS.get(action.code)
    now = timezone.now()
    due_at = due_at or now + timedelta(days=play.due_in_days if play else 2)
    follow_up = customer_follow_up_schedule(
        customer=action.customer,
        actor=actor,
        due_at=due_at,
        kind=play.follow_up_kind if play else "follow_up",
        title=(title or f"{action.title}: {action.customer.display_name}")[:200],
    )
    action.status = NextActionStatus.ACCEPTED
    action.follow_up = follow_up
    action.decided_by = actor
    action.decided_at = now
    action.save(update_fields=["status", "follow_up", "decided_by", "decided_at"])
    return action


@transaction.atomic
def next_action_dismiss(*, action: NextAction, actor: User, reason: str) -> NextAction:
    """Dismiss with the reason (required: it is what improves the playbook)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("Say why the action is dismissed.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(f"A reason is at most {REASON_MAX_LENGTH} characters.", field="reason")
    action = NextAction.objects.select_for_update().get(pk=action.pk)
    _decision_check(action=action, actor=actor)
    action.status = NextActionStatus.DISMISSED
    action.dismiss_reason = reason
    action.decided_by = actor
    action.decided_at = timezone.now()
    action.save(update_fields=["status", "dismiss_reason", "decided_by", "decided_at"])
    return action
