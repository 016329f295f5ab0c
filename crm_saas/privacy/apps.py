from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "crm_saas.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        # Every installed app's ``privacy`` module registers its provider on import.
        autodiscover_modules("privacy")
