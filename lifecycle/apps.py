from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = "Customer lifecycle"

    def ready(self) -> None:
        # Converting a lead creates (or links) its customer account: leads call their conversion
        # hooks from the services that convert, and never import this app.
        from leads.conversion import register_conversion_hook
        from lifecycle.services import customers_from_leads

        register_conversion_hook(customers_from_leads)
