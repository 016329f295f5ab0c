"""Run every benchmark, one after the other, and print one table of the headline figures with the
product-versus-comparison ratios; write them all to bench/results/all.json.

Each benchmark measures the product and its comparison side by side in its own run (these machines
are noisy: absolute times alone are not evidence) and writes its own figures; this script only
runs them and gathers the results. Each one's full output is kept in bench/results/<name>.log.

Usage: .venv/bin/python bench/run_all.py [--quick] [--only NAME ...]
    --quick  smaller sizes (a check that everything runs, not figures to quote)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


@dataclass(frozen=True)
class Row:
    label: str
    value: Callable[[dict], Any]
    target: str = ""


@dataclass(frozen=True)
class Benchmark:
    name: str
    args: list[str]
    quick_args: list[str]
    results: str  # the JSON file the benchmark writes, under bench/results/
    rows: list[Row] = field(default_factory=list)


def pick(data: dict, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


BENCHMARKS = [
    Benchmark(
        "lead_scoring",
        [],
        ["--skip-speed"],
        "lead_scoring.json",
        [
            Row("X Education 5-fold CV ROC-AUC", lambda d: pick(d, "x_education.cv5_auc_mean"), ">= 0.87"),
            Row("X Education holdout Brier", lambda d: pick(d, "x_education.holdout_brier")),
            Row("Training on 25k leads (s)", lambda d: pick(d, "speed.train_25k_s"), "<= 60"),
            Row("Bulk rescoring 100k vs raw predict_proba", lambda d: pick(d, "speed.rescore_vs_raw_median"), "<= 2x"),
        ],
    ),
    Benchmark(
        "score_api",
        [],
        ["--duration", "5"],
        "score_api.json",
        [
            Row("Score API throughput vs Flask + joblib", lambda d: pick(d, "throughput_ratio"), ">= 1x"),
            Row("Score API p99 (ms)", lambda d: pick(d, "product.p99_ms")),
        ],
    ),
    Benchmark(
        "lead_import",
        [],
        ["--rows", "10000"],
        "lead_import.json",
        [
            Row("CSV import rows/s", lambda d: pick(d, "product_rows_per_s")),
            Row("CSV import time vs plain COPY", lambda d: pick(d, "product_vs_copy")),
            Row("Import process peak RSS (MB)", lambda d: pick(d, "peak_rss_mb")),
        ],
    ),
    Benchmark(
        "api_load",
        [],
        ["--duration", "10"],
        "api_load.json",
        [
            Row("Mixed API load (req/s)", lambda d: pick(d, "mixed.throughput_rps"), ">= 200"),
            Row("Mixed API load errors", lambda d: pick(d, "mixed.errors"), "0"),
            Row("Mixed API load p99 (ms)", lambda d: pick(d, "mixed.p99_ms")),
            Row("Web peak RSS under load (MB)", lambda d: pick(d, "peak_rss_mb.web")),
            Row("Worker peak RSS under load (MB)", lambda d: pick(d, "peak_rss_mb.worker")),
        ],
    ),
    Benchmark(
        "tenant_provisioning",
        ["--tenants", "500"],
        ["--tenants", "20", "--provisions", "3"],
        "tenant_provisioning.json",
        [
            Row("Provision one tenant, median (s)", lambda d: pick(d, "provision.replayed.median_s")),
            Row("Provision: schema migrated vs replayed", lambda d: pick(d, "provision.migrated_vs_replayed")),
            Row("Create fleet, per tenant (s)", lambda d: pick(d, "fleet_create.per_tenant_s")),
            Row("Migrate fleet, nothing pending (s)", lambda d: pick(d, "migrate_noop.standard.total_s")),
            Row("Migrate fleet, pending leads migrations (s)", lambda d: pick(d, "migrate_pending.standard.total_s")),
            Row(
                "  the same, multiprocessing executor (s)",
                lambda d: pick(d, "migrate_pending.multiprocessing.total_s"),
            ),
        ],
    ),
    Benchmark(
        "churn_model",
        [],
        ["--skip-telco", "--customers", "300"],
        "churn_model.json",
        [
            Row("Telco churn test ROC-AUC", lambda d: pick(d, "telco.test_auc"), ">= 0.845"),
            Row("Telco churn Brier", lambda d: pick(d, "telco.test_brier")),
            Row("Synthetic churn test ROC-AUC", lambda d: pick(d, "synthetic.test_auc")),
        ],
    ),
    Benchmark(
        "lead_priority",
        [],
        ["--train", "600", "--heldout", "300", "--messages", "1000"],
        "lead_priority.json",
        [
            Row("Priority macro-F1, text + score (held out)", lambda d: pick(d, "quality.learned_text_model.macro_f1")),
            Row("Priority macro-F1, score only (held out)", lambda d: pick(d, "quality.structured_only.macro_f1")),
            Row("Prioritised messages per CPU second", lambda d: pick(d, "throughput.messages_per_cpu_second")),
        ],
    ),
    Benchmark(
        "timeline_render",
        [],
        ["--runs", "3"],
        "timeline_render.json",
        [Row("Timeline, 2,000 events, to drawn chart (ms)", lambda d: pick(d, "median_ms.navigation_to_drawn"))],
    ),
    Benchmark(
        "fuzz_api",
        [],
        [],
        "fuzz_api.json",
        [
            Row("Fuzzed API requests", lambda d: pick(d, "requests"), ">= 1000"),
            Row("Fuzzed API failures (5xx or off-shape errors)", lambda d: pick(d, "failures"), "0"),
        ],
    ),
    Benchmark(
        "voice_commands",
        [],
        ["--limit", "8"],
        "voice_commands.json",
        [
            Row(
                "Spoken commands, held out: intent accuracy",
                lambda d: pick(d, "engines.hybrid-commands.sets.heldout.summary.intent_accuracy"),
                ">= 0.95",
            ),
            Row(
                "Spoken commands, held out: entity accuracy",
                lambda d: pick(d, "engines.hybrid-commands.sets.heldout.summary.entity_accuracy"),
                ">= 0.90",
            ),
            Row(
                "Spoken commands, held out: WER",
                lambda d: pick(d, "engines.hybrid-commands.sets.heldout.summary.wer_mean"),
            ),
            Row(
                "Spoken commands: end-to-end real-time factor",
                lambda d: pick(d, "engines.hybrid-commands.sets.heldout.summary.rtf_corpus"),
                "<= 1",
            ),
            Row(
                "Whisper alone, held out: intent accuracy",
                lambda d: pick(d, "engines.whisper-tiny-en.sets.heldout.summary.intent_accuracy"),
            ),
        ],
    ),
]


def run(benchmark: Benchmark, *, quick: bool) -> dict[str, Any]:
    argv = [sys.executable, str(BENCH / f"{benchmark.name}.py"), *(benchmark.quick_args if quick else benchmark.args)]
    log = RESULTS / f"{benchmark.name}.log"
    started = time.perf_counter()
    with log.open("w") as out:
        status = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, cwd=BENCH.parent, check=False).returncode
    seconds = round(time.perf_counter() - started, 1)
    path = RESULTS / benchmark.results
    figures = json.loads(path.read_text()) if status == 0 and path.exists() else None
    return {"status": status, "seconds": seconds, "figures": figures, "log": str(log.relative_to(BENCH.parent))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    chosen = [b for b in BENCHMARKS if args.only is None or b.name in args.only]
    outcomes: dict[str, dict[str, Any]] = {}
    for benchmark in chosen:
        print(f"==> {benchmark.name} ...", flush=True)
        outcomes[benchmark.name] = run(benchmark, quick=args.quick)
        state = "ok" if outcomes[benchmark.name]["status"] == 0 else "FAILED"
        print(f"    {state} in {outcomes[benchmark.name]['seconds']} s (log: {outcomes[benchmark.name]['log']})")

    print(f"\n{'Benchmark':24} {'Figure':44} {'Value':>12}  Target")
    print("-" * 96)
    for benchmark in chosen:
        outcome = outcomes[benchmark.name]
        if outcome["figures"] is None:
            print(f"{benchmark.name:24} {'did not finish: see ' + outcome['log']:44}")
            continue
        if not benchmark.rows:
            print(f"{benchmark.name:24} {'figures in bench/results/' + benchmark.results:44}")
        for row in benchmark.rows:
            value = row.value(outcome["figures"])
            shown = "—" if value is None else str(value)
            print(f"{benchmark.name:24} {row.label:44} {shown:>12}  {row.target}")
    (RESULTS / "all.json").write_text(json.dumps({"quick": args.quick, "benchmarks": outcomes}, indent=2))
    print("\nAll figures: bench/results/all.json")
    return 0 if all(outcome["status"] == 0 for outcome in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
