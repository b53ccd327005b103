#!/usr/bin/env python3
"""forward-remote-write streams a day of host-like metrics to Debian's victoria-metrics and
prometheus; both must then hold exactly what nanotdb holds, through an outage and a restart.

Servers, all on 127.0.0.1, free ports, temporary directories, stopped by PID:
- victoria-metrics over TLS (a self-signed certificate the endpoint trusts by tls_ca_file)
  with basic auth (-httpAuth.*);
- prometheus --web.enable-remote-write-receiver, with no scrape job of its own;
- a TLS server (python's ssl) whose certificate, trusted through tls_ca_file, names another
  host: endpoint "wrong-name" must never get a request through;
- a second nanotdb whose write role needs a bearer token, receiving through ingest-prometheus'
  POST /api/v1/write?db=fleet (endpoint "peer", db_label "", the token from bearer_token_file);
- nanotdb with forward-remote-write: endpoint "vm" and endpoint "prom", external label
  instance="box-1", database "scratch" and series "debug.*" excluded, backfill 2d.

A day of samples at 20 s (int64 counters, short decimals, labelled series: what VictoriaMetrics
stores exactly), stamped from 24 h ago to now, is POSTed to nanotdb in 2 h chunks. After the
first chunks reached victoria-metrics, it is stopped (SIGTERM) while the rest keeps arriving;
during that outage nanotdb is restarted and a last chunk written. Then victoria-metrics comes
back. Once nanotdb reports nothing pending for either endpoint:

- every sample nanotdb holds in "host" (minus the excluded series) is in victoria-metrics'
  /api/v1/export, in prometheus' raw range query and in the peer's database "fleet": same series (metric name with '.' ->
  '_', labels plus db="host" and instance="box-1"), same millisecond stamps, values bit for
  bit, no sample twice, nothing of "scratch" or "debug.*";
- /metrics showed failed requests and pending samples for "vm" during the outage, and shows
  sent samples and zero lag after it.

Usage: forward_remote_write_client_test.py NANOTDB_BIN PLUGIN_DIR
"""
import base64
import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientlib import (free_port, get, http_request, need, post_form, raw_samples,  # noqa: E402
                       run_test, same_float, wait_until)

STEP_S = 20
DAY_S = 24 * 3600
CHUNK_S = 2 * 3600
VM_USER, VM_PASSWORD = "forwarder", "s3cret pass"
PEER_TOKEN = "peer-write-token"


def series_defs():
    """(metric, labels dict, value(i) -> line-protocol text and float)."""
    defs = []
    for core in range(4):
        defs.append(("cpu.usage", {"core": str(core)},
                     lambda i, c=core: f"{((i * 37 + c * 11) % 10000) / 100:.2f}"))
    defs.append(("mem.used_bytes", {}, lambda i: f"{1_500_000_000 + (i * 7919) % 50_000_000}i"))
    defs.append(("load1", {}, lambda i: f"{(i % 400) * 0.01:.2f}"))
    defs.append(("net.rx_bytes", {"iface": "eth0"}, lambda i: f"{i * 123_457}i"))
    defs.append(("disk.used_pct", {"mount": "/"}, lambda i: f"{40 + (i % 3000) / 1000:.3f}"))
    defs.append(("temp", {"sensor": "cpu"}, lambda i: f"{45 + (i % 200) / 10:.1f}"))
    defs.append(("debug.loop_ns", {}, lambda i: f"{i}i"))  # excluded by exclude_series
    return defs


def key_text(metric, labels):
    if not labels:
        return metric
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def lines_for(defs, t0_s, t_from, t_to):
    """Line protocol of every series for stamps in [t_from, t_to)."""
    out = []
    for t in range(t_from, t_to, STEP_S):
        i = (t - t0_s) // STEP_S
        for metric, labels, value in defs:
            out.append(f"host/{key_text(metric, labels)} {value(i)} {t * 1_000_000_000}")
        out.append(f"scratch/tmp.value {i}i {t * 1_000_000_000}")  # excluded database
    return "\n".join(out) + "\n"


def post_lines(port, text):
    status, _, body = http_request(port, "POST", "/api/v1/import", body=text.encode(),
                                   headers={"Content-Type": "text/plain"})
    if status != 204 and status != 200:
        raise AssertionError(f"import: HTTP {status} {body[:300]!r}")


def metrics_text(port):
    status, _, body = get(port, "/metrics")
    if status != 200:
        raise AssertionError(f"/metrics: HTTP {status}")
    return body.decode()


def stat(text, name, endpoint, reason=None):
    want = f'endpoint="{endpoint}"' + (f',reason="{reason}"' if reason else "")
    for line in text.splitlines():
        if line.startswith(name + "{" + want + "}"):
            return float(line.rsplit(" ", 1)[1])
    return None


