#!/usr/bin/env python3
"""Debian's prometheus-node-exporter scraped by nanotdb's own scrape job, no Prometheus between.

node_exporter runs on a free loopback port with a few collectors (uname, stat, meminfo, os,
textfile) and a textfile of awkward values and label escapes; nanotdb scrapes it once
(interval 1h: the first scrape is right after start). The test scrapes the exporter itself
just before and just after, and checks what nanotdb stored:

- the same series set (every exposed series, labels included, plus job/instance), one sample
  each, all at the scrape's timestamp;
- the textfile values (NaN, +-Inf, -0, 5e-324, 2^53+1, 218927059, 1.796196412e+09, ...) and
  the values that do not move (node_boot_time_seconds, node_memory_MemTotal_bytes,
  node_uname_info and other info series) bit for bit; counters between the two test scrapes;
- up = 1, scrape_duration_seconds within (0, timeout), scrape_samples_scraped = the number of
  exposed samples; HELP/TYPE in /api/v1/metadata.

Then the exporter is stopped and a second scrape job pointed at a closed port writes up = 0.

Usage: node_exporter_client_test.py NANOTDB_BIN PLUGIN_DIR
"""
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientlib import (free_port, get_json, need, parse_exposition, raw_samples, run_test,  # noqa: E402
                       same_float, wait_until, with_target_labels)

TEXTFILE = r'''# HELP nt_exact Values that must survive bit for bit.
# TYPE nt_exact gauge
nt_exact{case="boot_time"} 1.796196412e+09
nt_exact{case="bytes_counter"} 218927059
nt_exact{case="five_billion"} 5e+09
nt_exact{case="two_pow_53_plus_1"} 9007199254740993
nt_exact{case="max_int64"} 9223372036854775807
nt_exact{case="tenth"} 0.1
nt_exact{case="third"} 0.3333333333333333
nt_exact{case="denormal"} 5e-324
nt_exact{case="max_float"} 1.7976931348623157e+308
nt_exact{case="negative_zero"} -0
nt_exact{case="negative"} -123456.789
nt_exact{case="nan"} NaN
nt_exact{case="inf"} +Inf
nt_exact{case="minus_inf"} -Inf
# HELP nt_labels Label values with escapes, UTF-8 and clashing names.
# TYPE nt_labels gauge
nt_labels{path="C:\\dir\\file",quote="say \"hi\"",newline="a\nb",utf8="Wohnzimmer °C ✓"} 1
nt_labels{path="",empty_is_absent="yes"} 2
nt_labels{job="exporter_job",instance="exporter_instance",db="exporter_db"} 3
# HELP nt_request_seconds A histogram.
# TYPE nt_request_seconds histogram
nt_request_seconds_bucket{le="0.005"} 3
nt_request_seconds_bucket{le="0.5"} 17
nt_request_seconds_bucket{le="+Inf"} 21
nt_request_seconds_sum 4.207
nt_request_seconds_count 21
# HELP nt_rpc_seconds A summary.
# TYPE nt_rpc_seconds summary
nt_rpc_seconds{quantile="0.5"} 0.012
nt_rpc_seconds{quantile="0.99"} 1.5
nt_rpc_seconds_sum 88.5
nt_rpc_seconds_count 1000
'''

# Values that do not change while the test runs (checked to be equal in both test scrapes
# too): compared bit for bit with what nanotdb stored.
STABLE = {
    "node_boot_time_seconds", "node_memory_MemTotal_bytes", "node_memory_SwapTotal_bytes",
    "node_memory_VmallocTotal_bytes", "node_memory_Hugepagesize_bytes", "node_uname_info",
    "node_os_info", "node_os_version", "node_exporter_build_info", "go_info",
    "node_scrape_collector_success", "node_textfile_scrape_error", "node_textfile_mtime_seconds",
    "process_max_fds", "process_start_time_seconds", "process_virtual_memory_max_bytes",
    "nt_labels", "nt_exact", "nt_request_seconds_bucket", "nt_request_seconds_sum",
    "nt_request_seconds_count", "nt_rpc_seconds", "nt_rpc_seconds_sum", "nt_rpc_seconds_count",
}
TIMEOUT_S = 5


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.read().decode()


