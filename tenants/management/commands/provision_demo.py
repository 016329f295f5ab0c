from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tenants.demo import demo_provision


class Command(BaseCommand):
    help = "Provision the demo workspace (once) and print how to sign in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--credentials-file", default=str(settings.DATA_DIR / "demo-credentials.json"))

    def handle(self, *args: Any, **options: Any) -> None:
        credentials, created = demo_provision(
            credentials_path=Path(options["credentials_file"]),
            public_domain=settings.PUBLIC_DOMAIN,
            port=options["port"],
        )
        if credentials is None:
            self.stdout.write(
                self.style.WARNING(
                    "The demo workspace exists but its credentials file is gone; "
                    "use the passwords you set, or provision another tenant."
                )
            )
            return
        verb = "Provisioned" if created else "Found"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo workspace."))
        self.stdout.write(
            f"\n  Open {credentials.url}\n"
            f"    admin      {credentials.admin_email} / {credentials.admin_password}\n"
            f"    sales rep  {credentials.rep_email} / {credentials.rep_password}\n"
            f"\n  Platform operators: {credentials.operator_url}\n"
            f"    operator   {credentials.operator_email} / {credentials.operator_password}\n"
        )