class Vm:
    """victoria-metrics over TLS with basic auth."""

    def __init__(self, env, port, ca_file, cert, key):
        self.env, self.port, self.ca, self.cert, self.key = env, port, ca_file, cert, key
        self.data = env.path("vm-data")
        self.proc = None
        self.context = ssl.create_default_context(cafile=ca_file)

    def start(self, name):
        self.proc = self.env.spawn(name, [
            need("victoria-metrics"), f"-storageDataPath={self.data}",
            f"-httpListenAddr=127.0.0.1:{self.port}", "-retentionPeriod=100y",
            "-tls", f"-tlsCertFile={self.cert}", f"-tlsKeyFile={self.key}",
            f"-httpAuth.username={VM_USER}", f"-httpAuth.password={VM_PASSWORD}",
            "-search.latencyOffset=0s", "-loggerLevel=ERROR"])
        wait_until("victoria-metrics to answer /health", self.healthy, 30)

    def request(self, path):
        c = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=60)
        auth = base64.b64encode(f"{VM_USER}:{VM_PASSWORD}".encode()).decode()
        try:
            c.request("GET", path, headers={"Authorization": "Basic " + auth})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError("victoria-metrics exited")
        try:
            return self.request("/health")[0] == 200
        except OSError:
            return False

    def export(self, start_s, end_s):
        """{(name, labels): [(ms, float)...]} in time order, duplicates kept."""
        self.request("/internal/force_flush")
        q = urllib.parse.urlencode({"match[]": '{db=~".+"}', "start": str(start_s),
                                    "end": str(end_s)})
        status, body = self.request("/api/v1/export?" + q)
        if status != 200:
            raise AssertionError(f"victoria-metrics export: HTTP {status} {body[:300]!r}")
        out = {}
        for line in body.decode().splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            m = dict(row["metric"])
            name = m.pop("__name__")
            out.setdefault((name, tuple(sorted(m.items()))), []).extend(
                zip(row["timestamps"], [float(v) for v in row["values"]]))
        return {k: sorted(v, key=lambda p: p[0]) for k, v in out.items()}


def prom_export(port, at_s):
    status, _, body = post_form(port, "/api/v1/query",
                                {"query": '{db=~".+"}[2d]', "time": f"{at_s:.3f}"})
    answer = json.loads(body)
    if status != 200 or answer.get("status") != "success":
        raise AssertionError(f"prometheus query: HTTP {status} {body[:300]!r}")
    out = {}
    for s in answer["data"]["result"]:
        m = dict(s["metric"])
        name = m.pop("__name__")
        out[(name, tuple(sorted(m.items())))] = [
            (int(round(float(t) * 1000)), float(v)) for t, v in s["values"]]
    return out


def expected_from_nanotdb(port, at_s):
    """nanotdb's own samples of "host", as the receivers should hold them."""
    ours = raw_samples(port, '{__name__=~".+",db="host"}', "2d", at_s)
    out = {}
    for (name, labels), points in ours.items():
        if name.startswith("debug."):
            continue
        remote = dict(labels)
        remote.update({"db": "host", "instance": "box-1"})
        out[(re.sub(r"[^A-Za-z0-9_:]", "_", name), tuple(sorted(remote.items())))] = [
            (int(t * 1000), v) for t, v in points]
    return out


def compare(who, theirs, expected):
    failures = []
    missing = sorted(set(expected) - set(theirs))
    extra = sorted(set(theirs) - set(expected))
    if missing:
        failures.append(f"{who} lacks {len(missing)} series, e.g. {missing[:3]}")
    if extra:
        failures.append(f"{who} holds {len(extra)} series nanotdb did not send, e.g. {extra[:3]}")
    for key in sorted(set(expected) & set(theirs)):
        want, got = expected[key], theirs[key]
        stamps = [t for t, _ in got]
        if len(set(stamps)) != len(stamps):
            failures.append(f"{who} {key}: {len(stamps) - len(set(stamps))} samples twice")
            continue
        if len(got) != len(want):
            have = set(stamps)
            lost = [t for t, _ in want if t not in have]
            failures.append(f"{who} {key}: {len(got)} samples, nanotdb {len(want)}; "
                            f"missing e.g. {lost[:3]}")
            continue
        bad = [(a, b) for a, b in zip(want, got) if a[0] != b[0] or not same_float(a[1], b[1])]
        if bad:
            failures.append(f"{who} {key}: {len(bad)} samples differ, e.g. {bad[:2]}")
    return failures


