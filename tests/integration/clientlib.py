"""Shared helpers of the real-client integration tests (tests/integration/*_client_test.py).

Every server runs on 127.0.0.1 on a free port with its data in a temporary directory, and is
stopped by PID (SIGTERM, then SIGKILL after a grace period) when the test ends, pass or fail.
A test is a function main(env) -> list of failure strings; run_test() wraps it, prints the
failures and the logs of the servers, and turns the result into an exit status (0, 1, or 77
for "skipped: a client is not installed").
"""
import decimal
import gzip
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

SKIP = 77


class Skip(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need(program):
    """The path of an installed program, or Skip when it is missing."""
    path = shutil.which(program)
    if not path:
        raise Skip(f"{program} is not installed (scripts/bootstrap installs it)")
    return path


def http_request(port, method, path, body=None, headers=None, timeout=30):
    """(status, headers dict with lower-case names, body bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def get(port, path, params=None, **kw):
    if params:
        path += ("&" if "?" in path else "?") + urllib.parse.urlencode(params, doseq=True)
    return http_request(port, "GET", path, **kw)


def get_json(port, path, params=None):
    status, _, body = get(port, path, params)
    return status, json.loads(body)


def post_form(port, path, params):
    return http_request(port, "POST", path, body=urllib.parse.urlencode(params, doseq=True),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})


def wait_until(what, fn, timeout=15.0, interval=0.05):
    """Calls fn() until it returns a truthy value (returned) or raises AssertionError at the
    deadline, naming `what`."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except OSError as e:
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def float_bits(v):
    return struct.pack("<d", v)


def same_float(a, b):
    """Bit for bit, except that any NaN equals any NaN (Go and C++ print every NaN as NaN)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return float_bits(a) == float_bits(b)


def parse_go_float(text):
    """A sample value as the Prometheus text format writes it (Go's strconv forms)."""
    t = text.strip()
    low = t.lower()
    if low in ("nan", "+nan", "-nan"):
        return math.nan
    if low in ("+inf", "inf"):
        return math.inf
    if low == "-inf":
        return -math.inf
    return float(t)


_LABEL_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}


def parse_exposition(text):
    """Prometheus text format 0.0.4 -> ({(name, ((label, value), ...)): value float},
    {family: {"type": t, "help": h}}). Labels sorted, empty values dropped (as Prometheus
    stores them). An independent reader for the tests, strict enough to fail on surprises."""
    samples, meta = {}, {}
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                entry = meta.setdefault(parts[2], {})
                value = parts[3] if len(parts) > 3 else ""
                if parts[1] == "HELP":
                    value = value.replace("\\n", "\n").replace("\\\\", "\\")
                entry[parts[1].lower()] = value
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)", line)
        if not m:
            raise ValueError(f"line {n}: no metric name: {line!r}")
        name, i = m.group(1), m.end()
        labels = []
        if i < len(line) and line[i] == "{":
            i += 1
            while True:
                while line[i] in " ,":
                    i += 1
                if line[i] == "}":
                    i += 1
                    break
                lm = re.match(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"', line[i:])
                if not lm:
                    raise ValueError(f"line {n}: bad label at {i}: {line!r}")
                lname = lm.group(1)
                i += lm.end()
                value = []
                while line[i] != '"':
                    if line[i] == "\\":
                        value.append(_LABEL_ESCAPES[line[i + 1]])
                        i += 2
                    else:
                        value.append(line[i])
                        i += 1
                i += 1
                if value:
                    labels.append((lname, "".join(value)))
        rest = line[i:].split()
        if len(rest) not in (1, 2):
            raise ValueError(f"line {n}: expected value [timestamp]: {line!r}")
        key = (name, tuple(sorted(labels)))
        if key in samples:
            raise ValueError(f"line {n}: duplicate series {key}")
        samples[key] = parse_go_float(rest[0])
    return samples, meta


def with_target_labels(key, job, instance, extra=()):
    """The series a scrape stores for an exposed series: labels the target sets itself that
    clash with job, instance (or extra labels) become exported_<name>, a `db` label
    exported_db (nanotdb: db is the database), then job and instance are added."""
    name, labels = key
    target = dict(extra)
    target.update({"job": job, "instance": instance})
    out = dict(labels)
    for clash in list(target) + ["db"]:
        if clash in out:
            to = "exported_" + clash
            while to in out:
                to = "exported_" + to
            out[to] = out.pop(clash)
    out.update(target)
    return (name, tuple(sorted(out.items())))


def series_key(metric):
    """A query answer's `metric` object -> (name, sorted labels without __name__ and db)."""
    labels = {k: v for k, v in metric.items() if k not in ("__name__", "db")}
    return (metric.get("__name__", ""), tuple(sorted(labels.items())))


class Env:
    """The processes and the temporary directory of one test."""

    def __init__(self, name):
        self.work = tempfile.mkdtemp(prefix=f"{name}-")
        self.procs = []  # (name, Popen, log path)

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def spawn(self, name, argv, cwd=None):
        log = self.path(f"{name}.log")
        p = subprocess.Popen(argv, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, cwd=cwd or self.work)
        self.procs.append((name, p, log))
        return p

    def wait_http(self, name, proc, port, path="/", timeout=15.0):
        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode} before answering "
                                     f"on :{port}:\n{self.log(name)[-3000:]}")
            try:
                status, _, _ = get(port, path, timeout=2)
                return status == 200
            except OSError:
                return False
        wait_until(f"{name} to answer 200 on 127.0.0.1:{port}{path}", ready, timeout)

    def stop(self, proc, timeout=20):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def log(self, name):
        for n, _, log in self.procs:
            if n == name:
                with open(log, "rb") as f:
                    return f.read().decode("utf-8", "replace")
        return ""

    def close(self):
        for _, p, _ in reversed(self.procs):
            self.stop(p)

    # --- nanotdb ---------------------------------------------------------------------------

    def nanotdb_config(self, nanotdb, plugin_dir, root, extra_toml="", port=None,
                       all_defaults=False):
        """Writes <root>/engine.toml (nanotdb --init) listening on a free loopback port, with
        plugins from plugin_dir, the dashboard and drip-sources off, self-stats off (all on as
        --init writes them with all_defaults), and extra_toml appended. Returns the port."""
        os.makedirs(root, exist_ok=True)
        cfg = os.path.join(root, "engine.toml")
        subprocess.run([nanotdb, "--init", "--config", cfg], check=True, capture_output=True)
        port = port or free_port()
        text = open(cfg).read()
        text = re.sub(r'(?m)^listen = .*$', f'listen = "127.0.0.1:{port}"', text, count=1)
        text = re.sub(r'(?m)^dir = .*$', f'dir = "{plugin_dir}"', text, count=1)
        for section in () if all_defaults else ("plugins.drip-sources", "plugins.ui-dashboard",
                                                 "stats"):
            text = re.sub(rf'(?ms)(^\[{re.escape(section)}\]\s*\n(?:.*?\n)*?\s*enabled\s*=\s*)true',
                          r'\g<1>false', text, count=1)
        open(cfg, "w").write(text + "\n" + extra_toml)
        return port

    def start_nanotdb(self, nanotdb, plugin_dir, extra_toml="", name="nanotdb", root=None):
        """Starts the daemon on a fresh root; returns (port, Popen, root)."""
        root = root or self.path(name)
        port = self.nanotdb_config(nanotdb, plugin_dir, root, extra_toml)
        proc = self.spawn(name, [nanotdb, "--config", os.path.join(root, "engine.toml")])
        self.wait_http(name, proc, port, "/health")
        return port, proc, root


