#!/usr/bin/env python3
"""Debian's prometheus remote-writes into nanotdb; the series are queried back from both.

Prometheus runs on a free loopback port with a tmp TSDB, scrapes itself and a
prometheus-node-exporter every 500 ms and remote-writes to nanotdb's POST /api/v1/write
(one shard, 200 ms batch deadline, metadata every second). Once Prometheus reports it has
sent 3 s of samples, the test picks an instant T two scrape intervals behind the
newest sent timestamp and asks both servers, through their HTTP APIs:

- `{__name__=~".+"}[W]` at T: every raw sample of every series (labels, millisecond
  timestamps, values bit for bit) must be the same in both;
- a few PromQL expressions over that data (rate, sum by, histogram_quantile, count) at T:
  the same series and values (relative 1e-9);
- then node_exporter is stopped; Prometheus writes staleness markers for its series, and
  the same comparison right after (node_load1 gone at once, up{job="node"} 0) must agree;
- /api/v1/metadata: the HELP/TYPE Prometheus sent (metadata_config) for a counter.

Usage: remote_write_client_test.py NANOTDB_BIN PLUGIN_DIR
"""
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientlib import (free_port, get_json, instant, need, post_form, raw_samples,  # noqa: E402
                       run_test, same_float, series_key, wait_until)

QUERIES = [
    "up",
    "sum by (job) (up)",
    "rate(prometheus_tsdb_head_samples_appended_total[5s])",
    "sum by (job) (rate(scrape_samples_scraped[5s]))",
    "histogram_quantile(0.9, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[5s])))",
    'count by (job) ({__name__=~".+"})',
    "node_boot_time_seconds",
    "max_over_time(scrape_duration_seconds[10s])",
]
# After node_exporter stopped: empty in both (stale), and up = 0.
STALE_QUERIES = ["node_load1", 'up{job="node"}', 'count by (job) ({__name__=~"node_.+"})']


def prom_query(port, query, t):
    status, _, body = post_form(port, "/api/v1/query", {"query": query, "time": f"{t:.3f}"})
    answer = json.loads(body)
    if status != 200 or answer.get("status") != "success":
        raise AssertionError(f"prometheus {query!r}: HTTP {status} {body[:300]!r}")
    return answer["data"]


def as_map(data):
    out = {}
    for s in data["result"]:
        pts = [s["value"]] if data["resultType"] == "vector" else s["values"]
        out[series_key(s["metric"])] = [(float(t), float(v)) for t, v in pts]
    return out


def close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def compare_at(pport, nport, T, window, stopped=False):
    """Failures where nanotdb's answers at T differ from prometheus' (raw samples of every
    series, QUERIES); returns (failures, series, samples)."""
    failures = []
    theirs = raw_samples(pport, '{__name__=~".+"}', window, T)
    ours = raw_samples(nport, '{__name__=~".+",db="prom"}', window, T)
    jobs = {dict(k[1]).get("job") for k in theirs}
    if not {"prometheus", "node"} <= jobs or len(theirs) < 200:
        failures.append(f"prometheus itself holds only {len(theirs)} series of jobs {jobs}: "
                        f"test too weak")
    only_theirs = sorted(set(theirs) - set(ours))
    only_ours = sorted(set(ours) - set(theirs))
    if only_theirs:
        failures.append(f"{len(only_theirs)} of {len(theirs)} series not in nanotdb, e.g. "
                        f"{only_theirs[:3]}")
    if only_ours:
        failures.append(f"{len(only_ours)} series only in nanotdb, e.g. {only_ours[:3]}")
    samples = differ = 0
    for key in set(theirs) & set(ours):
        a, b = theirs[key], ours[key]
        samples += len(a)
        same = len(a) == len(b) and all(
            ta == tb and same_float(va, vb) for (ta, va), (tb, vb) in zip(a, b))
        if not same:
            differ += 1
            if differ <= 3:
                failures.append(f"{key}: prometheus {a[:4]}... ({len(a)}) vs nanotdb {b[:4]}... "
                                f"({len(b)})")
    if differ > 3:
        failures.append(f"... {differ} series differ in all")

    for q in QUERIES + (STALE_QUERIES if stopped else []):
        a = as_map(prom_query(pport, q, T))
        b = as_map(instant(nport, q, T))
        if not a and not stopped:
            failures.append(f"{q!r}: prometheus answers nothing: test too weak")
        if set(a) != set(b):
            failures.append(f"{q!r} at {T}: series differ: only prometheus "
                            f"{sorted(set(a) - set(b))[:2]}, only nanotdb {sorted(set(b) - set(a))[:2]}")
            continue
        for key in a:
            if not all(ta == tb and close(va, vb) for (ta, va), (tb, vb) in zip(a[key], b[key])):
                failures.append(f"{q!r} {key}: prometheus {a[key]} vs nanotdb {b[key]}")
                break
    return failures, len(theirs), samples