def make_cert(env, name="vm", subject="/CN=127.0.0.1", alt="IP:127.0.0.1"):
    cert, key = env.path(f"{name}-cert.pem"), env.path(f"{name}-key.pem")
    subprocess.run([need("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", subject,
                    "-addext", f"subjectAltName={alt}"],
                   check=True, capture_output=True)
    return cert, key


def wrong_name_server(cert, key):
    """An HTTPS server on a free loopback port presenting a certificate for other.example;
    returns (port, list of request paths it answered)."""
    import http.server
    import threading
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1], seen


def main(env):
    nanotdb, plugin_dir = sys.argv[1], sys.argv[2]
    if not os.path.exists(os.path.join(plugin_dir, "nanotdb-forward-remote-write.so")):
        return ["nanotdb-forward-remote-write.so is not built in " + plugin_dir]
    need("victoria-metrics")
    prometheus = need("prometheus")
    failures = []
    cert, key = make_cert(env)
    other_cert, other_key = make_cert(env, "other", "/CN=other.example", "DNS:other.example")
    wport, wrong_seen = wrong_name_server(other_cert, other_key)

    vm = Vm(env, free_port(), cert, cert, key)
    vm.start("victoria-metrics")
    pport = free_port()
    pconf = env.path("prometheus.yml")
    with open(pconf, "w") as f:
        f.write("global:\n  scrape_interval: 1m\nscrape_configs: []\n")
    prom = env.spawn("prometheus", [
        prometheus, f"--config.file={pconf}", f"--storage.tsdb.path={env.path('prom-data')}",
        f"--web.listen-address=127.0.0.1:{pport}", "--web.enable-remote-write-receiver",
        "--storage.tsdb.retention.time=30d", "--log.level=warn"])
    env.wait_http("prometheus", prom, pport, "/-/ready", 30)

    endpoints = f"""
[[plugins.forward-remote-write.endpoint]]
name = "wrong-name"
url = "https://127.0.0.1:{wport}/api/v1/write"
tls_ca_file = "{other_cert}"
databases = ["host"]
backfill = "2d"
interval = "200ms"
min_backoff = "100ms"
max_backoff = "500ms"

[[plugins.forward-remote-write.endpoint]]
name = "vm"
url = "https://127.0.0.1:{vm.port}/api/v1/write"
tls_ca_file = "{cert}"
basic_auth_user = "{VM_USER}"
basic_auth_password = "{VM_PASSWORD}"
exclude_databases = ["scratch"]
exclude_series = ["debug.*"]
external_labels = {{ instance = "box-1" }}
backfill = "2d"
interval = "200ms"
min_backoff = "100ms"
max_backoff = "1s"
timeout = "5s"
max_samples_per_send = 1000

[[plugins.forward-remote-write.endpoint]]
name = "prom"
url = "http://127.0.0.1:{pport}/api/v1/write"
exclude_databases = ["scratch"]
exclude_series = ["debug.*"]
external_labels = {{ instance = "box-1" }}
backfill = "2d"
interval = "200ms"
min_backoff = "100ms"
max_backoff = "1s"
max_samples_per_send = 2000
"""
    token_file = env.path("peer.token")
    with open(token_file, "w") as f:
        f.write(PEER_TOKEN + "\n")
    peer_port, peer, _ = env.start_nanotdb(
        nanotdb, plugin_dir, name="peer",
        extra_toml="")
    env.stop(peer)
    peer_cfg = os.path.join(env.path("peer"), "engine.toml")
    text = open(peer_cfg).read()
    text = re.sub(r'(?m)^write_token = .*$', f'write_token = "{PEER_TOKEN}"', text, count=1)
    open(peer_cfg, "w").write(text)
    peer = env.spawn("peer-with-token", [nanotdb, "--config", peer_cfg])
    env.wait_http("peer-with-token", peer, peer_port, "/health")
    endpoints += f"""
[[plugins.forward-remote-write.endpoint]]
name = "peer"
url = "http://127.0.0.1:{peer_port}/api/v1/write?db=fleet"
bearer_token_file = "{token_file}"
db_label = ""
exclude_databases = ["scratch"]
exclude_series = ["debug.*"]
external_labels = {{ instance = "box-1" }}
backfill = "2d"
interval = "200ms"
min_backoff = "100ms"
max_backoff = "1s"
"""
    root = env.path("nanotdb")
    port = env.nanotdb_config(nanotdb, plugin_dir, root)
    cfg = os.path.join(root, "engine.toml")
    text = open(cfg).read()
    text = text.replace("[plugins.forward-remote-write]\nenabled = false",
                        "[plugins.forward-remote-write]\nenabled = true")
    open(cfg, "w").write(text + endpoints)
    proc = env.spawn("nanotdb", [nanotdb, "--config", cfg])
    env.wait_http("nanotdb", proc, port, "/health")

    defs = series_defs()
    end_s = int(time.time()) // STEP_S * STEP_S - 60
    start_s = end_s - DAY_S
    chunks = list(range(start_s, end_s, CHUNK_S))
    started = time.time()

    # The first quarter of the day; victoria-metrics goes away once it holds some of it.
    for c in chunks[:3]:
        post_lines(port, lines_for(defs, start_s, c, c + CHUNK_S))
    wait_until("vm to acknowledge some samples",
               lambda: (stat(metrics_text(port), "nanotdb_forward_sent_samples_total", "vm")
                        or 0) > 0, 30)
    env.stop(vm.proc)
    for c in chunks[3:9]:
        post_lines(port, lines_for(defs, start_s, c, c + CHUNK_S))
        time.sleep(0.05)
    during = wait_until("vm failures counted", lambda: (
        lambda m: m if (stat(m, "nanotdb_forward_failed_requests_total", "vm") or 0) > 0
        and (stat(m, "nanotdb_forward_pending_samples", "vm") or 0) > 0 else None)(
            metrics_text(port)), 30)
    lag = stat(during, "nanotdb_forward_lag_seconds", "vm")
    if not lag or lag < 3600:
        failures.append(f"during the outage vm lag_seconds is {lag}, expected hours")

    # nanotdb restarts during the outage; the rest of the day arrives after it.
    if env.stop(proc) != 0:
        failures.append(f"nanotdb exited with {proc.returncode} on SIGTERM")
    cursor = os.path.join(root, ".plugins", "forward-remote-write", "vm.cursor")
    if not os.path.exists(cursor) or not open(cursor).read().startswith("nanotdb-forward-cursor 1\n"):
        failures.append(f"no cursor file {cursor}")
    proc = env.spawn("nanotdb-restarted", [nanotdb, "--config", cfg])
    env.wait_http("nanotdb-restarted", proc, port, "/health")
    for c in chunks[9:]:
        post_lines(port, lines_for(defs, start_s, c, c + CHUNK_S))
    post_lines(port, lines_for(defs, start_s, end_s, end_s + STEP_S))
    time.sleep(0.5)
    vm.start("victoria-metrics-restarted")

    def settled():
        m = metrics_text(port)
        for e in ("vm", "prom", "peer"):
            if stat(m, "nanotdb_forward_pending_samples", e) != 0 or \
                    stat(m, "nanotdb_forward_lag_seconds", e) != 0:
                return None
        return m
    after = wait_until("both endpoints to have nothing pending", settled, 60, 0.2)
    took = time.time() - started
    for e in ("vm", "prom", "peer"):
        if not stat(after, "nanotdb_forward_sent_samples_total", e):
            failures.append(f"after the restart {e} reports no sent samples")
        for reason in ("max_lag", "rejected"):
            if stat(after, "nanotdb_forward_dropped_samples_total", e, reason) != 0:
                failures.append(f"{e} dropped samples ({reason})")

    if wrong_seen or stat(after, "nanotdb_forward_sent_samples_total", "wrong-name") != 0:
        failures.append(f"a certificate for other.example was accepted for 127.0.0.1: "
                        f"{len(wrong_seen)} requests got through")
    if not stat(after, "nanotdb_forward_failed_requests_total", "wrong-name"):
        failures.append("endpoint wrong-name reports no failed requests")

    at = end_s + 1
    expected = expected_from_nanotdb(port, at)
    n = sum(len(v) for v in expected.values())
    want_n = (DAY_S // STEP_S + 1) * (len(defs) - 1)
    if n != want_n:
        failures.append(f"nanotdb holds {n} samples of host, expected {want_n}: test too weak")
    failures += compare("victoria-metrics", vm.export(start_s - 60, end_s + 60), expected)
    failures += compare("prometheus", prom_export(pport, at), expected)
    # The peer stores what it receives under the remote names, without a db label (it is the
    # database); its answers carry db="fleet".
    peer_expected = {(name, tuple(kv for kv in labels if kv[0] != "db")): points
                     for (name, labels), points in expected.items()}
    peer_has = {k: [(int(t * 1000), v) for t, v in pts] for k, pts in
                raw_samples(peer_port, '{__name__=~".+",db="fleet"}', "2d", at).items()}
    failures += compare("nanotdb peer", peer_has, peer_expected)
    if env.stop(proc) != 0:
        failures.append(f"restarted nanotdb exited with {proc.returncode} on SIGTERM")
    print(f"{n} samples of {len(expected)} series forwarded to all three receivers through an "
          f"outage and a restart in {took:.1f}s")
    return failures


if __name__ == "__main__":
    run_test("forward-remote-write", main)
