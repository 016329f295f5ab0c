"""What happens when leads become converted, contributed by other apps without leads knowing them.

Leads must not import the apps built on them, and the house rule is "no signals: the service that
causes a side effect calls it". So the lead services (create, update, import) call
``leads_converted`` when leads become converted, and an app registers the work it wants done, once,
from its ``AppConfig.ready``::

    register_conversion_hook(customers_from_leads)

A hook receives ``leads`` (a list of converted Lead rows, saved) and ``actor`` (the user who
converted them, or None). It runs inside the caller's transaction: if it fails, the conversion is
rolled back with it. Hooks must handle a list in one go (imports convert thousands at once) and be
idempotent (a lead converted again must not produce duplicates).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

ConversionHook = Callable[..., Any]

_hooks: list[ConversionHook] = []


def register_conversion_hook(hook: ConversionHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def conversion_hooks() -> tuple[ConversionHook, ...]:
    return tuple(_hooks)


def leads_converted(*, leads: Sequence[Any], actor: Any) -> None:
    """Tell every registered hook that ``leads`` just became converted."""
    if not leads:
        return
    for hook in _hooks:
        hook(leads=list(leads), actor=actor)
