"""Chart data for the lead-scoring pages: what the charts and their fallback tables are given."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from leads.scoring import charts, service
from leads.services import lead_create
from tests.surface import MANAGER, REP

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
DASH = charts.EN_DASH


def test_importance_keeps_the_strongest_columns_in_order() -> None:
    rows = [{"column": f"c{index}", "label": f"Column {index}", "importance": 1 / (index + 1)} for index in range(20)]
    chart = charts.importance_chart(rows)
    assert len(chart["rows"]) == 15
    assert chart["rows"][0] == {"label": "Column 0", "column": "c0", "importance": 1.0}
    assert "Column 0, Column 1, Column 2" in chart["summary"]
    assert charts.importance_chart([])["rows"] == []


def test_calibration_passes_bin_sizes_only_when_the_metrics_have_them() -> None:
    chart = charts.calibration_chart(
        [{"predicted": 0.1, "observed": 0.2}, {"predicted": 0.8, "observed": 0.7}], holdout_rows=60
    )
    assert chart["rows"] == [
        {"predicted": 0.1, "observed": 0.2, "leads": None},
        {"predicted": 0.8, "observed": 0.7, "leads": None},
    ]
    assert chart["holdout_rows"] == 60
    assert "10 percentage points" in chart["summary"]
    counted = charts.calibration_chart([{"predicted": 0.5, "observed": 0.5, "leads": 12}])
    assert counted["rows"][0]["leads"] == 12


def test_conversion_by_range_and_lift_keep_counts_and_base_rate() -> None:
    by_range = charts.conversion_by_range_chart(
        [
            {"range": "20-30", "leads": 12, "conversion_rate": 0.19},
            {"range": "60-70", "leads": 4, "conversion_rate": 0.75},
        ],
        base_rate=0.42,
    )
    assert [row["range"] for row in by_range["rows"]] == [f"20{DASH}30", f"60{DASH}70"]
    assert by_range["base_rate"] == 0.42
    assert by_range["summary"] == (f"Leads predicted 20{DASH}30 converted at 19%, leads predicted 60{DASH}70 at 75%.")

    lift = charts.lift_chart(
        [
            {"decile": 1, "lift": 2.0, "conversion_rate": 0.8, "leads": 6},
            {"decile": 2, "lift": 0.5, "conversion_rate": 0.2},
        ]
    )
    assert lift["rows"] == [
        {"decile": 1, "lift": 2.0, "conversion_rate": 0.8, "leads": 6},
        {"decile": 2, "lift": 0.5, "conversion_rate": 0.2, "leads": None},
    ]
    assert f"2{charts.TIMES} the base rate" in lift["summary"]


def test_distribution_spans_the_whole_scale() -> None:
    chart = charts.distribution_chart([{"from": 30, "to": 40, "leads": 9}, {"from": 90, "to": 100, "leads": 2}])
    assert [row["range"] for row in chart["rows"]] == [f"{start}{DASH}{start + 10}" for start in range(0, 100, 10)]
    assert [row["leads"] for row in chart["rows"]] == [0, 0, 0, 9, 0, 0, 0, 0, 0, 2]
    assert chart["total"] == 11
    assert chart["summary"] == f"11 scored leads; the most (9) score 30{DASH}40."
    assert charts.distribution_chart([])["total"] == 0


def version(number: int, *, auc: float | None, active: bool = False) -> SimpleNamespace:
    return SimpleNamespace(
        version=number,
        algorithm_label="Random forest",
        metrics={"auc": auc},
        created_at=WHEN.replace(day=number),
        is_active=active,
    )


def test_versions_run_oldest_first_with_the_active_one_flagged() -> None:
    chart = charts.versions_chart([version(2, auc=0.71, active=True), version(1, auc=0.65)])
    assert [(row["label"], row["auc"], row["active"]) for row in chart["rows"]] == [
        ("v1", 0.65, False),
        ("v2", 0.71, True),
    ]
    assert chart["rows"][0]["trained"] == "2026-03-01 09:30:00"  # naive, in TIME_ZONE: Plotly drops offsets
    assert chart["summary"] == "2 version(s); the active v2 has an AUC of 0.710."


def test_factors_split_for_and_against_and_name_their_source() -> None:
    factors = [
        {"label": "Referred lead", "points": 15, "source": "rule"},
        {"label": "Budget: 95", "points": 6.04, "source": "model", "column": "attr__budget"},
        {"label": "No reply in 30 days", "points": -4.5, "source": "rule"},
    ] + [{"label": f"Small {index}", "points": 0.5, "source": "model"} for index in range(10)]
    chart = charts.factors_chart(factors, model_version=3)
    assert len(chart["rows"]) == 8
    first, second, third = chart["rows"][:3]
    assert (first["points_text"], first["direction"], first["source_label"]) == ("+15", "for", "scoring rule")
    assert (second["points"], second["source_label"]) == (6.0, "model v3")
    assert (third["points_text"], third["direction"]) == ("-4.5", "against")
    assert "7 raise the score (most: Referred lead, +15)" in chart["summary"]
    assert "1 lower it (most: No reply in 30 days, -4.5)" in chart["summary"]
    assert charts.factors_chart([], model_version=None) == {"rows": [], "summary": "No strong reasons."}


def test_score_history_runs_oldest_first_with_band_ranges() -> None:
    newest_first = [
        SimpleNamespace(
            scored_at=WHEN.replace(day=3),
            score=80,
            band="A",
            model_version_id=7,
            model_version=SimpleNamespace(version=2),
        ),
        SimpleNamespace(scored_at=WHEN.replace(day=1), score=40, band="C", model_version_id=None, model_version=None),
    ]
    thresholds = SimpleNamespace(band_a_min=75, band_b_min=50, band_c_min=25)
    chart = charts.score_history_chart(newest_first, thresholds=thresholds)
    assert [(row["score"], row["band"], row["scored_by"]) for row in chart["rows"]] == [
        (40, "C", "rules only"),
        (80, "A", "model v2"),
    ]
    assert chart["rows"][0]["at"] == "2026-03-01 09:30:00"
    assert chart["bands"] == [
        {"band": "A", "from": 75, "to": 100},
        {"band": "B", "from": 50, "to": 75},
        {"band": "C", "from": 25, "to": 50},
        {"band": "D", "from": 0, "to": 25},
    ]
    assert chart["summary"] == "2 scores from 40 (band C) to 80 (band A)."


def test_chart_data_survives_json_script_unchanged() -> None:
    # Labels come from tenants' data; json_script must carry them as text, never as markup.
    chart = charts.factors_chart([{"label": "</script><b>x</b>", "points": 3, "source": "rule"}], model_version=None)
    from django.utils.html import json_script

    rendered = json_script(chart, "chart-factors-data")
    assert "</script><b>" not in rendered
    payload = rendered.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert json.loads(payload)["rows"][0]["label"] == "</script><b>x</b>"


@pytest.mark.django_db
def test_lead_page_embeds_chart_data_tables_and_the_local_plotly(alpha) -> None:
    with alpha.active():
        lead = lead_create(actor=alpha.users[REP], data={"company": "Warm", "referred": True, "email": "a@warm.test"})
        service.leads_score([lead])
    page = alpha.web(REP).get(f"/leads/{lead.pk}/")
    html = page.content.decode()
    assert 'id="chart-factors-data"' in html and 'data-chart="factors"' in html
    assert '<table class="table factors-table">' in html and "Referred lead" in html
    # Without JavaScript the numbers show in an open table; the chart box stays hidden until drawn.
    assert '<details class="chart-data" open>' in html and 'aria-label="Reasons for the score' in html
    assert "/static/vendor/plotly/plotly.min.js" in html and "/static/crm_saas/charts.js" in html
    factors = page.context["factors"]["rows"]
    assert factors[0]["source_label"] == "scoring rule"
    assert page.context["score_history"]["rows"][-1]["score"] == page.context["lead"].score


@pytest.mark.django_db
def test_model_page_without_a_model_still_charts_the_scores(alpha) -> None:
    with alpha.active():
        service.leads_score([lead_create(actor=alpha.users[REP], data={"company": "Scored"})])
    page = alpha.web(MANAGER).get("/leads/model/")
    html = page.content.decode()
    assert 'id="chart-distribution-data"' in html
    assert 'data-chart="importance"' not in html  # nothing to show until a model is trained
    assert page.context["distribution"]["total"] == 1
