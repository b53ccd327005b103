#!/usr/bin/env python3
"""PromQL answers of nanotdb compared with Debian's real Prometheus on the same data.

Writes a few hours of counters and gauges into Prometheus (promtool tsdb create-blocks-from
openmetrics, then prometheus on a free loopback port over those blocks) and into nanotdb (the
daemon on a free port, POST /api/v1/import), runs a corpus of instant and range queries against
both and checks the answers agree: the same series (labels), the same timestamps and values
equal within a relative 1e-6. Then drives nanotdb with promtool query instant/range/series/
labels. Exits 77 (skipped) when prometheus or promtool is not installed.

Usage: promql_compare.py NANOTDB_BIN PLUGIN_DIR
"""
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

STEP_S = 15          # sample interval
SAMPLES = 4 * 240    # four hours
DB = "cmp"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, path, proc, timeout=30.0):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server on :{port} exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no HTTP 200 from :{port}{path} within {timeout}s")


def make_data(base):
    """{metric: [(t_seconds, value), ...]}; values exact in float32."""
    data = {}
    data["c_steady"] = [(base + i * STEP_S, 3.0 * i) for i in range(SAMPLES)]
    v, pts = 0.0, []
    for i in range(SAMPLES):
        v = 0.0 if i % 100 == 99 else v + (i % 7)
        pts.append((base + i * STEP_S, v))
    data["c_reset"] = pts
    data["g_wave"] = [(base + i * STEP_S, float((i * 37) % 101 - 50)) for i in range(SAMPLES)]
    data["g_small"] = [(base + i * STEP_S, (i % 13) * 0.25) for i in range(SAMPLES)]
    # Irregular spacing (whole milliseconds) and a 20 minute hole: lookback and windows.
    pts = []
    for i in range(SAMPLES):
        if 400 <= i < 480:
            continue
        pts.append((base + i * STEP_S + (i * 7919 % 9000) / 1000.0, float(i % 17)))
    data["g_gappy"] = pts
    return data


