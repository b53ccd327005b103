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


# Edge cases of every construct of the PromQL subset (docs/http-api.md#promql): each matcher
# operator, range vectors, offset (negative too), @ (a timestamp, start(), end(); $AT is a time
# on the sample grid, $B+N the first sample's time plus N seconds), boundaries of windows and of
# the 5 minute lookback, every range function on short and gappy windows, quantiles and
# histogram_quantile outside [0, 1], NaN and Inf through aggregations, topk/bottomk ties,
# vector matching with on/ignoring/group_left/group_right and bool, set operators, label
# functions, the trigonometric functions; and expressions both refuse (same errorType).
EDGE_EXPRESSIONS = [
    'g_wave{db!="x"}', '{__name__="g_wave", db=~"c.*"}', 'g_wave{db!~"nope"}',
    '{__name__!~"c_.*|g_.*",__name__=~".+"}', 'http_requests_total{code!~"2.."}',
    'http_requests_total{job=~"a.*|w.*", instance!="a"}', '{job="api", __name__=~"http.*"}',
    'http_requests_total{job=""}', 'http_requests_total{nonexistent=""}',
    'http_requests_total{nonexistent!=""}', '{__name__=~"http_requests_total|room_temp"}',
    'g_wave[5m]', 'g_gappy[1m]', 'http_requests_total{code="200"}[2m]', 'g_wave offset 1h',
    'g_wave offset -5m', 'rate(c_steady[5m] offset 1h)', 'sum(g_wave offset 10m)',
    'g_wave offset 1h30m', 'g_wave @ $AT', 'rate(c_reset[5m] @ $AT)', 'g_wave @ $AT offset 5m',
    'max_over_time(g_wave[10m] @ end())', 'g_wave @ start() - g_wave', 'irate(g_gappy[1m])',
    'increase(c_reset[1h])', 'delta(g_gappy[3m])', 'idelta(c_reset[2m])', 'deriv(c_steady[5m])',
    'changes(c_reset[1h])', 'resets(g_wave[10m])', 'rate(http_requests_total{code="500"}[10m])',
    'deriv(g_gappy[2m])', 'increase(g_gappy[1m])', 'avg_over_time(g_gappy[1m])',
    'min_over_time(c_reset[30s])', 'quantile_over_time(0, g_wave[5m])',
    'quantile_over_time(1, g_wave[5m])', 'quantile_over_time(0.5, g_gappy[2m])',
    'quantile_over_time(-1, g_wave[5m])', 'quantile_over_time(2, g_wave[5m])',
    'stddev_over_time(g_gappy[1m])', 'last_over_time(g_wave[1m] offset 30m)',
    'count_over_time(http_requests_total[5m])', 'sum_over_time(c_steady[1m])',
    'histogram_quantile(0, latency_bucket)', 'histogram_quantile(1, latency_bucket)',
    'histogram_quantile(1.5, latency_bucket)', 'histogram_quantile(-0.5, latency_bucket)',
    'histogram_quantile(0.5, sum by (le, job) (rate(latency_bucket[5m])))',
    'histogram_quantile(0.75, latency_bucket offset 30m)',
    'histogram_quantile(0.5, latency_bucket{le!="+Inf"})',
    'sum without (job) (http_requests_total)', 'avg by (code, job) (http_requests_total)',
    'count without () (http_requests_total)', 'topk(1, g_wave)', 'topk(0, http_requests_total)',
    'topk(3, http_requests_total)', 'bottomk by (code) (1, http_requests_total)',
    'quantile(0, http_requests_total)', 'quantile(1.5, http_requests_total)',
    'quantile by (job) (0.9, rate(http_requests_total[5m]))',
    'max without (code, instance, job) (http_requests_total)', 'sum(http_requests_total) by (job)',
    'min by (__name__) (http_requests_total)', 'count by (le) (latency_bucket)',
    'sum by (nonexistent) (http_requests_total)', 'avg(g_wave) + avg(g_small)',
    'topk(scalar(g_small), http_requests_total)',
    'quantile(scalar(g_small) / 3, http_requests_total)', 'http_requests_total > 1000',
    '1000 < http_requests_total', 'http_requests_total >= bool 500',
    'http_requests_total{code="200"} + on(job, instance) http_requests_total{code="500"}',
    'http_requests_total / ignoring(code) group_left sum without (code) (http_requests_total)',
    'sum by (job) (http_requests_total) / on(job) group_right sum by (job, code) (http_requests_total)',
    'g_wave != bool g_small', 'g_wave < bool 0', '2 > bool 1', 'g_wave == g_wave', '-g_wave ^ 2',
    '2 ^ 3 ^ 2', 'g_wave % -3', 'g_wave / 0', '1 / 0', '-1 / 0', '0 / 0',
    'http_requests_total * on() group_left vector(2)',
    'vector(1) + on() group_right http_requests_total', 'abs(-g_wave)', 'ceil(g_wave / 3)',
    'floor(-g_small)', 'round(g_wave / 7)', 'round(g_small, 0.5)', 'round(g_wave, 0.3)',
    'clamp_min(g_wave, 10)', 'clamp_max(http_requests_total, 100)', 'clamp(g_wave, 10, -10)',
    'time() - 1', 'vector(time())', 'scalar(http_requests_total)', 'scalar(vector(3))',
    'absent(g_wave{db="nope"})', 'absent(nonexistent{job="x", code=~"5.."})',
    'absent(sum(nonexistent))', 'absent_over_time(nonexistent[5m])',
    'absent_over_time(g_wave[5m])',
    'label_replace(http_requests_total, "job", "$1-x", "job", "(a.*)")',
    'label_replace(g_wave, "__name__", "renamed", "", "")',
    'label_replace(g_wave, "dst", "$2", "db", "(c)(m)(p)")',
    'label_replace(g_wave, "db", "", "db", ".*")',
    'label_replace(http_requests_total, "instance", "", "instance", "a")',
    'label_replace(g_wave, "x", "$1", "nonexistent", "(.*)")', 'timestamp(g_wave offset 5m)',
    'sgn(g_wave)', 'exp(g_small)', 'ln(g_small)', 'log2(g_small)', 'log10(g_small)',
    'sqrt(g_wave)', 'g_wave[5m] + 1', 'g_wave{job=~"("}', 'rate(g_wave[5m:])', '"abc" + 1',
    'g_wave and 1', '1 and g_wave',
    'http_requests_total + http_requests_total{code="200"} * on(job) http_requests_total',
    'http_requests_total / on(job) http_requests_total',
    'label_replace(g_wave, "1x", "a", "db", ".*")', 'label_replace(g_wave, "x", "a", "db", "(")',
    'g_wave offset 5m @ $AT', '(g_wave)', '((g_wave + 1))', 'sum by (db)(g_wave) * 2',
    'count(g_wave) by (db)', 'sum without(db)(g_wave)', 'g_wave > on(db) g_small',
    'g_wave > bool on(db) g_small', 'g_wave + ignoring(nonexistent) g_small',
    'max(g_wave) > bool 40', '-(g_wave)', '+g_wave', '- - g_wave', '1 - -1', 'g_wave - - 1',
    'g_wave unless on(db) g_small', 'g_wave or on() vector(5)',
    'http_requests_total or on(job) room_temp',
    'http_requests_total and ignoring(code) http_requests_total{code="200"}',
    'sum by (job) (http_requests_total) unless on(job) sum by (job) (http_requests_total{job="api"})',
    'vector(1) and vector(2)', '1 == bool 1', 'NaN == bool NaN', 'Inf > bool 1', '-Inf',
    '0x10 + 1', '1e3 * g_small', '.5 * g_small', 'g_small * 5.', 'time() > bool 0',
    'timestamp(vector(1))', 'sum(vector(1))', 'count(vector(1))',
    'avg(http_requests_total) by (job)', 'stddev by (job) (http_requests_total)',
    'stdvar(http_requests_total)', 'group(http_requests_total)',
    'count_values("code", http_requests_total)', 'sort(http_requests_total)',
    'sort_desc(rate(http_requests_total[5m]))', 'rate(http_requests_total[5m])[30m:5m]',
    'max_over_time(rate(http_requests_total[5m])[30m:5m])', 'avg_over_time(g_wave[1h:])',
    'sum_over_time(vector(1)[5m:1m])', 'deriv(g_wave[10m:30s])', 'g_wave[5m:1m] offset 10m',
    'last_over_time(g_wave[5m:1m] @ $AT)', 'predict_linear(c_steady[10m], 3600)',
    'holt_winters(g_small[10m], 0.1, 0.9)', 'changes(g_gappy[1h])',
    'resets(c_reset[1h] offset 30m)', 'minute(vector($AT))', 'hour(timestamp(c_steady))',
    'day_of_year(vector($AT))', 'day_of_week(vector(0))', 'year(vector(-1))', 'month(vector(2e9))',
    'days_in_month(vector(951782400))', 'atan2(vector(1), vector(2))', 'g_wave atan2 g_small',
    'g_small atan2 2', 'rad(g_wave)', 'deg(g_small)', 'sin(g_small)', 'cos(g_small)',
    'tan(g_small)', 'asin(g_small - 1)', 'acos(g_small / 3)', 'atan(g_wave)', 'sinh(g_small)',
    'cosh(g_small)', 'tanh(g_small)', 'asinh(g_wave)', 'acosh(g_small + 1)', 'atanh(g_small / 4)',
    'pi()', 'sgn(-g_small)', 'absent_over_time(g_gappy[1m])', 'present_over_time(nonexistent[5m])',
    'count_over_time(c_steady[15s] @ $AT)', 'count_over_time(c_steady[1m] @ $AT)',
    'rate(c_steady[1m] @ $AT)', 'increase(c_steady[30s] @ $AT)', 'g_gappy @ $B+6285.681',
    'g_gappy @ $B+6285.682', 'g_gappy @ $B+6285.680', 'count_over_time(g_gappy[5m] @ $B+6285.681)',
    'last_over_time(g_gappy[5m] @ $B+6285.681)', 'g_gappy offset 5m @ $B+6585.681',
    'timestamp(g_gappy @ $B+6285.681)', 'c_steady @ $B+0', 'c_steady @ $B+-1',
    'rate(c_steady[5m] @ $B+60)', 'g_wave @ $B+100000', 'irate(c_reset[30s] @ $B+1500)',
    'idelta(g_wave[15s] @ $AT)', 'deriv(g_wave[15s] @ $AT)', 'resets(c_reset[1500s] @ $B+1500)',
    'changes(g_small[3m] @ $AT)', 'sum_over_time(g_small[1m] @ $AT)',
    'avg_over_time(g_small[1m] @ $AT)', 'stddev_over_time(g_small[1m] @ $AT)',
    'quantile_over_time(0.3, g_small[1m] @ $AT)', 'holt_winters(g_small[5m] @ $AT, 0.5, 0.5)',
    'rate(c_reset[15s])', 'increase(c_reset[45s])', 'delta(g_wave[1m])', 'g_wave offset 1ms',
    'g_wave @ $B+5400.0005', 'max_over_time(g_wave[5m:15s])', 'min_over_time(g_wave[5m:7s])',
    'avg_over_time(rate(c_reset[1m])[10m:])', 'rate(c_steady[5m:])', 'sum_over_time(g_small[1m:])',
    'count_over_time(g_gappy[30m:])', 'max(g_small / g_small)', 'min(g_small / g_small)',
    'sum(g_small / g_small)', 'avg(ln(g_small))', 'max(ln(g_small))', 'stddev(g_small / g_small)',
    'topk(1, g_wave / g_small)', 'bottomk(1, g_wave / g_small)', 'sort(g_wave / g_small)',
    'quantile(0.5, g_small / g_small)', 'count_values("v", g_small / g_small)',
    'count_values("v", g_wave / 7)', 'max_over_time((g_small / g_small)[5m:1m])',
    'avg_over_time(ln(g_small)[5m:1m])', 'sum(ln(g_small) - ln(g_small))',
    'http_requests_total * on(job, instance, code) group_left(floor) room_info',
    'http_requests_total unless on(code) http_requests_total{code="500"}',
    'http_requests_total{code="200"} * ignoring(code) group_right http_requests_total',
    'count(http_requests_total) by (job) > bool 3',
    'sum by (job) (rate(http_requests_total[5m])) > on(job) group_left avg(rate(http_requests_total[5m]))',
    'label_join(http_requests_total, "id", "/", "job", "instance", "code")',
    'label_join(http_requests_total, "job", "", "nonexistent")',
    'label_replace(http_requests_total, "code_class", "${1}xx", "code", "(.).*")',
    'label_replace(http_requests_total, "x", "$name", "job", "(?P<name>a.*)")',
    'label_replace(http_requests_total, "x", "$$1", "job", "(.*)")',
    'sum by (code_class) (label_replace(rate(http_requests_total[5m]), "code_class", "$1xx", "code", "(.).."))',
    'topk(2, sum by (job, code) (rate(http_requests_total[5m])))',
    'bottomk(1, sum by (job) (rate(http_requests_total[5m]))) by (job)',
    'max by (job) (http_requests_total) - min by (job) (http_requests_total)',
    'avg without (instance) (http_requests_total) / ignoring (code) group_left sum without (instance, code) (http_requests_total)',
    'group by (job) (http_requests_total)', 'count(count by (job) (http_requests_total))',
    'sum(http_requests_total @ end())', 'vector(scalar(sum(http_requests_total)))',
    'scalar(sum(http_requests_total)) * http_requests_total',
    'absent(http_requests_total{job="api"} > 1e9)',
    'absent_over_time(http_requests_total{job="x"}[5m])',
    'timestamp(http_requests_total offset 1m)', 'round(rate(http_requests_total[5m]), 0.01)',
    'clamp(rate(http_requests_total[5m]), 0.1, 1)',
    'histogram_quantile(0.5, rate(latency_bucket[5m]) * 0)',
    'histogram_quantile(0.5, sum without (job) (rate(latency_bucket[5m])))',
    'histogram_quantile(scalar(g_small) / 3, rate(latency_bucket[5m]))',
    'histogram_quantile(0.9, label_replace(latency_bucket, "le", "+Inf", "le", "1"))',
    'histogram_quantile(0.9, {__name__="latency_bucket", le=~"0.1|0.5"})',
    'rate(latency_bucket{le="+Inf"}[5m])',
    'sum by (le) (latency_bucket) / ignoring(le) group_left sum(latency_bucket{le="+Inf"})',
    # Literals, durations, comments, spacing, quoting; keywords in any case, keywords as label
    # names; @ and offset on subqueries and aggregations.
    '1e-3 * g_small', '0X1F + g_small', '5. + g_small', '+Inf', '-Inf + g_small', 'NaN', 'nan',
    'InF', 'rate(c_steady[1m30s])', 'g_wave offset 1d', 'avg_over_time(g_wave[1w])',
    'g_wave @ 1e9', 'g_wave # a comment', 'label_replace(g_wave, "x", "é ☕", "", "")',
    'g_wave{bool="x"}', 'sum by (by) (g_wave)', 'sum by (offset, on, bool) (g_wave)',
    'count by (ignoring) (g_wave)', 'SUM BY (db) (g_wave)', 'sum BY (db) (g_wave)',
    'g_wave OFFSET 5m', 'g_wave > BOOL 1', 'g_wave AND g_small', 'g_wave + ON(db) g_small',
    'RATE(c_steady[5m])', 'Rate(c_steady[5m])', 'sum(g_wave) WITHOUT (db)', 'g_wave @ START()',
    'g_wave @ end ()', 'sum (g_wave)', 'rate (c_steady [5m])', 'g_wave [5m]',
    'g_wave{db = "cmp" , }', '{ __name__ = "g_wave" }', "g_wave{db='cmp'}", 'g_wave{db=`cmp`}',
    'g_wave{db=~`c.p`}', 'g_wave{db=~"c\\\\.?mp"}',
    'sum(rate(c_steady[5m])) by (db) * on(db) group_left() sum(g_small) by (db)',
    'avg(g_wave) by (db) keep_metric_names', '-g_wave offset 5m', '(g_wave offset 5m)[10m:1m]',
    'max_over_time((g_wave offset 5m)[10m:1m] @ end())', 'topk(1, g_wave) offset 5m',
    'sum(rate(c_steady[5m] @ start()))', 'g_wave[5m:] @ 1e9', 'vector(1) @ 1', '(vector(1)) @ $AT',
    'scalar(g_wave) @ $AT', 'time() @ $AT',
    # histogram_quantile on odd buckets (non-numeric or repeated le, no +Inf, negative
    # counts), topk/quantile parameters outside their range (NaN, Inf, > 2^63: an error), set
    # operators with vector(0) fallbacks, % and ^ on signs and zero.
    'histogram_quantile(0.5, label_replace(latency_bucket, "le", "1.0", "le", "1"))',
    'histogram_quantile(0.5, label_replace(latency_bucket, "le", "abc", "le", "0.5"))',
    'histogram_quantile(0.5, latency_bucket{le="+Inf"})',
    'histogram_quantile(0.5, latency_bucket{le=~"0.1|\\\\+Inf"})',
    'histogram_quantile(0.99, latency_bucket * -1)',
    'histogram_quantile(0.5, latency_bucket offset 100h)',
    'histogram_quantile(NaN, latency_bucket)',
    'histogram_quantile(0.5, {__name__="latency_bucket"} or label_replace(latency_bucket, "job", "x", "", ""))',
    'histogram_quantile(0.5, rate(latency_bucket[5m])) > 0',
    'histogram_quantile(0.5, sum by (le) (latency_bucket) - on(le) latency_bucket offset 1h)',
    'count_values("job", http_requests_total)', 'count_values("__name__", g_small)',
    'topk(100, http_requests_total)', 'topk(NaN, http_requests_total)',
    'topk(-1, http_requests_total)', 'topk(1.9, http_requests_total)',
    'quantile(NaN, http_requests_total)', 'quantile(-1, http_requests_total)',
    'absent({__name__=~"nope.*", job="x"})', 'absent(nope{job="a", job!="b"})',
    'label_join(g_wave, "__name__", "_", "db", "db")', 'label_join(g_wave, "new", "-")',
    'label_join(http_requests_total, "job", "+", "job", "code")',
    'sort(count_values("x", g_small))', 'group_left_missing + 1',
    'avg(http_requests_total > 1e12)', 'sum(http_requests_total) by ()',
    'sum without (__name__) (http_requests_total)',
    'sum by (__name__) (rate(http_requests_total[5m]))',
    'count by (db, nonexistent) ({__name__=~".+"})',
    'max(http_requests_total) by (job) == bool on() group_left max(http_requests_total)',
    'http_requests_total == ignoring(code) group_left http_requests_total{code="200"}',
    'rate(http_requests_total[1m]) unless http_requests_total{code="500"}',
    'http_requests_total{code="200"} or http_requests_total{job="web"}',
    '(http_requests_total or vector(0)) * 2', 'vector(0) unless http_requests_total',
    'sum(http_requests_total) or vector(0)', '-sum(http_requests_total)',
    'clamp_max(clamp_min(g_wave, -10), 10)', 'round(-2.5 * g_small / g_small)',
    'round(g_small * 2 + 0.5, -1)', 'round(g_wave, 0)', 'g_wave ^ 0.5', 'g_wave % 0',
    'g_wave % g_small', '-1 % 3', '5.5 % -2', '2 ^ -1', '(-8) ^ (1/3)', '1 == bool 1.0',
    'g_wave == bool -g_wave', 'g_small > bool g_small - 0.1', 'rate(g_wave[5m]) > bool 0',
    'time() - timestamp(c_steady) > bool 60', 'topk(1e19, http_requests_total)',
    'bottomk(-Inf, http_requests_total)', 'topk(scalar(g_small / g_small), http_requests_total)',
    'topk(9e18, http_requests_total)',
]

