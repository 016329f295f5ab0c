"""HTTP load for the benchmarks: closed-loop keep-alive clients, latency percentiles, and the peak
memory of the processes under test, sampled while the load runs."""

from __future__ import annotations

import http.client
import random
import statistics
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
    worker and its children) every ``interval`` seconds; ``peaks`` is in MB per named tree."""

    def __init__(self, roots: dict[str, int], *, interval: float = 0.5) -> None:
        self.roots = roots
        self.interval = interval
        self.peaks: dict[str, float] = dict.fromkeys(roots, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

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
