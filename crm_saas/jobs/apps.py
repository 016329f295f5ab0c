from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "crm_saas.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