# Parse errors: 400 bad_data in both, naming the same line:column.
ERROR_EXPRESSIONS = [
    'sum(', 'rate(g_wave)', '1 +', 'g_wave{', 'topk(g_wave)', 'foo(g_wave)',
    'histogram_quantile(0.5)', 'g_wave offset', '{}', 'sum by (job) g_wave', 'g_wave[5x]',
    'g_wave @ foo()', '1 > 2', 'rate(g_wave[5m]', 'g_wave{a="b"', 'g_wave{a=1}', 'g_wave{a}',
    'g_wave{a="b",,}', 'sum(g_wave) by', 'sum without g_wave', 'avg(1, g_wave)', '(1', 'g_wave ==',
    'g_wave[5m][5m]', 'quantile_over_time(g_wave[5m])', 'label_replace(g_wave, "x")',
    'round(g_wave, 1, 2)', 'g_wave @', 'g_wave[1m:1m:1m]', '"unterminated', '$', 'sum(g_wave',
    '2 ^', '-', 'g_wave[]', 'g_wave[-5m]',
]


def expand(expression, base):
    """$AT -> a time on the sample grid (base + 90 minutes); $B+N -> base + N seconds."""
    expression = expression.replace("$AT", str(base + 5400))
    return re.sub(r"\$B\+(-?[0-9.]+)", lambda m: repr(round(base + float(m.group(1)), 3)),
                  expression)


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
        corpus = [expand(e, base) for e in EXPRESSIONS + LABELLED_EXPRESSIONS + EDGE_EXPRESSIONS]
        for e in corpus:
            for t in instants[:2]:
                checks.append(("/api/v1/query", {"query": e, "time": str(t)}))
            checks.append(("/api/v1/query_range", {"query": e, "start": str(base + 1800),
                                                   "end": str(end - 600), "step": "60"}))
        # An odd step and start off the sample grid, for every third expression.
        for e in corpus[::3]:
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

        # Errors: bad queries are 400 bad_data in both, with the same position.
        status, ours = query(nport, "/api/v1/query", {"query": "sum(rate(x[5m])", "time": str(end)})
        if status != 400 or ours.get("errorType") != "bad_data" or \
                not re.match(r'^invalid parameter "query": 1:\d+: parse error', ours.get("error", "")):
            failures.append(f"parse error answer: {status} {ours}")
        for e in ERROR_EXPRESSIONS:
            for path, params in (("/api/v1/query", {"query": e, "time": str(end)}),
                                 ("/api/v1/query_range", {"query": e, "start": str(base),
                                                          "end": str(end), "step": "60"})):
                so, ours = query(nport, path, params)
                st, theirs = query(pport, path, params)
                # Ours start with 'invalid parameter "query": ' for instant and range queries;
                # Debian's Prometheus 2.42 prefixes only instant ones.
                pos = [re.match(r"^invalid parameter \"query\": (\d+:\d+): parse error",
                                ours.get("error", "")),
                       re.match(r"^(?:invalid parameter \"query\": )?(\d+:\d+): parse error",
                                theirs.get("error", ""))]
                if (so, ours.get("errorType")) != (st, theirs.get("errorType")) or so != 400 or \
                        not all(pos) or pos[0].group(1) != pos[1].group(1):
                    failures.append(f"{path} {e!r}: ours {so} {ours.get('error')!r}, prometheus "
                                    f"{st} {theirs.get('error')!r}")
        print(f"{len(ERROR_EXPRESSIONS)} parse errors name the position Prometheus names")

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
