"""API token lookups, cached for a few seconds: every API request starts with one.

The token and its user (without the password hash, which is deferred and so loaded from the
database only if something reads it) are kept in the shared cache under the key's digest, in the
tenant's key space, for ``API_TOKEN_CACHE_SECONDS`` (0 turns the cache off). Whatever changes
whether a token works drops its entry at once and again when the change commits (a request in
between may have cached the old row): revoking it, any save or delete of the token, and any save
or delete of its user (role, deactivation, capability limit). Bulk updates that bypass signals call
``token_cache_forget_user`` themselves. The expiry date is checked on every request, cached or not.
Should the cache be unreachable, tokens are looked up in the database as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from crm_saas.cache_entries import cache_forget, cache_keep, cache_read_through
from tenants.accounts.models import AuthToken, User


def _key(digest: str) -> str:
    return f"auth-token:{digest}"


def token_cached(digest: str, lookup: Callable[[], AuthToken | None]) -> AuthToken | None:
    """The token with key digest ``digest``, from the cache or from ``lookup()``."""
    seconds = settings.API_TOKEN_CACHE_SECONDS
    if seconds <= 0:
        return lookup()
    return cache_read_through(_key(digest), lookup, seconds=seconds, what="Token")


def token_cache_store(token: AuthToken) -> None:
    seconds = settings.API_TOKEN_CACHE_SECONDS
    if seconds > 0:
        cache_keep(_key(token.key_digest), token, seconds=seconds, what="Token")


def token_cache_forget(digests: Iterable[str]) -> None:
    cache_forget([_key(digest) for digest in digests], what="Token")


def token_cache_forget_user(user_id: int) -> None:
    token_cache_forget(AuthToken.objects.filter(user_id=user_id).values_list("key_digest", flat=True))


@receiver([post_save, post_delete], sender=AuthToken)
def _token_changed(sender: type, instance: AuthToken, **kwargs: Any) -> None:
    token_cache_forget([instance.key_digest])


@receiver([post_save, post_delete], sender=User)
def _user_changed(sender: type, instance: User, **kwargs: Any) -> None:
    # On delete the tokens go too (each one's own post_delete drops its entry); before they do,
    # this drops every entry naming the user.
    token_cache_forget_user(instance.pk)
