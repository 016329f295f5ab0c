from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm_saas.errors import DomainError
from tenants.services import operator_create


class Command(BaseCommand):
    help = "Create a platform operator who manages tenants on the platform host."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = operator_create(email=options["email"], password=options["password"])
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Platform operator {user.email} created."))
