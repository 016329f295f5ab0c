"""HTTP load for the benchmarks: closed-loop keep-alive clients, latency percentiles, and the peak
memory of the processes under test, sampled while the load runs."""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import psutil

# (method, path, body, headers), or a function of a random generator returning one (e.g. a create
# with a unique name each time).
Request = tuple[str, str, Any, dict[str, str]]
RequestSource = Request | Callable[[random.Random], Request]


def load(
    host: str,
    port: int,
    requests: Sequence[RequestSource],
    *,
    duration: float,
    concurrency: int,
    weights: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Each client sends its next request as soon as the previous one answers; a status of 400 or
    more, or a broken connection, counts as an error (and its latency is not recorded)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def client(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        seen: dict[int, int] = {}
        failed = 0
        while time.perf_counter() < stop_at:
            source = rng.choices(requests, weights=weights)[0] if weights else rng.choice(requests)
            method, path, body, headers = source(rng) if callable(source) else source
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
            except OSError:
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                continue
            seen[response.status] = seen.get(response.status, 0) + 1
            if response.status >= 400:
                failed += 1
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += failed
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    if not latencies:
        return {"requests": 0, "errors": errors, "statuses": statuses, "throughput_rps": 0.0}
    return {
        "requests": len(latencies),
        "errors": errors,
        "statuses": dict(sorted(statuses.items())),
        "throughput_rps": round(len(latencies) / duration, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 2),
    }


def wait_for(port: int, path: str, host: str, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path, headers={"Host": host})
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server on {port} did not start")


class PeakRss:
    """Samples the resident memory of process trees (a gunicorn master and its workers, a Celery
    worker and its children) every ``interval`` seconds; ``peaks`` is in MB per named tree.
    ``cpu_seconds``: CPU time (user + system) each tree used while sampled, with the PostgreSQL
    server's processes as ``postgres``: where the machine's two cores went."""

    def __init__(self, roots: dict[str, int], *, interval: float = 0.5) -> None:
        self.roots = roots
        self.interval = interval
        self.peaks: dict[str, float] = dict.fromkeys(roots, 0.0)
        self.cpu_seconds: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._cpu_start = self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        end = self._cpu()
        self.cpu_seconds = {
            name: round(sum(spent - self._cpu_start.get(name, {}).get(pid, 0.0) for pid, spent in used.items()), 1)
            for name, used in end.items()
        }

    def _trees(self) -> dict[str, list[psutil.Process]]:
        trees: dict[str, list[psutil.Process]] = {}
        for name, pid in self.roots.items():
            try:
                root = psutil.Process(pid)
                trees[name] = [root, *root.children(recursive=True)]
            except psutil.Error:
                trees[name] = []
        trees["postgres"] = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
        return trees

    def _cpu(self) -> dict[str, dict[int, float]]:
        used: dict[str, dict[int, float]] = {}
        for name, tree in self._trees().items():
            used[name] = {}
            for process in tree:
                try:
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                used[name][process.pid] = times.user + times.system
        return used

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.roots.items():
                try:
                    root = psutil.Process(pid)
                    tree = [root, *root.children(recursive=True)]
                    total = sum(process.memory_info().rss for process in tree if process.is_running())
                except psutil.Error:
                    continue
                self.peaks[name] = max(self.peaks[name], round(total / 1e6, 1))
            self._stop.wait(self.interval)


# wrk (C, event loop) sends the load when it is installed: a Python client on the same two cores
# takes CPU the server under test would otherwise have. The script picks requests by weight, makes
# each create unique ({n} in a body), and reports statuses, errors and latency percentiles as JSON.
_WRK_SCRIPT = r"""
local requests, weights, total = %(requests)s, %(weights)s, 0
for _, w in ipairs(weights) do total = total + w end
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("id", #threads) end
function init(args)
  math.randomseed(1000 + id); statuses = {}; sent = 0
end
function request()
  local r, pick = math.random() * total, #requests
  for i, w in ipairs(weights) do r = r - w; if r <= 0 then pick = i; break end end
  local req = requests[pick]
  local body = req.body
  if body then sent = sent + 1; body = string.gsub(body, "{n}", id .. "-" .. sent) end
  return wrk.format(req.method, req.path, req.headers, body)
end
function response(status, headers, body)
  local key = tostring(status); statuses[key] = (statuses[key] or 0) + 1
end
function done(summary, latency, _)
  local merged = {}
  for _, t in ipairs(threads) do
    for status, count in pairs(t:get("statuses")) do merged[status] = (merged[status] or 0) + count end
  end
  local parts = {}
  for status, count in pairs(merged) do table.insert(parts, string.format('"%%s": %%d', status, count)) end
  local e = summary.errors
  io.write(string.format(
    '\nWRK-JSON {"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "statuses": {%%s}, '
    .. '"p50_us": %%d, "p99_us": %%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, table.concat(parts, ", "),
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(key)}] = {_lua(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(item) for item in value) + "}"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return repr(value)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_load(
    host: str,
    port: int,
    requests: Sequence[Request],
    *,
    duration: float,
    concurrency: int,
    weights: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Like ``load``, with wrk sending the requests; a body may hold ``{n}``, replaced by a number
    unique to each request. Same figures: throughput, errors (status >= 400 or socket errors),
    statuses, p50 and p99 (over every response)."""
    entries = [{"method": m, "path": p, "headers": h, **({"body": b} if b else {})} for m, p, b, h in requests]
    script = _WRK_SCRIPT % {"requests": _lua(entries), "weights": _lua(list(weights or [1] * len(entries)))}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        completed = subprocess.run(
            [
                *("wrk", "-t", "2", "-c", str(concurrency), "-d", f"{duration:.0f}s"),
                *("--timeout", "30s", "-s", handle.name, f"http://{host}:{port}/"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    line = next(line for line in completed.stdout.splitlines() if line.startswith("WRK-JSON "))
    figures = json.loads(line.removeprefix("WRK-JSON "))
    statuses = {int(status): count for status, count in figures["statuses"].items()}
    seconds = figures["duration_us"] / 1e6
    errors = figures["socket_errors"] + sum(count for status, count in statuses.items() if status >= 400)
    good = figures["requests"] - errors
    return {
        "requests": figures["requests"],
        "errors": errors,
        "statuses": dict(sorted(statuses.items())),
        "throughput_rps": round(good / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "load_generator": "wrk",
    }
