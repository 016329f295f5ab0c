from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from crm_saas.crypto.keys import tenant_data_key_rotate_master


class Command(BaseCommand):
    help = (
        "Re-wrap every tenant's data keys under the current master key (the first of CRM_MASTER_KEYS). "
        "Stored objects are not touched. Afterwards the older master keys can be removed from CRM_MASTER_KEYS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = tenant_data_key_rotate_master()
        self.stdout.write(
            f"Master key '{result.master_key_id}': {result.rewrapped} data keys re-wrapped, "
            f"{result.already_current} already current, {result.destroyed} destroyed (skipped), "
            f"{result.failed} failed."
        )
        if result.failed:
            raise CommandError(
                f"{result.failed} data keys could not be unwrapped (see the log): list their master keys in "
                "CRM_MASTER_KEYS and run the command again. Do not remove any master key until this succeeds."
            )
        self.stdout.write(self.style.SUCCESS("Every live data key is wrapped under the current master key."))
