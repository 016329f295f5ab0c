from __future__ import annotations

import pytest

from leads.demo import demo_leads_generate
from leads.models import Lead, LeadActivity
from leads.scoring.service import lead_model_train
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.django_db


def test_demo_pipeline_is_learnable_and_deterministic(alpha) -> None:
    with alpha.active():
        assert demo_leads_generate(owners=[alpha.users[REP], alpha.users[MANAGER]], closed=400, open_leads=50) == 450
        converted = Lead.objects.filter(status="converted").count()
        assert 80 < converted < 320
        assert LeadActivity.objects.count() > 1000
        first = list(Lead.objects.order_by("pk").values_list("company", "source")[:5])
        version = lead_model_train(actor=alpha.users[MANAGER])
        assert version.metrics["auc"] > 0.7
        ranked = list(Lead.objects.filter(score__isnull=False).order_by("-score").values_list("score", flat=True))
        assert len(ranked) == 50 and ranked[0] > ranked[-1]
        Lead.objects.all().delete()
        demo_leads_generate(owners=[alpha.users[REP], alpha.users[MANAGER]], closed=400, open_leads=50)
        assert list(Lead.objects.order_by("pk").values_list("company", "source")[:5]) == first


def test_demo_leads_write_in_and_get_priorities_from_a_trained_text_model(alpha) -> None:
    from leads.models import LeadMessage
    from leads.priority.service import text_model_train

    with alpha.active():
        demo_leads_generate(owners=[alpha.users[REP], alpha.users[MANAGER]], closed=400, open_leads=50)
        assert LeadMessage.objects.count() > 300
        lead_model_train(actor=alpha.users[MANAGER])
        version = text_model_train(actor=alpha.users[MANAGER])
        assert version.metrics["auc"] > 0.6  # what leads wrote says something about how they ended
        open_leads = Lead.objects.filter(status__in=["new", "contacted", "qualified"])
        priorities = set(open_leads.values_list("priority", flat=True))
        assert priorities <= {"high", "medium", "low"} and len(priorities) >= 2
        assert not open_leads.filter(priority="").exists()
