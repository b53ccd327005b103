#!/usr/bin/env python3
"""The Prometheus HTTP API calls Grafana and promtool make, against the real daemon.

Golden tests for each call of ../shared/reference/USER-NEEDS.md §3 (G1-G10, the promtool
commands), made the way the client makes it (method, form body or URL parameters, the
parameters it sends) on a small data set posted as Prometheus text: each checks the HTTP
status, the content type and the JSON shape and values. Then Debian's promtool runs
`query instant`, `query range`, `query series` and `query labels` against the daemon and its
output is compared with the expected text.

Usage: grafana_promtool_client_test.py NANOTDB_BIN PLUGIN_DIR
"""
import http.client
import json
import os
import shutil
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientlib import http_request, run_test  # noqa: E402

T0 = 1796290000  # the first sample; samples every 15 s for 10 minutes
STEP = 15
N = 41
END = T0 + (N - 1) * STEP


def page():
    lines = ["# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.",
             "# TYPE node_cpu_seconds_total counter"]
    for mode, rate in (("idle", 0.9), ("user", 0.1)):
        for i in range(N):
            lines.append(f'node_cpu_seconds_total{{cpu="0",mode="{mode}"}} {round(rate * STEP * i, 6)!r} '
                         f"{(T0 + i * STEP) * 1000}")
    lines += ["# HELP up Whether the target is up.", "# TYPE up gauge"]
    for job, inst in (("node", "pi:9100"), ("hass", "ha:8123")):
        for i in range(N):
            lines.append(f'up{{instance="{inst}",job="{job}"}} 1 {(T0 + i * STEP) * 1000}')
    return "\n".join(lines) + "\n"


class Client:
    def __init__(self, port):
        self.port = port
        self.failures = []

    def call(self, name, method, path, params=None, form=None, want_status=200):
        """One call as the client makes it; returns the decoded JSON (None when not JSON)."""
        if params:
            path += "?" + urllib.parse.urlencode(params, doseq=True)
        body, headers = None, {}
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, h, raw = http_request(self.port, method, path, body=body, headers=headers)
        if status != want_status:
            self.failures.append(f"{name}: {method} {path}: HTTP {status}, want {want_status}: "
                                 f"{raw[:300]!r}")
            return None
        if not h.get("content-type", "").startswith("application/json"):
            return raw.decode()
        answer = json.loads(raw)
        ok = answer.get("status") == ("success" if status < 400 else "error")
        if not ok:
            self.failures.append(f"{name}: status {answer.get('status')} with HTTP {status}")
        return answer

    def expect(self, name, got, want):
        if got != want:
            self.failures.append(f"{name}:\n  got  {json.dumps(got)[:600]}\n  want {json.dumps(want)[:600]}")


