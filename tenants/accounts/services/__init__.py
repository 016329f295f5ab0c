"""Writes for users, sign-in and API tokens in the current tenant's schema."""

from tenants.accounts.services.auth import auth_sign_in
from tenants.accounts.services.tokens import (
    IssuedToken,
    token_authenticate,
    token_issue,
    token_revoke,
)
from tenants.accounts.services.users import (
    normalize_email,
    password_check,
    password_set_path,
    role_check,
    user_create,
    user_deactivate,
    user_invite,
    user_reactivate,
    user_set_password,
    user_update,
)

__all__ = [
    "IssuedToken",
    "auth_sign_in",
    "normalize_email",
    "password_check",
    "password_set_path",
    "role_check",
    "token_authenticate",
    "token_issue",
    "token_revoke",
    "user_create",
    "user_deactivate",
    "user_invite",
    "user_reactivate",
    "user_set_password",
    "user_update",
]
