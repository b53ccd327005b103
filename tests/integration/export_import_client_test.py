#!/usr/bin/env python3
"""nanocli export -> nanocli import keeps every series and every value.

The daemon takes the client fixtures (Telegraf and Home Assistant line protocol, Home
Assistant's prometheus page) and a Prometheus text body of awkward values (NaN, +-Inf, -0,
5e-324, max float64, int64 extremes via Influx ints, label values with blanks, quotes,
backslashes, newlines, '/', UTF-8) into three databases, and is stopped. Then for each
database `nanocli export` of the daemon's root is imported with `nanocli import` into a fresh
root, and:

- the export of the fresh root is byte for byte the export of the original;
- a daemon on each root answers the same: every raw sample of every series
  (`{db="..."}[window]`, labels, nanosecond timestamps, value text) and every latest value
  (`/api/v1/query` without time: int64 to the digit);
- the numbers of samples and series are what was written, and a page posted twice is stored
  once (its second answer counts 13 duplicates).

Usage: export_import_client_test.py NANOTDB_BIN NANOCLI_BIN PLUGIN_DIR FIXTURE_DIR
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientlib import get_json, http_request, raw_samples, run_test  # noqa: E402

AWKWARD = r'''# TYPE awkward gauge
awkward{case="nan"} NaN 1796290000000
awkward{case="inf"} +Inf 1796290000000
awkward{case="minus_inf"} -Inf 1796290000000
awkward{case="negative_zero"} -0 1796290000000
awkward{case="denormal"} 5e-324 1796290000000
awkward{case="max_float"} 1.7976931348623157e+308 1796290000000
awkward{case="third"} 0.3333333333333333 1796290000000
awkward{case="boot_time"} 1.796196412e+09 1796290000000
awkward{case="escapes",path="C:\\dir\\",quote="say \"hi\"",newline="a\nb"} 1 1796290000000
awkward{case="blanks",os="Debian GNU/Linux 12 (bookworm)",room="Wohnzimmer °C"} 2 1796290000000
awkward{case="series"} 1 1796290000000
awkward{case="series"} 2 1796290001000
awkward{case="series"} 3.5 1796290002500
'''
INTS = ("extremes,host=h max=9223372036854775807i,min=-9223372036854775808i,zero=0i,"
        "big=9007199254740993i 1796290000000000001\n"
        "extremes,host=h max=9223372036854775806i,min=-9223372036854775807i,zero=1i,"
        "big=9007199254740995i 1796290000000000002\n")
AT = 1796290200


def nanocli(binary, *args):
    p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def answers(port, db):
    """(raw samples with value text, latest values) of every series of db."""
    raw = raw_samples(port, f'{{db="{db}"}}', "1d", AT, text=True)
    status, latest = get_json(port, "/api/v1/query", {"query": f'{{db="{db}"}}'})
    if status != 200:
        raise AssertionError(f"latest of {db}: {status} {latest}")
    last = {json.dumps(s["metric"], sort_keys=True): s["value"] for s in latest["data"]["result"]}
    return raw, last


def main(env):
    nanotdb, cli, plugin_dir, fixtures = sys.argv[1:5]
    failures = []

    port, proc, root = env.start_nanotdb(nanotdb, plugin_dir, name="original")

    def post(path, body):
        status, _, answer = http_request(port, "POST", path, body=body.encode())
        if status not in (200, 204):
            raise AssertionError(f"POST {path}: {status} {answer[:300]!r}")

    def fixture(name):
        with open(os.path.join(fixtures, name), encoding="utf-8") as f:
            return f.read()
    post("/write?db=telegraf", fixture("telegraf.lp") + INTS)
    post("/write?db=home_assistant", fixture("home_assistant_influxdb.lp"))
    post("/api/v1/import/prometheus?db=prom&timestamp=1796290005000",
         fixture("home_assistant_prometheus.txt"))
    post("/api/v1/import/prometheus?db=prom", AWKWARD)
    # A resent page is stored once; the answer counts what it already held.
    status, _, again = http_request(port, "POST", "/api/v1/import/prometheus?db=prom",
                                    body=AWKWARD.encode())
    counts = json.loads(again)["data"] if status == 200 else {}
    want = {"imported": 0, "rejected": 0, "duplicates": 13}
    if {k: counts.get(k) for k in want} != want:
        failures.append(f"resending a page: {status} {again[:300]!r}, expected counts {want}")
    dbs = ("telegraf", "home_assistant", "prom")
    before = {db: answers(port, db) for db in dbs}
    if env.stop(proc) != 0:
        failures.append("the daemon did not stop cleanly")

    fresh = env.path("fresh")
    os.makedirs(fresh)
    for db in dbs:
        out = env.path(f"{db}.lp")
        rc, stdout, stderr = nanocli(cli, "export", "--root", root, "--db", db, "--out", out)
        if rc != 0:
            failures.append(f"export {db}: rc={rc} {stderr}")
            continue
        rc, stdout, stderr = nanocli(cli, "import", "--root", fresh, "--in", out)
        if rc != 0:
            failures.append(f"import {db}: rc={rc} {stdout} {stderr[:2000]}")
        again = env.path(f"{db}.again.lp")
        rc, _, stderr = nanocli(cli, "export", "--root", fresh, "--db", db, "--out", again)
        first, second = open(out, "rb").read(), open(again, "rb").read()
        if rc != 0 or first != second:
            a, b = first.decode().splitlines(), second.decode().splitlines()
            diff = [(x, y) for x, y in zip(a, b) if x != y][:3]
            failures.append(f"export of {db} after import differs ({len(a)} vs {len(b)} lines): "
                            f"{diff} {stderr}")

    port2, _, _ = env.start_nanotdb(nanotdb, plugin_dir, name="imported", root=fresh)
    samples = 0
    for db in dbs:
        raw, last = answers(port2, db)
        raw0, last0 = before[db]
        samples += sum(len(v) for v in raw0.values())
        if raw != raw0:
            only0 = sorted(set(raw0) - set(raw))[:3]
            only1 = sorted(set(raw) - set(raw0))[:3]
            differ = [(k, raw0[k][:3], raw[k][:3]) for k in set(raw) & set(raw0)
                      if raw0[k] != raw[k]][:3]
            failures.append(f"{db}: raw samples differ after export/import: only before "
                            f"{only0}, only after {only1}, changed {differ}")
        if last != last0:
            differ = [(k, last0.get(k), last.get(k)) for k in set(last) | set(last0)
                      if last0.get(k) != last.get(k)][:3]
            failures.append(f"{db}: latest values differ after export/import: {differ}")
    want_series = {"telegraf": 94, "home_assistant": 13, "prom": 37}
    got_series = {db: len(before[db][0]) for db in dbs}
    if got_series != want_series:
        failures.append(f"series written: {got_series}, want {want_series}")
    print(f"{sum(got_series.values())} series, {samples} samples kept by export -> import")
    return failures


if __name__ == "__main__":
    run_test("export-import-client", main)
