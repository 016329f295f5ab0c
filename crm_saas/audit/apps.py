from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "crm_saas.audit"
    label = "audit"
    verbose_name = "Audit log"
