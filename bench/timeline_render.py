"""Benchmark: the customer timeline page for a customer with 2,000 events.

Builds a throwaway database and tenant, one customer with two years of history (2,000 events by
default: logins, usage, invoices, tickets, NPS, plan changes, a renewal, failed payments), a
monthly churn-risk history, two open next best actions and its stage history, then measures:

- server: the whole page through Django's middleware, view, selector and template, in process
  (median and p95 of --runs requests), with the size of the HTML and of the embedded chart data;
- browser: gunicorn serving the page to headless Chromium (Debian's build, as in the browser
  tests): the HTTP response time the browser saw and the time from navigation start until the
  Plotly chart is drawn (the page marks it ``chart-ready``), median and p95 of --runs page loads.

Usage: .venv/bin/python bench/timeline_render.py [--events 2000] [--runs 15]
       BENCH_PROFILE=1 prints a profile of the timeline data selector instead.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from common import BASE_DIR, bench_tenant, django_setup, recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_saas_bench_timeline"
SCHEMA = "bench_timeline"
HOST = "bench-timeline.localhost"
PORT = 8741
# Records when the chart container gets its "chart-ready" class, before any page script runs.
READY_PROBE = """
window.__chartReady = null;
window.__plotlyAt = null;
// When plotly.min.js has run (it assigns window.Plotly), to split parsing from drawing.
(function () {
  let value;
  Object.defineProperty(window, "Plotly", {
    configurable: true,
    get: function () { return value; },
    set: function (plotly) { value = plotly; window.__plotlyAt = performance.now(); },
  });
})();
new MutationObserver(function (changes, observer) {
  const plot = document.getElementById("timeline-plot");
  if (plot && plot.classList.contains("chart-ready")) {
    window.__chartReady = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["class"] });
"""


def build_customer(events: int) -> int:
    """One customer with ``events`` events over two years; returns its id."""
    from django.utils import timezone

    from lifecycle.models import ChurnPrediction, Customer, LifecycleEvent, NextAction
    from lifecycle.services import customers_after_events
    from lifecycle.stages.service import customer_stages_recompute
    from tenants.accounts.models import User

    rng = random.Random(11)
    now = timezone.now()
    start = now - timedelta(days=730)
    customer = Customer.objects.create(
        name="Bench Customer",
        company="Bench Co",
        plan="Business",
        mrr=Decimal("299"),
        signed_up_at=start,
        owner=User.objects.get(),
    )

    def at(day: float) -> timezone.datetime:
        return start + timedelta(days=day)

    rows = [("signup", 0, {}), ("first_purchase", 3, {"amount": Decimal("299")})]
    rows += [("purchase", 3 + 30.4 * month, {"amount": Decimal("299")}) for month in range(1, 24)]
    rows += [("renewal", 365, {"amount": Decimal("3049")})]
    rows += [("plan_upgrade", 120, {"metadata": {"from": "Team", "to": "Business", "plan": "Business"}})]
    rows += [("plan_downgrade", 540, {"metadata": {"from": "Business", "to": "Team", "plan": "Team"}})]
    rows += [("payment_failed", day, {"amount": Decimal("299")}) for day in (215, 460, 700)]
    for _ in range(12):
        day = rng.uniform(5, 725)
        severity = rng.choice(["low", "medium", "high", "urgent"])
        rows += [("ticket_opened", day, {"severity": severity, "note": "Export fails"})]
        rows += [("ticket_closed", day + rng.uniform(0.1, 3), {"severity": severity})]
    rows += [("nps", 45 + 90 * quarter, {"score": rng.randint(3, 10)}) for quarter in range(8)]
    rows += [("feedback", rng.uniform(10, 720), {"note": "Wants single sign-on"}) for _ in range(5)]
    rows += [("usage", 7 * week + 1, {"quantity": rng.randint(2, 40)}) for week in range(104)]
    while len(rows) < events:  # logins fill the rest, a few a day
        rows.append(("login", rng.uniform(0.5, 729.5), {}))
    LifecycleEvent.objects.bulk_create(
        [
            LifecycleEvent(customer=customer, kind=kind, occurred_at=at(day), **values)
            for kind, day, values in rows[:events]
        ]
    )
    customers_after_events(customer_ids=[customer.pk])
    risk, history = 0.2, []
    for month in range(24):
        risk = min(0.9, max(0.05, risk + rng.uniform(-0.08, 0.1)))
        history.append(
            ChurnPrediction(
                customer=customer,
                risk=round(risk, 3),
                band="high" if risk >= 0.5 else "low",
                as_of=at(15 + 30.4 * month),
            )
        )
    ChurnPrediction.objects.bulk_create(history)
    Customer.objects.filter(pk=customer.pk).update(
        churn_risk=round(risk, 3), churn_band="high" if risk >= 0.5 else "low", churn_scored_at=now
    )
    NextAction.objects.create(
        customer=customer, code="check_in", title="Book a check-in call", rationale="Usage fell.", rank=1
    )
    NextAction.objects.create(
        customer=customer, code="training", title="Offer training", rationale="Setup tickets.", rank=2
    )
    customer_stages_recompute(customer_ids=[customer.pk])
    return customer.pk


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(label: str, values: list[float]) -> str:
    return (
        f"{label}: median {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms (n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    data_dir = Path(tempfile.mkdtemp(prefix="crm-bench-timeline-"))
    os.environ["DJANGO_DEBUG"] = "false"  # no query log: measure the page, not the debugger
    django_setup(database_url=url, data_dir=data_dir)

    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from lifecycle.charts.timeline import customer_timeline_chart
    from lifecycle.models import Customer, LifecycleEvent
    from lifecycle.stages.service import stage_rules
    from tenants.accounts.models import User

    server: subprocess.Popen | None = None
    try:
        bench_tenant(SCHEMA)
        with schema_context(SCHEMA):
            customer_id = build_customer(args.events)
            count = LifecycleEvent.objects.filter(customer_id=customer_id).count()
            client = Client(HTTP_HOST=HOST)
            client.force_login(User.objects.get())
            path = f"/customers/{customer_id}/timeline/"
            client.get(path)  # warm: templates, first connection
            server_ms = []
            for _ in range(args.runs):
                began = time.perf_counter()
                response = client.get(path)
                server_ms.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, response.status_code
            html_kb = len(response.content) / 1024
            customer = Customer.objects.get(pk=customer_id)
            chart = customer_timeline_chart(customer, rules=stage_rules())
            selector_ms = []
            for _ in range(args.runs):
                began = time.perf_counter()
                customer_timeline_chart(customer, rules=stage_rules())
                selector_ms.append((time.perf_counter() - began) * 1000)
            import json

            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(customer_timeline_chart, customer, rules=stage_rules())
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
                return 0

            data_kb = len(json.dumps(chart)) / 1024
            session = client.cookies[settings.SESSION_COOKIE_NAME].value

        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        server = subprocess.Popen(
            [gunicorn, "crm_saas.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2", "--log-level", "warning"],
            cwd=BASE_DIR,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.time() + 30
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{PORT}/healthz", headers={"Host": HOST})
                urllib.request.urlopen(request, timeout=1)  # noqa: S310 - a fixed http:// address
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

        from playwright.sync_api import sync_playwright

        response_ms, loaded_ms, drawn_ms = [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"),
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": f"http://{HOST}:{PORT}/"}]
            )
            context.add_init_script(READY_PROBE)
            page = context.new_page()
            page_url = f"http://{HOST}:{PORT}{path}"
            page.goto(page_url)  # warm: Plotly into the browser cache, as for a returning user
            page.wait_for_function("window.__chartReady !== null", timeout=30000)
            for _ in range(args.runs):
                page.goto(page_url)
                page.wait_for_function("window.__chartReady !== null", timeout=30000)
                timing = page.evaluate(
                    "() => { const n = performance.getEntriesByType('navigation')[0];"
                    " return {response: n.responseEnd - n.requestStart, loaded: window.__plotlyAt,"
                    " drawn: window.__chartReady}; }"
                )
                response_ms.append(timing["response"])
                loaded_ms.append(timing["loaded"])
                drawn_ms.append(timing["drawn"])
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        recreate_database(url, drop_only=True)
        shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"Timeline page for a customer with {count} events ({chart['counts']['milestones']} milestones, "
        f"{chart['counts']['signals']} signals, {len(chart['activity']['weeks'])} weeks of activity, "
        f"{len(chart['stages'])} stage bands, {len(chart['risk'])} risk points)"
    )
    print(f"  embedded chart data {data_kb:.1f} KB, page HTML {html_kb:.1f} KB")
    print("  " + figures("server, timeline data (selector)", selector_ms))
    print("  " + figures("server, whole page in process", server_ms))
    print("  " + figures("browser, HTTP response (gunicorn)", response_ms))
    print("  " + figures("browser, navigation start to Plotly.js loaded (browser cache)", loaded_ms))
    print("  " + figures("browser, navigation start to drawn chart", drawn_ms))
    drawing = [drawn - loaded for drawn, loaded in zip(drawn_ms, loaded_ms, strict=True)]
    print("  " + figures("browser, drawing the chart once Plotly.js is loaded", drawing))
    out = BASE_DIR / "bench" / "results" / "timeline_render.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "events": count,
                "runs": args.runs,
                "chart_data_kb": round(data_kb, 1),
                "median_ms": {
                    "selector": round(statistics.median(selector_ms), 1),
                    "server_page": round(statistics.median(server_ms), 1),
                    "http_response": round(statistics.median(response_ms), 1),
                    "navigation_to_drawn": round(statistics.median(drawn_ms), 1),
                    "drawing": round(statistics.median(drawing), 1),
                },
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
