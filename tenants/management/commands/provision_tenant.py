from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm_saas.errors import DomainError
from tenants.services import tenant_provision


class Command(BaseCommand):
    help = "Create a tenant: its schema, its domain and its first admin, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("schema_name", help="PostgreSQL schema, e.g. acme")
        parser.add_argument("--name", required=True, help='Display name, e.g. "Acme Inc"')
        parser.add_argument("--domain", required=True, help="Host name, e.g. acme.localhost")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--admin-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            provisioned = tenant_provision(
                schema_name=options["schema_name"],
                name=options["name"],
                domain=options["domain"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                admin_name=options["admin_name"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Tenant '{provisioned.tenant.schema_name}' ready at {provisioned.domain.domain} "
                f"(admin {provisioned.admin_email}) in {elapsed:.2f}s."
            )
        )
