from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime
from django_tenants.utils import schema_context

from lifecycle.demo import generator_owners
from lifecycle.models import Customer
from lifecycle.stages.service import customer_stages_recompute
from lifecycle.synthetic import lifecycle_generate
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Generate customers with synthetic lifecycle journeys in one tenant (see docs/lifecycle_generator.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="Schema name of the tenant, e.g. demo.")
        parser.add_argument("--customers", type=int, default=500)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--now", help="End of the history (ISO 8601); default: now. Fix it to reproduce rows.")
        parser.add_argument("--replace", action="store_true", help="Delete this seed's earlier synthetic customers.")

    def handle(self, *args: Any, **options: Any) -> None:
        schema = options["tenant"]
        if schema == "public" or not Tenant.objects.filter(schema_name=schema).exists():
            raise CommandError(f"No tenant '{schema}'.")
        if options["customers"] < 1:
            raise CommandError("--customers must be at least 1.")
        now = None
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None:
                raise CommandError("--now is not an ISO 8601 date-time.")
        with schema_context(schema):
            prefix = f"SYN-{options['seed']}-"
            earlier = Customer.objects.filter(external_id__startswith=prefix)
            if earlier.exists():
                if not options["replace"]:
                    raise CommandError(
                        f"Seed {options['seed']} was generated here before; pass --replace or another seed."
                    )
                earlier.delete()
            summary = lifecycle_generate(
                customers=options["customers"], seed=options["seed"], owners=generator_owners(), now=now
            )
            generated = Customer.objects.filter(external_id__startswith=prefix).values_list("pk", flat=True)
            customer_stages_recompute(customer_ids=list(generated), now=now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {summary['created']} customers and {summary['events']:,} events in '{schema}' "
                f"({summary['churned']} churned) in {summary['seconds']:.1f}s."
            )
        )