def grafana(c):
    # G1: "Save & test".
    a = c.call("G1 health check", "POST", "/api/v1/query", form={"query": "1+1", "time": "4"})
    c.expect("G1", a, {"status": "success", "data": {"resultType": "scalar", "result": [4, "2"]}})

    # G2: buildinfo: a Prometheus version >= 2.24 and no features map (else Grafana assumes Mimir).
    a = c.call("G2 buildinfo", "GET", "/api/v1/status/buildinfo")
    if a:
        d = a["data"]
        major, minor = (int(x) for x in d.get("version", "0.0").split(".")[:2])
        if (major, minor) < (2, 24) or d.get("features") or not {
                "version", "revision", "branch", "buildUser", "buildDate", "goVersion"} <= set(d):
            c.failures.append(f"G2 buildinfo: {d}")

    # G3: query_range as POST form (Grafana's default) and GET; points on start + k*step,
    # end included once.
    rate = 'rate(node_cpu_seconds_total{mode="user"}[1m])'
    form = {"query": rate, "start": str(T0 + 60), "end": str(END), "step": "60"}
    want_values = [[T0 + 60 + 60 * k, "0.1"] for k in range((END - T0 - 60) // 60 + 1)]
    want = {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"cpu": "0", "db": "g", "mode": "user"}, "values": want_values}]}}
    c.expect("G3 query_range POST", c.call("G3", "POST", "/api/v1/query_range", form=form), want)
    c.expect("G3 query_range GET", c.call("G3", "GET", "/api/v1/query_range", params=form), want)
    # Float seconds with decimals and a duration step, parameters split between URL and body.
    a = c.call("G3 split params", "POST", "/api/v1/query_range?query=" +
               urllib.parse.quote('up{job="node"}'), form={"start": f"{T0}.5", "end": f"{T0 + 30}.5",
                                                        "step": "15s", "timeout": "30s"})
    c.expect("G3 split params", a, {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"__name__": "up", "db": "g", "instance": "pi:9100", "job": "node"},
         "values": [[T0 + 0.5, "1"], [T0 + 15.5, "1"], [T0 + 30.5, "1"]]}]}})

    # G4: instant queries: vector, scalar, string, matrix; RFC 3339 time.
    a = c.call("G4 vector", "POST", "/api/v1/query", form={"query": "sum by (job) (up)",
                                                           "time": str(END)})
    c.expect("G4 vector", a, {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"job": "hass"}, "value": [END, "1"]},
        {"metric": {"job": "node"}, "value": [END, "1"]}]}})
    a = c.call("G4 string", "GET", "/api/v1/query", params={"query": '"hello"', "time": str(END)})
    c.expect("G4 string", a, {"status": "success", "data": {"resultType": "string",
                                                            "result": [END, "hello"]}})
    a = c.call("G4 matrix", "GET", "/api/v1/query", params={
        "query": 'up{job="hass"}[30s]', "time": "2026-12-03T09:36:40Z"})  # = END
    c.expect("G4 matrix", a, {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"__name__": "up", "db": "g", "instance": "ha:8123", "job": "hass"},
         "values": [[END - 30, "1"], [END - 15, "1"], [END, "1"]]}]}})  # [t-30s, t] as in 2.x
    a = c.call("G4 parse error", "POST", "/api/v1/query", form={"query": "sum(rate(up[5m])"},
               want_status=400)
    if a and (a.get("errorType") != "bad_data" or
              not a.get("error", "").startswith('invalid parameter "query": 1:')):
        c.failures.append(f"G4 parse error: {a}")
    a = c.call("G4 bad time", "GET", "/api/v1/query", params={"query": "up", "time": "yesterday"},
               want_status=400)
    if a and a.get("errorType") != "bad_data":
        c.failures.append(f"G4 bad time: {a}")

    # G5: label names, GET and POST, with Drilldown's match-all selector.
    range_params = {"start": str(T0), "end": str(END)}
    want = {"status": "success", "data": ["__name__", "cpu", "db", "instance", "job", "mode"]}
    c.expect("G5 labels GET", c.call("G5", "GET", "/api/v1/labels",
                                     params=dict(range_params, limit="40000")), want)
    c.expect("G5 labels POST match[]", c.call("G5", "POST", "/api/v1/labels", form=dict(
        range_params, **{"match[]": '{__name__=~".+",}'})), want)
    c.expect("G5 labels of up", c.call("G5", "GET", "/api/v1/labels", params={"match[]": "up"}),
             {"status": "success", "data": ["__name__", "db", "instance", "job"]})

    # G6: label values, GET only; match[] must filter (Grafana >= 11 relies on it).
    c.expect("G6 job values", c.call("G6", "GET", "/api/v1/label/job/values",
                                     params=dict(range_params, limit="40000")),
             {"status": "success", "data": ["hass", "node"]})
    c.expect("G6 values with match[]", c.call("G6", "GET", "/api/v1/label/mode/values", params={
        "match[]": 'node_cpu_seconds_total{mode="user"}', "start": str(T0), "end": str(END)}),
             {"status": "success", "data": ["user"]})
    c.expect("G6 instance of job=node", c.call("G6", "GET", "/api/v1/label/instance/values",
                                               params={"match[]": '{job="node"}'}),
             {"status": "success", "data": ["pi:9100"]})
    c.expect("G6 metric names", c.call("G6", "GET", "/api/v1/label/__name__/values",
                                       params=dict(range_params, limit="40000")),
             {"status": "success", "data": ["node_cpu_seconds_total", "up"]})

    # G7: series, POST then GET; no match[] is 400; limit truncates with a warning.
    a = c.call("G7 series", "POST", "/api/v1/series", form=dict(
        range_params, limit="40000", **{"match[]": "up"}))
    if a:
        got = sorted((s.get("job"), s.get("instance"), s.get("db")) for s in a["data"])
        c.expect("G7 series labels", got, [("hass", "ha:8123", "g"), ("node", "pi:9100", "g")])
    # G7: series without match[] is 400; limit truncates with a warning.
    a = c.call("G7 series limit", "GET", "/api/v1/series",
               params={"match[]": '{__name__!=""}', "limit": "1"})
    if a and (len(a["data"]) != 1 or not a.get("warnings")):
        c.failures.append(f"G7 limit=1: {a}")
    a = c.call("G7 no match[]", "POST", "/api/v1/series", form={"limit": "40000"}, want_status=400)
    c.expect("G7 no match[]", a, {"status": "error", "errorType": "bad_data",
                                  "error": "no match[] parameter provided"})

    # G8: metadata, GET only.
    want_md = {"type": "counter", "help": "Seconds the CPUs spent in each mode.", "unit": ""}
    a = c.call("G8 metadata", "GET", "/api/v1/metadata", params={"limit": "40000"})
    if a and a["data"].get("node_cpu_seconds_total") != [want_md]:
        c.failures.append(f"G8 metadata: {a}")
    c.expect("G8 metadata metric=", c.call("G8", "GET", "/api/v1/metadata",
                                           params={"metric": "node_cpu_seconds_total"}),
             {"status": "success", "data": {"node_cpu_seconds_total": [want_md]}})

    # G9: exemplars, GET and POST: an empty list, never 404/405.
    for method in ("GET", "POST"):
        p = {"query": "up", "start": str(T0), "end": str(END)}
        a = c.call(f"G9 exemplars {method}", method, "/api/v1/query_exemplars",
                   params=p if method == "GET" else None, form=p if method == "POST" else None)
        c.expect(f"G9 exemplars {method}", a, {"status": "success", "data": []})

    # G10: rules and alerts; the ruler probe is a plain 404.
    c.expect("G10 rules", c.call("G10", "GET", "/api/v1/rules", params={"type": "alert"}),
             {"status": "success", "data": {"groups": []}})
    c.expect("G10 alerts", c.call("G10", "GET", "/api/v1/alerts"),
             {"status": "success", "data": {"alerts": []}})
    c.call("G10 ruler probe", "GET", "/api/v1/rules/test/test", want_status=404)

    # promtool check healthy/ready (and load balancers): text, 200.
    for path in ("/-/healthy", "/-/ready"):
        text = c.call(path, "GET", path)
        if not isinstance(text, str) or not text.strip():
            c.failures.append(f"{path}: {text!r}")

    # An early answer to a request with a body keeps the connection usable (keep-alive).
    conn = http.client.HTTPConnection("127.0.0.1", c.port, timeout=10)
    conn.request("POST", "/api/v1/nope", body="x" * 5000,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    reason = r.reason
    conn.request("GET", "/api/v1/status/buildinfo")
    r2 = conn.getresponse()
    r2.read()
    if r.status != 404 or reason != "Not Found" or r2.status != 200:
        c.failures.append(f"404 then reuse: {r.status} {reason!r}, then {r2.status}")
    conn.close()


def promtool(c, url):
    tool = shutil.which("promtool")
    if not tool:
        print("promtool not installed: its part is skipped")
        return

    def run(*args):
        p = subprocess.run([tool, "query", *args], capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout, p.stderr

    cases = [
        (("instant", f"--time={END}", url, "node_cpu_seconds_total"),
         f'node_cpu_seconds_total{{cpu="0", db="g", mode="idle"}} => 540 @[{END}]\n'
         f'node_cpu_seconds_total{{cpu="0", db="g", mode="user"}} => 60 @[{END}]\n'),
        (("instant", f"--time={END}", url, "1+1"), f"scalar: 2 @[{END}]\n"),
        (("range", f"--start={END - 120}", f"--end={END}", "--step=1m", url,
          'rate(node_cpu_seconds_total{mode="idle"}[1m])'),
         '{cpu="0", db="g", mode="idle"} =>\n' +
         "".join(f"0.9 @[{t}]\n" for t in (END - 120, END - 60, END))),
    ]
    for args, want in cases:
        rc, out, err = run(*args)
        if rc != 0 or out != want:
            c.failures.append(f"promtool query {' '.join(args)}: rc={rc}\n  got  {out!r} {err!r}"
                              f"\n  want {want!r}")
    for args, want in [(("labels", url, "job"), "hass\nnode\n"),
                       (("labels", "--match=up{job=\"node\"}", url, "instance"), "pi:9100\n")]:
        rc, out, err = run(*args)
        if rc != 0 or out != want:
            c.failures.append(f"promtool query {' '.join(args)}: rc={rc}\n  got  {out!r} {err!r}"
                              f"\n  want {want!r}")
    rc, out, err = run("series", "--match=up", url)
    lines = sorted(out.splitlines())
    if rc != 0 or len(lines) != 2 or not all('instance="' in x and 'db="g"' in x for x in lines):
        c.failures.append(f"promtool query series --match=up: rc={rc} {out!r} {err!r}")
    rc, out, err = run("instant", url, "sum(")
    if rc == 0 or "bad_data" not in err or "1:5: parse error" not in err:
        c.failures.append(f"promtool parse error: rc={rc} {out!r} {err!r}")


def main(env):
    nanotdb, plugin_dir = sys.argv[1], sys.argv[2]
    port, _, _ = env.start_nanotdb(nanotdb, plugin_dir)
    status, _, body = http_request(port, "POST", "/api/v1/import/prometheus?db=g",
                                   body=page().encode())
    if status != 200:
        return [f"import: {status} {body!r}"]
    c = Client(port)
    grafana(c)
    promtool(c, f"http://127.0.0.1:{port}")
    return c.failures


if __name__ == "__main__":
    run_test("grafana-promtool-client", main)
