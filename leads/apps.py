from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        from leads.messages import timeline  # noqa: F401  (registers the messages on the lead timeline)