def instant(port, query, time_s=None):
    """POST /api/v1/query; returns the decoded answer (raises on a non-success answer)."""
    params = {"query": query}
    if time_s is not None:
        params["time"] = str(time_s)
    status, _, body = post_form(port, "/api/v1/query", params)
    answer = json.loads(body, parse_float=decimal.Decimal)  # timestamps to the nanosecond
    if status != 200 or answer.get("status") != "success":
        raise AssertionError(f"query {query!r}: HTTP {status} {body[:500]!r}")
    return answer["data"]


def raw_samples(port, selector, window="1h", time_s=None, text=False):
    """Every stored sample of the series matching selector within window before time_s:
    {series_key: [(t_seconds Decimal, value float), ...]} (a range-vector instant query);
    with text=True the values are the answer's text ("5000000000", "NaN")."""
    data = instant(port, f"{selector}[{window}]", time_s if time_s is not None else time.time())
    if data["resultType"] != "matrix":
        raise AssertionError(f"{selector}[{window}]: resultType {data['resultType']}")
    out = {}
    for s in data["result"]:
        key = series_key(s["metric"])
        if key in out:
            raise AssertionError(f"{selector}: series {key} answered twice")
        out[key] = [(t, v if text else parse_go_float(v)) for t, v in s["values"]]
    return out


def gzip_bytes(data):
    return gzip.compress(data if isinstance(data, bytes) else data.encode())


def run_test(name, main):
    """Runs main(env) and exits with its verdict."""
    env = Env(name)
    failures = []
    try:
        failures = main(env) or []
    except Skip as e:
        print(f"SKIP: {e}")
        env.close()
        shutil.rmtree(env.work, ignore_errors=True)
        sys.exit(SKIP)
    except Exception:  # noqa: BLE001 - any error fails the test with its traceback
        failures = ["exception:\n" + traceback.format_exc()]
    finally:
        env.close()
    for f in failures:
        print("FAIL", f)
    if failures:
        for n, _, log in env.procs:
            with open(log, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            print(f"--- {n} log (last 4000 bytes) ---\n{text[-4000:]}")
    shutil.rmtree(env.work, ignore_errors=True)
    if not failures:
        print("PASS")
    sys.exit(1 if failures else 0)