def main(env):
    nanotdb, plugin_dir = sys.argv[1], sys.argv[2]
    prometheus = need("prometheus")
    exporter = need("prometheus-node-exporter")
    failures = []

    nport, _, _ = env.start_nanotdb(nanotdb, plugin_dir)
    eport = free_port()
    ne = env.spawn("node_exporter", [
        exporter, f"--web.listen-address=127.0.0.1:{eport}", "--collector.disable-defaults",
        "--collector.uname", "--collector.stat", "--collector.meminfo", "--collector.loadavg"])
    env.wait_http("node_exporter", ne, eport, "/metrics")

    pport = free_port()
    cfg = env.path("prometheus.yml")
    with open(cfg, "w") as f:
        f.write(f"""global:
  scrape_interval: 500ms
  scrape_timeout: 500ms
scrape_configs:
  - job_name: prometheus
    static_configs: [{{targets: ["127.0.0.1:{pport}"]}}]
  - job_name: node
    static_configs: [{{targets: ["127.0.0.1:{eport}"]}}]
remote_write:
  - url: http://127.0.0.1:{nport}/api/v1/write?db=prom
    queue_config:
      batch_send_deadline: 200ms
      min_shards: 1
      max_shards: 1
      min_backoff: 50ms
    metadata_config:
      send_interval: 1s
""")
    t0 = time.time()
    prom = env.spawn("prometheus", [
        prometheus, f"--config.file={cfg}", f"--storage.tsdb.path={env.path('tsdb')}",
        f"--web.listen-address=127.0.0.1:{pport}", "--storage.tsdb.retention.time=1d"])
    env.wait_http("prometheus", prom, pport, "/-/ready", timeout=20)

    # Prometheus applies discovered targets after up to 5 s; then the first scrapes come.
    def first_scrapes():
        data = prom_query(pport, "timestamp(up)", time.time())
        return max(float(s["value"][1]) for s in data["result"]) \
            if len(data["result"]) == 2 else None
    first = wait_until("prometheus' first scrape of both targets", first_scrapes, timeout=15,
                       interval=0.25)

    def sent_ts():
        data = prom_query(pport, "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
                          time.time())
        ts = max((float(s["value"][1]) for s in data["result"]), default=0.0)
        return ts if ts > first + 3 else None
    sent = wait_until("prometheus to remote-write 3 s of samples", sent_ts, timeout=15,
                      interval=0.25)
    T = round(sent - 1.0, 3)
    window = "30s"
    found, series, samples = compare_at(pport, nport, T, window)
    failures += found

    # node_exporter goes away: prometheus writes staleness markers for its series, so they
    # vanish from instant queries at once (not after the 5 minute lookback), in both.
    t_stop = time.time()
    env.stop(ne)

    def stale_sent():
        ts = sent_ts()
        return ts if ts and ts > t_stop + 2.5 else None
    T2 = round(wait_until("prometheus to send the staleness markers", stale_sent, timeout=10,
                          interval=0.25) - 1.0, 3)
    if prom_query(pport, "node_load1", T2)["result"]:
        failures.append(f"prometheus still answers node_load1 at {T2}, {T2 - t_stop:.1f}s after "
                        f"node_exporter stopped: the staleness check tests nothing")
    found, _, _ = compare_at(pport, nport, T2, window, stopped=True)
    failures += found

    def metadata():
        status, md = get_json(nport, "/api/v1/metadata",
                              {"metric": "prometheus_http_requests_total"})
        return md.get("data", {}).get("prometheus_http_requests_total")
    got = wait_until("metadata sent by prometheus", metadata, timeout=10, interval=0.25)
    if got[0].get("type") != "counter" or "HTTP requests" not in got[0].get("help", ""):
        failures.append(f"metadata of prometheus_http_requests_total: {got}")

    print(f"{series} series, {samples} samples compared at T={T} ({T - t0:.1f}s after "
          f"prometheus started), again {T2 - t_stop:.1f}s after node_exporter stopped")
    return failures


if __name__ == "__main__":
    run_test("remote-write-client", main)
