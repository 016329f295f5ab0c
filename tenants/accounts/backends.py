from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Sign-in by e-mail (case-insensitive) against the users of the current schema.

    Inactive users cannot authenticate, and their existing sessions stop resolving to a user.
    Permissions come from roles (crm_saas.roles), not from Django's permission tables.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
