from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "crm_saas.integrations"
    label = "integrations"
    verbose_name = "Integrations (API keys, webhooks, idempotency)"
