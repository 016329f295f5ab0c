from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from crm_saas.errors import NotFoundError
from tenants.accounts.models import User


def user_list(*, role: str | None = None, is_active: bool | None = None, search: str = "") -> QuerySet[User]:
    users = User.objects.all()
    if role:
        users = users.filter(role=role)
    if is_active is not None:
        users = users.filter(is_active=is_active)
    if search:
        users = users.filter(email__icontains=search) | users.filter(full_name__icontains=search)
    return users.order_by("email")


def user_get(*, user_id: Any) -> User:
    """A user of the current tenant; any malformed or unknown id is simply 'not found'."""
    try:
        return User.objects.get(pk=int(user_id))
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError("User not found.") from exc
