#!/usr/bin/env python3
"""Soak: the daemon under mixed load for a while keeps its memory flat and answers every request.

One daemon with its default plugins (dashboard and host probes included, self-stats on) on a
free loopback port and a temporary root. For SECONDS seconds, at once:

- four ingest clients post line protocol, Prometheus text and Influx lines (50 series each,
  one sample per series every 200 ms) into four databases, one with a 1-minute rollup job;
- a query client runs instant, range, PromQL (rate, avg_over_time, sum by) and aggregate-mode
  queries, and the series/labels endpoints;
- a dashboard client polls what the dashboard polls: the page, its databases and metrics
  lists, aggregate charts and /metrics.

Every request must answer 2xx. The daemon's RSS is read every second; after a warm-up (the
first 40 % of the run) it must stay within 5 % (plus 1 MiB for page granularity) of its
value at the end of the warm-up, and the daemon must log no error. Databases flush their
pages every 10 s, so a minute reaches the steady state of a long run.

Usage: soak_test.py NANOTDB_BIN PLUGIN_DIR [SECONDS]   (make soak runs an hour; make test 60 s)
"""
import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientlib import free_port, http_request, run_test  # noqa: E402

# Pages flush every 10 s (instead of 2 h), so a short run reaches the steady state an hour
# of default settings reaches: flushes, WAL truncation and reader-cache churn included.
PAGE_DEFAULTS = """
[manifest_defaults.page]
max_age = "10s"
"""
ROLLUP_MANIFEST = """format_version = 1
[page]
max_age = "10s"
[rollups]
enabled = true
default_interval = "1m"
default_grace = "5s"
default_destination_db = "soak_lp_1m"
default_aggregates = ["min", "max", "avg", "sum", "count"]
[[rollups.jobs]]
id = "all_1m"
source_pattern = "*"
"""


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main(env):
    nanotdb, plugin_dir = sys.argv[1:3]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    root = env.path("root")
    os.makedirs(os.path.join(root, "soak_lp"))
    with open(os.path.join(root, "soak_lp", "manifest.toml"), "w") as f:
        f.write(ROLLUP_MANIFEST)
    # The default config of `nanotdb --init`, on a free port, plugins from the build.
    port = env.nanotdb_config(nanotdb, plugin_dir, root, extra_toml=PAGE_DEFAULTS,
                              all_defaults=True)
    cfg = os.path.join(root, "engine.toml")
    proc = env.spawn("nanotdb", [nanotdb, "--config", cfg])
    env.wait_http("nanotdb", proc, port, "/health")

    failures = []
    lock = threading.Lock()
    counts = {"requests": 0, "samples": 0}
    stop = threading.Event()

    def request(method, path, body=None, headers=None):
        try:
            status, _, answer = http_request(port, method, path, body=body, headers=headers)
        except OSError as e:
            status, answer = 0, str(e).encode()
        with lock:
            counts["requests"] += 1
            if not 200 <= status < 300 and len(failures) < 20:
                failures.append(f"{method} {path}: {status} {answer[:200]!r}")
        return status, answer

    kinds = ("lp", "prom", "influx", "many")
    first_write = {k: threading.Event() for k in kinds}

    def ingest(kind):
        i = 0
        while not stop.is_set():
            if i == 1:
                first_write[kind].set()
            now_ns = time.time_ns()
            if kind == "lp":
                body = "".join(f"soak_lp/room.temp{{room=\"r{s}\"}} {20 + s * 0.1 + (i % 10) * 0.01} "
                               f"{now_ns}\n" for s in range(50))
                request("POST", "/api/v1/import", body.encode())
            elif kind == "prom":
                body = "".join(f"bytes_total{{dev=\"d{s}\"}} {i * 1000 + s} {now_ns // 1_000_000}\n"
                               for s in range(50))
                request("POST", "/api/v1/import/prometheus?db=soak_prom", body.encode())
            elif kind == "influx":
                body = "".join(f"sensor,id=s{s} value={random.random()},count={i}i {now_ns}\n"
                               for s in range(25))
                request("POST", "/write?db=soak_influx", body.encode())
            else:
                body = "".join(f"soak_many/m{s}{{k=\"{i % 7}\"}} {i} {now_ns}\n" for s in range(50))
                request("POST", "/api/v1/import", body.encode())
            with lock:
                counts["samples"] += 50
            i += 1
            stop.wait(0.2)

    queries = [
        ("/api/v1/query", {"query": 'room.temp{db="soak_lp"}'}),
        ("/api/v1/query", {"query": 'sum by (dev) (rate(bytes_total{db="soak_prom"}[1m]))'}),
        ("/api/v1/query", {"query": 'avg_over_time(sensor_value{db="soak_influx"}[5m])'}),
        ("/api/v1/query_range", {"query": 'room.temp{db="soak_lp",room="r1"}', "step": "10"}),
        ("/api/v1/query_range", {"query": 'rate(bytes_total{db="soak_prom",dev="d1"}[30s])',
                                 "step": "5"}),
        ("/api/v1/series", {"match[]": '{db="soak_many"}'}),
        ("/api/v1/labels", {}),
        ("/api/v1/label/__name__/values", {}),
    ]

    def query():
        import urllib.parse
        while not stop.is_set():
            path, params = random.choice(queries)
            params = dict(params)
            if path.endswith("query_range"):
                params["start"] = str(time.time() - 600)
                params["end"] = str(time.time())
            request("GET", path + "?" + urllib.parse.urlencode(params))
            stop.wait(0.05)

    def dashboard():
        import urllib.parse
        while not stop.is_set():
            request("GET", "/")
            request("GET", "/api/v1/databases")
            request("GET", "/api/v1/metrics?db=soak_lp")
            request("GET", "/api/v1/metrics?db=soak_prom")
            chart = {"db": "soak_lp", "query": 'room.temp{room="r2"}', "aggregate": "avg,min,max",
                     "window": "1m", "start": str(time.time() - 3600), "end": str(time.time())}
            request("GET", "/api/v1/query_range?" + urllib.parse.urlencode(chart))
            request("GET", "/metrics")
            stop.wait(1.0)

    threads = [threading.Thread(target=ingest, args=(k,)) for k in kinds]
    for t in threads:
        t.start()
    # Readers start once every database exists: a query for one not written yet is a 404 by
    # design, and which thread runs first is up to the scheduler.
    for k in kinds:
        if not first_write[k].wait(30):
            stop.set()
            for t in threads:
                t.join()
            return failures + [f"the first {k} write did not finish within 30 s"]
    readers = [threading.Thread(target=query), threading.Thread(target=dashboard)]
    for t in readers:
        t.start()
    threads += readers
    rss = []  # (seconds since start, bytes)
    t0 = time.time()
    try:
        while time.time() - t0 < seconds and proc.poll() is None:
            rss.append((time.time() - t0, rss_bytes(proc.pid)))
            time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join()
    if proc.poll() is not None:
        return failures + [f"the daemon exited with {proc.returncode} during the soak"]

    warm = [b for t, b in rss if t <= seconds * 0.4]
    after = [b for t, b in rss if t > seconds * 0.4]
    mib = 1 << 20
    if not warm or not after:
        return failures + ["no RSS samples"]
    base = warm[-1]
    peak = max(after)
    print(f"soak {seconds:.0f}s: {counts['requests']} requests, {counts['samples']} samples; "
          f"RSS {warm[0] / mib:.1f} MiB at start, {base / mib:.1f} after warm-up, "
          f"peak {peak / mib:.1f}, end {after[-1] / mib:.1f} MiB")
    curve = [rss[int(len(rss) * q / 10)][1] / mib for q in range(10)] + [rss[-1][1] / mib]
    print("RSS MiB by tenths of the run: " + " ".join(f"{v:.1f}" for v in curve))
    if peak > base * 1.05 + mib:
        failures.append(f"RSS grew after warm-up: {base / mib:.1f} -> {peak / mib:.1f} MiB "
                        f"(more than 5 %)")
    log = env.log("nanotdb")
    errors = [line for line in log.splitlines() if re.search(r"\b(error|ERROR|fatal)\b", line)]
    if errors:
        failures.append(f"{len(errors)} error lines in the daemon log, first: {errors[0][:300]}")
    stopped = env.stop(proc)
    if stopped != 0:
        failures.append(f"the daemon did not stop cleanly (exit {stopped})")
    return failures


if __name__ == "__main__":
    run_test("soak", main)
