"""The demo workspace that the run command provisions on first start."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from django_tenants.utils import schema_context

from crm_saas.roles import Role
from tenants.accounts.models import User
from tenants.accounts.services import user_create
from tenants.models import Tenant
from tenants.services import operator_create, tenant_ensure_public, tenant_provision

DEMO_SCHEMA = "demo"


@dataclass
class DemoCredentials:
    url: str
    admin_email: str
    admin_password: str
    rep_email: str
    rep_password: str
    operator_url: str
    operator_email: str
    operator_password: str


def _new_password() -> str:
    return secrets.token_urlsafe(12)


def demo_provision(*, credentials_path: Path, public_domain: str, port: int) -> tuple[DemoCredentials | None, bool]:
    """Provision the demo tenant, a sales rep and a platform operator, once.

    Passwords are random per installation and kept in ``credentials_path`` (outside the repo,
    readable by the owner only) so later starts can show them again. Returns the credentials (None
    when the tenant exists but the file was lost) and whether anything was created.
    """
    tenant_ensure_public()
    if Tenant.objects.filter(schema_name=DEMO_SCHEMA).exists():
        if credentials_path.exists():
            return DemoCredentials(**json.loads(credentials_path.read_text())), False
        return None, False

    domain = f"{DEMO_SCHEMA}.{public_domain}"
    credentials = DemoCredentials(
        url=f"http://{domain}:{port}/",
        admin_email="admin@demo.test",
        admin_password=_new_password(),
        rep_email="rep@demo.test",
        rep_password=_new_password(),
        operator_url=f"http://{public_domain}:{port}/",
        operator_email="operator@platform.test",
        operator_password=_new_password(),
    )
    tenant_provision(
        schema_name=DEMO_SCHEMA,
        name="Demo Company",
        domain=domain,
        admin_email=credentials.admin_email,
        admin_password=credentials.admin_password,
        admin_name="Dana Admin",
    )
    with schema_context(DEMO_SCHEMA):
        rep = user_create(
            email=credentials.rep_email, password=credentials.rep_password, role=Role.SALES_REP, full_name="Sam Rep"
        )
        manager = user_create(email="manager@demo.test", role=Role.MANAGER, full_name="Morgan Manager")
        user_create(email="viewer@demo.test", role=Role.VIEWER, full_name="Vic Viewer")
        _demo_pipeline(owners=[rep, manager])
    if not User.objects.filter(email=credentials.operator_email).exists():
        operator_create(email=credentials.operator_email, password=credentials.operator_password)

    credentials_path.parent.mkdir(parents=True, exist_ok=True)
    credentials_path.write_text(json.dumps(asdict(credentials), indent=2))
    credentials_path.chmod(0o600)
    return credentials, True


def _demo_pipeline(*, owners: list[User]) -> None:
    """Generated leads with history, a trained scoring model, a scored work list, and customers."""
    from leads.demo import demo_leads_generate
    from leads.scoring.service import lead_model_train
    from lifecycle.demo import demo_customers_generate

    demo_leads_generate(owners=owners)
    lead_model_train(actor=owners[-1])
    from leads.priority.service import text_model_train

    text_model_train(actor=owners[-1])  # and every open lead gets its priority
    demo_customers_generate(manager=owners[-1])  # ~120 from converted leads + 300 generated