def main(env):
    nanotdb, plugin_dir = sys.argv[1], sys.argv[2]
    exporter = need("prometheus-node-exporter")
    failures = []

    textdir = env.path("textfile")
    os.makedirs(textdir)
    with open(os.path.join(textdir, "nt.prom"), "w") as f:
        f.write(TEXTFILE)
    eport = free_port()
    ne = env.spawn("node_exporter", [
        exporter, f"--web.listen-address=127.0.0.1:{eport}", "--collector.disable-defaults",
        "--collector.uname", "--collector.stat", "--collector.meminfo", "--collector.os",
        "--collector.textfile", f"--collector.textfile.directory={textdir}"])
    env.wait_http("node_exporter", ne, eport, "/metrics")
    before_text = scrape(eport)
    before, meta = parse_exposition(before_text)
    if not any(k[0] == "nt_exact" for k in before):
        return [f"node_exporter does not serve the textfile metrics:\n{before_text[:2000]}"]

    instance = f"127.0.0.1:{eport}"
    dead = f"127.0.0.1:{free_port()}"
    toml = f'''
[[plugins.ingest-prometheus.scrape]]
job_name = "node"
targets = ["{instance}"]
interval = "1h"
timeout = "{TIMEOUT_S}s"
db = "node"
[plugins.ingest-prometheus.scrape.labels]
site = "lab"

[[plugins.ingest-prometheus.scrape]]
job_name = "gone"
targets = ["{dead}"]
interval = "1h"
timeout = "1s"
db = "node"
'''
    t_start = time.time()
    port, _, _ = env.start_nanotdb(nanotdb, plugin_dir, toml)

    def scraped():
        got = raw_samples(port, '{job="node"}', "1h")
        return got if any(k[0] == "up" for k in got) else None
    stored = wait_until("the first scrape of node_exporter", scraped, timeout=15)
    after, _ = parse_exposition(scrape(eport))
    t_end = time.time()

    extra = (("site", "lab"),)
    expect = {with_target_labels(k, "node", instance, extra): k for k in before}
    target = tuple(sorted((("job", "node"), ("instance", instance)) + extra))
    report_names = ("up", "scrape_duration_seconds", "scrape_samples_scraped")
    want_keys = set(expect) | {(n, target) for n in report_names}
    if set(before) != set(after):
        failures.append(f"node_exporter's series set moved between the test's scrapes: "
                        f"{sorted(set(before) ^ set(after))[:5]}")
    missing = sorted(want_keys - set(stored))
    extra_stored = sorted(set(stored) - want_keys)
    if missing:
        failures.append(f"{len(missing)} scraped series not stored, e.g. {missing[:5]}")
    if extra_stored:
        failures.append(f"{len(extra_stored)} stored series not in the exposition, e.g. "
                        f"{extra_stored[:5]}")

    # One sample per series, all at the scrape's timestamp (ms), within the test's window.
    stamps = {}
    for key, pts in stored.items():
        if len(pts) != 1:
            failures.append(f"{key}: {len(pts)} samples stored by one scrape, want 1")
        stamps.setdefault(pts[0][0], []).append(key)
    if len(stamps) != 1:
        failures.append(f"samples of one scrape carry {len(stamps)} timestamps: "
                        f"{sorted(stamps)[:4]}")
    ts = float(next(iter(stamps)))
    if not t_start - 1 <= ts <= t_end + 1 or round(ts * 1000) != ts * 1000:
        failures.append(f"scrape timestamp {ts} not a millisecond within the test's run "
                        f"[{t_start:.3f}, {t_end:.3f}]")

    exact = counted = 0
    for key, orig in expect.items():
        if key not in stored:
            continue
        got = stored[key][0][1]
        name = orig[0]
        lo, hi = before[orig], after.get(orig)
        if name in STABLE:
            if not same_float(lo, hi):
                failures.append(f"{orig} moved between the test's scrapes ({lo!r}, {hi!r}): "
                                f"not stable")
            elif not same_float(got, lo):
                failures.append(f"{key}: stored {got!r}, exposed {lo!r} (not bit-exact)")
            exact += 1
        elif meta.get(name, {}).get("type") == "counter":
            if not lo <= got <= hi:
                failures.append(f"counter {key}: stored {got!r} outside [{lo!r}, {hi!r}]")
            counted += 1
    if exact < 40 or counted < 5:
        failures.append(f"only {exact} exact and {counted} counter comparisons: test too weak")

    def report_value(name):
        pts = stored.get((name, target))
        return pts[0][1] if pts else None
    if report_value("up") != 1.0:
        failures.append(f"up = {report_value('up')}, want 1")
    d = report_value("scrape_duration_seconds")
    if d is None or not 0 < d < TIMEOUT_S:
        failures.append(f"scrape_duration_seconds = {d}, want within (0, {TIMEOUT_S})")
    n = report_value("scrape_samples_scraped")
    if n != float(len(before)):
        failures.append(f"scrape_samples_scraped = {n}, want {len(before)}")

    # A target nobody listens on: up 0 with the same report series.
    gone = wait_until("the scrape of the closed port", lambda: raw_samples(
        port, '{job="gone"}', "1h"), timeout=10)
    up_gone = [pts for k, pts in gone.items() if k[0] == "up"]
    if not up_gone or up_gone[0][0][1] != 0.0:
        failures.append(f"up of a closed port: {gone}, want 0")

    # Metadata of the scraped families.
    status, md = get_json(port, "/api/v1/metadata", {"metric": "node_boot_time_seconds"})
    want_md = {"type": "gauge", "help": meta["node_boot_time_seconds"]["help"], "unit": ""}
    if status != 200 or md.get("data", {}).get("node_boot_time_seconds") != [want_md]:
        failures.append(f"metadata of node_boot_time_seconds: {status} {md}, want [{want_md}]")

    print(f"{len(stored)} series stored, {exact} bit-exact, {counted} counters bracketed")
    return failures


if __name__ == "__main__":
    run_test("node-exporter-client", main)