def make_labelled(base):
    """{(metric, ((label, value), ...)): [(t, v), ...]}: counters by job/code/instance, a
    histogram and an info series, for by/without, matching and histogram_quantile."""
    out = {}
    for job in ("api", "web"):
        for code in ("200", "500"):
            for inst in ("a", "b"):
                k = (len(job) + int(code) // 100 + ord(inst)) % 5 + 1
                out[("http_requests_total", (("code", code), ("instance", inst), ("job", job)))] = [
                    (base + i * STEP_S, float(k * i - (k * i) // 500 * 500 if code == "500" else k * i))
                    for i in range(SAMPLES)]
    for j, le in enumerate(("0.1", "0.5", "1", "+Inf")):
        out[("latency_bucket", (("job", "api"), ("le", le)))] = [
            (base + i * STEP_S, float(i * (j + 1) + (i % (3 + j)))) for i in range(SAMPLES)]
    for room, floor in (("k", "1"), ("b", "2")):
        out[("room_temp", (("room", room),))] = [
            (base + i * STEP_S, float(18 + (i * (3 if room == "k" else 5)) % 9)) for i in range(SAMPLES)]
        out[("room_info", (("floor", floor), ("room", room)))] = [
            (base + i * STEP_S, 1.0) for i in range(SAMPLES)]
    return out


def openmetrics(labelled, extra):
    """OpenMetrics text of `labelled`, families kept together (as the format requires)."""
    lines = []
    for (name, labels), pts in sorted(labelled.items()):
        text = ",".join(f'{k}="{v}"' for k, v in labels + extra)
        for t, v in pts:
            lines.append(f"{name}{{{text}}} {v!r} {t:.3f}")
    return "\n".join(lines) + "\n# EOF\n"


LABELLED_EXPRESSIONS = [
    "http_requests_total", 'http_requests_total{code=~"5..",job!="web"}',
    "sum by (job) (rate(http_requests_total[5m]))",
    "sum without (instance) (rate(http_requests_total[5m]))",
    "count by (code) (http_requests_total)", "max by (instance) (http_requests_total)",
    "topk by (job) (1, rate(http_requests_total[5m]))",
    "bottomk(2, increase(http_requests_total[10m]))",
    'avg without (code, instance) (irate(http_requests_total{job="api"}[5m]))',
    "rate(http_requests_total[5m]) / on(job, instance) group_left sum by (job, instance) (rate(http_requests_total[5m]))",
    'http_requests_total{code="500"} / ignoring(code) http_requests_total{code="200"}',
    'http_requests_total{code="500"} > bool on(job, instance) http_requests_total{code="200"}',
    "sum by (job) (http_requests_total) and on(job) sum by (job) (http_requests_total) > 20000",
    "histogram_quantile(0.5, latency_bucket)",
    "histogram_quantile(0.9, sum by (le) (rate(latency_bucket[5m])))",
    "histogram_quantile(0.99, rate(latency_bucket[10m]))",
    "room_temp * on(room) group_left(floor) room_info",
    "room_info * on(room) group_right(floor) room_temp",
    "room_temp - on(room) room_temp offset 1h",
    'label_replace(http_requests_total, "node", "n-$1", "instance", "(.*)")',
    'count(label_replace(http_requests_total, "code", "x", "code", ".*"))',
    "quantile by (job) (0.25, http_requests_total)", "stddev by (code) (http_requests_total)",
    "resets(http_requests_total[1h])", 'count_values without (instance) ("code", http_requests_total % 3)', 'absent(http_requests_total{job="nope"})',
    'sum by (db) ({__name__=~"room_.*"})', 'group by (room) ({__name__=~"room_.*"})',
]

EXPRESSIONS = [
    "c_steady", "g_wave", "g_gappy", '{__name__=~"g_.*"}', '{__name__=~"c_.*",__name__!="c_reset"}',
    'g_wave{db="cmp"}', "rate(c_steady[5m])", "rate(c_reset[5m])", "rate(c_reset[1m])",
    "irate(c_reset[5m])", "increase(c_reset[10m])", "increase(c_steady[2m])",
    "rate(g_gappy[3m])", "delta(g_wave[5m])", "idelta(g_wave[5m])", "deriv(g_wave[10m])",
    "predict_linear(g_small[10m], 600)", "holt_winters(g_wave[10m], 0.3, 0.6)", "resets(c_reset[30m])", "changes(g_small[10m])",
    "avg_over_time(g_wave[5m])", "min_over_time(g_wave[5m])", "max_over_time(g_gappy[5m])",
    "sum_over_time(g_small[5m])", "count_over_time(g_gappy[5m])", "last_over_time(g_gappy[10m])",
    "quantile_over_time(0.9, g_wave[10m])", "stddev_over_time(g_wave[10m])",
    "stdvar_over_time(g_small[10m])", "present_over_time(g_gappy[1m])",
    'sum(rate({__name__=~"c_.*"}[5m]))', "avg by (db) (g_wave)", 'max({__name__=~"g_.*"})',
    'min without (__name__) ({__name__=~"g_.*"})', 'count({__name__=~".+"})',
    'topk(2, {__name__=~"g_.*"})', 'bottomk(1, {__name__=~"g_.*"})',
    'quantile(0.5, {__name__=~"g_.*"})', 'stddev({__name__=~"g_.*"})', 'sum by (__name__) ({__name__=~"g_.*"})',
    "g_wave * 2", "g_wave + g_small", "g_wave > 10", "g_wave > bool 10", "5 - g_wave",
    "g_wave / on(db) g_small", "c_steady - c_steady offset 5m", "g_wave % 7", "g_small ^ 2",
    "-g_wave", "g_wave and g_small > 1", "g_wave or g_gappy", "g_gappy unless g_wave < 0",
    "g_wave == bool ignoring(__name__) g_gappy",
    "abs(g_wave)", "ceil(g_small)", "floor(g_small)", "round(g_small)", "round(g_wave, 5)",
    "clamp(g_wave, -10, 10)", "clamp_min(g_wave, 0)", "clamp_max(g_wave, 0)", "sqrt(abs(g_wave))",
    "time()", "vector(1)", "scalar(g_wave)", "timestamp(g_gappy)", "absent(nope)",
    "absent(g_wave)", 'label_replace(g_wave, "x", "$1", "__name__", "g_(.*)")',
    'label_join(g_wave, "x", "-", "db", "__name__")', "sort_desc(g_wave)",
    "max_over_time(g_wave[10m:1m])", "rate(c_reset[5m] offset 10m)", "g_wave @ end()",
    "avg_over_time(g_wave[5m] @ start())", "1 + 1", "2 * 3 > bool 5", "time() - timestamp(g_gappy)",
    "sum(g_wave) / count(g_wave)", "(g_wave + 1) * (g_small - 1)",
    'count_values("v", g_small)', 'count_values by (db) ("db", g_small * 0 + 3)',
    "hour()", "minute(timestamp(g_gappy))", "day_of_week()", "day_of_month(vector(1709214300))",
    "days_in_month(vector(1709214300))", "month()", "year(c_steady * 1000)",
]


def query(port, path, params):
    body = urllib.parse.urlencode(params)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    return r.status, json.loads(r.read())


def labels_key(m):
    return tuple(sorted(m.items()))


def normalize(data):
    kind = data["resultType"]
    res = data["result"]
    if kind == "scalar" or kind == "string":
        return kind, {(): [tuple(res)]}
    out = {}
    for s in res:
        pts = [tuple(s["value"])] if kind == "vector" else [tuple(p) for p in s["values"]]
        out[labels_key(s["metric"])] = pts
    return kind, out


def same_value(a, b):
    fa, fb = float(a), float(b)
    if math.isnan(fa) or math.isnan(fb):
        return math.isnan(fa) and math.isnan(fb)
    if math.isinf(fa) or math.isinf(fb):
        return fa == fb
    return abs(fa - fb) <= 1e-6 * max(1.0, abs(fa), abs(fb))


def compare(ours, theirs):
    if ours["status"] == "error" and theirs["status"] == "error":
        if ours.get("errorType") != theirs.get("errorType"):
            return f"errorType ours={ours.get('errorType')} prometheus={theirs.get('errorType')}"
        return None
    if ours["status"] != "success" or theirs["status"] != "success":
        return f"status ours={ours.get('status')} {ours.get('error','')} prometheus={theirs.get('status')} {theirs.get('error','')}"
    ko, o = normalize(ours["data"])
    kt, t = normalize(theirs["data"])
    if ko != kt:
        return f"resultType ours={ko} prometheus={kt}"
    if set(o) != set(t):
        return f"series differ: only ours {sorted(set(o) - set(t))[:3]}, only prometheus {sorted(set(t) - set(o))[:3]}"
    for key in o:
        po, pt = o[key], t[key]
        if len(po) != len(pt):
            to = {round(float(p[0]), 3) for p in po}
            tt = {round(float(p[0]), 3) for p in pt}
            return (f"{dict(key)}: {len(po)} points vs {len(pt)}; only ours at {sorted(to - tt)[:3]}, "
                    f"only prometheus at {sorted(tt - to)[:3]}")
        for (ts_o, v_o), (ts_t, v_t) in zip(po, pt):
            if abs(float(ts_o) - float(ts_t)) > 0.0005:
                return f"{dict(key)}: timestamp {ts_o} vs {ts_t}"
            if kt == "string":
                if v_o != v_t:
                    return f"string {v_o!r} vs {v_t!r}"
            elif not same_value(v_o, v_t):
                return f"{dict(key)} @{ts_t}: ours {v_o} vs prometheus {v_t}"
    return None


def main():
    nanotdb, plugin_dir = sys.argv[1], sys.argv[2]
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not prometheus or not promtool:
        print("SKIP: Debian's prometheus/promtool are not installed (apt-get install prometheus)")
        return 77
    work = tempfile.mkdtemp(prefix="promql-compare-")
    procs = []
    try:
        base = (int(time.time()) // 3600 - 6) * 3600
        data = make_data(base)
        # Prometheus: OpenMetrics text (seconds, db as a label) turned into TSDB blocks.
        labelled = make_labelled(base)
        om = os.path.join(work, "data.om")
        with open(om, "w") as f:
            for name, pts in data.items():
                f.write(f"# TYPE {name} gauge\n")
                for t, v in pts:
                    f.write(f'{name}{{db="{DB}"}} {v!r} {t:.3f}\n')
            f.write(openmetrics(labelled, (("db", DB),)))
        tsdb = os.path.join(work, "tsdb")
        subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", om, tsdb],
                       check=True, capture_output=True)
        cfg = os.path.join(work, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1h\n")
        pport = free_port()
        procs.append(subprocess.Popen(
            [prometheus, f"--config.file={cfg}", f"--storage.tsdb.path={tsdb}",
             f"--web.listen-address=127.0.0.1:{pport}", "--storage.tsdb.retention.time=100y"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w")))

        # nanotdb: the daemon on a temporary root, the same samples over /api/v1/import.
        root = os.path.join(work, "nanotdb")
        os.makedirs(root)
        ncfg = os.path.join(root, "engine.toml")
        subprocess.run([nanotdb, "--init", "--config", ncfg], check=True, capture_output=True)
        nport = free_port()
        text = open(ncfg).read()
        text = re.sub(r'(?m)^listen = .*$', f'listen = "127.0.0.1:{nport}"', text, count=1)
        text = re.sub(r'(?m)^dir = .*$', f'dir = "{plugin_dir}"', text, count=1)
        for plugin in ("drip-sources", "ui-dashboard"):
            text = re.sub(rf'(?ms)(^\[plugins\.{plugin}\]\s*\n(?:.*?\n)*?\s*enabled\s*=\s*)true',
                          r'\g<1>false', text, count=1)
        open(ncfg, "w").write(text)
        procs.append(subprocess.Popen([nanotdb, "--config", ncfg], stdout=subprocess.DEVNULL,
                                      stderr=open(os.path.join(work, "nanotdb.log"), "w")))
        wait_ready(nport, "/health", procs[-1])
        lines = [f"{DB}/{name} {v!r} {round(t * 1000) * 1000000}"
                 for name, pts in data.items() for t, v in pts]
        conn = http.client.HTTPConnection("127.0.0.1", nport, timeout=60)
        for i in range(0, len(lines), 10000):
            conn.request("POST", "/api/v1/import", body="\n".join(lines[i:i + 10000]).encode())
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"import: {r.status} {body[:300]!r}")
        # The labelled series as OpenMetrics through the ingest-prometheus plugin, one series
        # per request.
        for key, pts in labelled.items():
            conn.request("POST", f"/api/v1/import/prometheus?db={DB}",
                         body=openmetrics({key: pts}, ()).encode(),
                         headers={"Content-Type": "application/openmetrics-text"})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"import/prometheus: {r.status} {body[:300]!r}")
        wait_ready(pport, "/-/ready", procs[0])

        end = base + (SAMPLES - 1) * STEP_S
        # The third instant falls in g_gappy's hole, more than 5 minutes after its last sample.
        instants = [base + 3600 + 7, end + 120, base + 6600]
        checks = []
        for e in EXPRESSIONS + LABELLED_EXPRESSIONS:
            for t in instants[:2]:
                checks.append(("/api/v1/query", {"query": e, "time": str(t)}))
            checks.append(("/api/v1/query_range", {"query": e, "start": str(base + 1800),
                                                   "end": str(end - 600), "step": "60"}))
        # An odd step and start off the sample grid, for every third expression.
        for e in (EXPRESSIONS + LABELLED_EXPRESSIONS)[::3]:
            checks.append(("/api/v1/query_range", {"query": e, "start": str(base + 2000.25),
                                                   "end": str(base + 9000), "step": "37.5"}))
        for e in ("g_wave", "rate(c_reset[5m])", "g_gappy"):
            checks.append(("/api/v1/query", {"query": e, "time": str(instants[2])}))
            checks.append(("/api/v1/query_range", {"query": e, "start": str(base + 6000),
                                                   "end": str(base + 7800), "step": "17"}))
        failures = []
        nonempty = 0
        for path, params in checks:
            _, ours = query(nport, path, params)
            _, theirs = query(pport, path, params)
            if theirs.get("status") == "success" and theirs["data"]["result"]:
                nonempty += 1
            why = compare(ours, theirs)
            if why:
                failures.append(f"{path} {params['query']!r} ({'time' in params and params['time'] or 'range'}): {why}")
        print(f"{len(checks) - len(failures)}/{len(checks)} queries agree with prometheus "
              f"({nonempty} with a non-empty answer)")
        if nonempty < len(checks) * 3 // 4:
            failures.append(f"only {nonempty} of {len(checks)} queries have data: the corpus tests little")

        # Errors: bad queries are 400 bad_data in both, with a position in ours.
        status, ours = query(nport, "/api/v1/query", {"query": "sum(rate(x[5m])", "time": str(end)})
        if status != 400 or ours.get("errorType") != "bad_data" or not re.match(r"^1:\d+: parse error", ours.get("error", "")):
            failures.append(f"parse error answer: {status} {ours}")

        # promtool against nanotdb.
        url = f"http://127.0.0.1:{nport}"
        def promtool_run(*args):
            p = subprocess.run([promtool, "query", *args], capture_output=True, text=True, timeout=30)
            return p.returncode, p.stdout + p.stderr
        rc, out = promtool_run("instant", f"--time={end}", url, "g_wave")
        want = f'g_wave{{db="{DB}"}} => {int(data["g_wave"][-1][1])} @[{end}]'
        if rc != 0 or want not in out:
            failures.append(f"promtool query instant: rc={rc}, want {want!r}, got {out!r}")
        rc, out = promtool_run("range", f"--start={end - 120}", f"--end={end}", "--step=60s", url,
                               "rate(c_steady[5m])")
        if rc != 0 or out.count("0.2 @[") != 3:
            failures.append(f"promtool query range: rc={rc}, got {out!r}")
        rc, out = promtool_run("series", f'--match={{db="{DB}"}}', url)
        if rc != 0 or "g_wave" not in out:
            failures.append(f"promtool query series: rc={rc}, got {out!r}")
        rc, out = promtool_run("labels", url, "db")
        if rc != 0 or DB not in out:
            failures.append(f"promtool query labels: rc={rc}, got {out!r}")

        for f in failures:
            print("FAIL", f)
        return 1 if failures else 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
