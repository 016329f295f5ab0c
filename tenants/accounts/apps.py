from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tenants.accounts"
    label = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from tenants.accounts import token_cache  # noqa: F401 - connects the cache's signal handlers
