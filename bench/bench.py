#!/usr/bin/env python3
"""NanoTDB benchmarks: offline import and HTTP ingest/query, side by side with VictoriaMetrics.

Figures (DESIGN.md §9): samples/s, CPU µs/sample, bytes/sample on disk, peak RSS, idle RSS,
start-to-first-200, median full-day range query, bytes written per sample (/proc/PID/io).
Every run starts from an empty temporary root; nothing here is a pass/fail test.
"""
import argparse
import glob
import http.client
import json
import math
import os
import pwd
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

CACHE = os.path.join(tempfile.gettempdir(), "nanotdb-bench-cache")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(msg, flush=True)


def workload(build, metrics, days):
    """Generates (once) the deterministic workload file and returns (path, samples)."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f"host-{metrics}m-{days}d.lp")
    if not os.path.exists(path):
        subprocess.run([os.path.join(build, "bin", "nanotdb-workload"), "--metrics", str(metrics),
                        "--days", str(days), "--db", "host", "--seed", "1", "--out", path + ".tmp"],
                       check=True)
        os.rename(path + ".tmp", path)
    with open(path, "rb") as f:
        samples = sum(1 for line in f if line.strip() and not line.startswith(b"#"))
    return path, samples


def data_bytes(root, db):
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(root, db, "data-*.dat")))


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (wall s, cpu s, peak RSS KiB, stdout)."""
    fmt = "%e %U %S %M"
    p = subprocess.run(["/usr/bin/time", "-f", fmt] + cmd, capture_output=True, text=True)
    if p.returncode not in (0,):
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-2000:]}")
    wall, user, sys_, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(sys_), int(rss), p.stdout


def offline(build, metrics, days):
    path, samples = workload(build, metrics, days)
    root = tempfile.mkdtemp(prefix="nanotdb-bench-")
    try:
        wall, cpu, rss, _ = timed([os.path.join(build, "bin", "nanocli"), "import", "--root", root,
                                   "--in", path])
        size = data_bytes(root, "host")
        t0 = time.perf_counter()
        subprocess.run([os.path.join(build, "bin", "nanocli"), "query", "--root", root, "--db",
                        "host", "--metric", "^cpu\\.usage_user$", "--start", "0", "--format",
                        "json"], check=True, capture_output=True)
        q = time.perf_counter() - t0
        return {
            "workload": f"{metrics} metrics x {days} d",
            "samples": samples,
            "samples_per_s": samples / wall,
            "cpu_us_per_sample": cpu * 1e6 / samples,
            "bytes_per_sample": size / samples,
            "peak_rss_mib": rss / 1024,
            "cli_query_ms": q * 1000,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def export_lines(build, root, out_path):
    """nanocli export of host into out_path; returns (exit code, set of lines)."""
    p = subprocess.run([os.path.join(build, "bin", "nanocli"), "export", "--root", root, "--db",
                        "host", "--out", out_path], capture_output=True, text=True)
    if p.returncode not in (0, 3):
        raise RuntimeError(f"export failed ({p.returncode}): {p.stderr[-2000:]}")
    with open(out_path, "rb") as f:
        return p.returncode, set(f.read().splitlines())


def flips(build, days, n, seed=1):
    """Share of samples kept by nanocli export after one random single-byte flip of a partition,
    for a partition written whole (import) and one written in 48 frames (as live ingest writes
    half-hour pages). Every exported line must be one of the intact export's."""
    path, _ = workload(build, 84, days)
    with open(path, "rb") as f:
        lines = [l for l in f if l.strip() and not l.startswith(b"#")]
    rng = random.Random(seed)
    results = {}
    for kind, pieces in (("imported", 1), ("live_ingest_48_frames", 48)):
        root = tempfile.mkdtemp(prefix="nanotdb-bench-flips-")
        try:
            chunk = (len(lines) + pieces - 1) // pieces
            os.makedirs(os.path.join(root, "r"))
            for i in range(pieces):
                part = os.path.join(root, f"part-{i}.lp")
                with open(part, "wb") as f:
                    f.writelines(lines[i * chunk:(i + 1) * chunk])
                subprocess.run([os.path.join(build, "bin", "nanocli"), "import", "--root",
                                os.path.join(root, "r"), "--in", part], check=True,
                               capture_output=True)
                os.remove(part)
            files = sorted(glob.glob(os.path.join(root, "r", "host", "data-*.dat")))
            out = os.path.join(root, "export.lp")
            _, intact = export_lines(build, os.path.join(root, "r"), out)
            shares, wrong, partial_codes = [], 0, 0
            for _ in range(n):
                victim = rng.choice(files)
                with open(victim, "rb") as f:
                    original = f.read()
                bad = bytearray(original)
                at = rng.randrange(len(bad))
                bad[at] ^= rng.randrange(1, 256)
                with open(victim, "wb") as f:
                    f.write(bad)
                code, got = export_lines(build, os.path.join(root, "r"), out)
                with open(victim, "wb") as f:
                    f.write(original)
                wrong += len(got - intact)
                shares.append(len(got & intact) / len(intact))
                partial_codes += code == 3 or shares[-1] == 1.0
            results[kind] = {
                "flips": n,
                "samples": len(intact),
                "file_bytes": sum(os.path.getsize(p) for p in files),
                "kept_mean": statistics.mean(shares),
                "kept_worst": min(shares),
                "wrong_samples": wrong,
                "reported_or_harmless": partial_codes,
            }
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return results


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def proc_write_bytes(pid):
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    return 0


def wait_http(port, path, timeout=15.0):
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return time.perf_counter() - t0
        except OSError:
            time.sleep(0.002)
    raise RuntimeError(f"no HTTP 200 from :{port}{path} within {timeout}s")


def post_batches(port, path, lines, batch, content_type="text/plain"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for i in range(0, len(lines), batch):
        body = "\n".join(lines[i:i + batch]).encode()
        conn.request("POST", path, body=body, headers={"Content-Type": content_type})
        r = conn.getresponse()
        data = r.read()
        if r.status not in (200, 204):
            raise RuntimeError(f"POST {path} -> {r.status}: {data[:300]!r}")
    conn.close()


def concurrent_ingest(argv, port, health, path, lines, writers, batch, stop):
    """Starts a server and posts `lines` from `writers` threads at once (each its own share of
    the metrics, in `batch`-line POSTs over its own keep-alive connection); returns server CPU
    µs per sample and samples/s."""
    import threading
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(port, health, timeout=30)
        time.sleep(1.0)
        shares = [[] for _ in range(writers)]
        for l in lines:  # a metric always goes to the same writer, so its samples stay ordered
            shares[hash(l.split(" ", 1)[0]) % writers].append(l)
        errors = []

        def run(share):
            try:
                post_batches(port, path, share, batch)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
        cpu0, t0 = proc_cpu_s(proc.pid), time.perf_counter()
        threads = [threading.Thread(target=run, args=(sh,)) for sh in shares]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall, cpu = time.perf_counter() - t0, proc_cpu_s(proc.pid) - cpu0
        if errors:
            raise errors[0]
        peak_rss = proc_status_kib(proc.pid, "VmHWM")
        stop(proc, port)
        return {"samples": len(lines), "samples_per_s": len(lines) / wall,
                "server_cpu_us_per_sample": cpu * 1e6 / len(lines), "peak_rss_kib": peak_rss}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def always_bench(build, days, writers=4, batch=1000):
    """Ingest CPU per sample with fsync_policy = "always" and `writers` concurrent clients,
    beside victoria-metrics (which acknowledges before its data is fsynced)."""
    path, _ = workload(build, 84, days)
    lines = [l for l in open(path).read().splitlines() if l and not l.startswith("#")]
    out = {}
    for policy in ("always", "segment"):
        root = tempfile.mkdtemp(prefix="nanotdb-bench-always-")
        try:
            port = free_port()
            cfg = nanotdb_config(build, root, port)
            text = open(cfg).read()
            text = re.sub(r'(?m)^(fsync_policy\s*=\s*).*$', rf'\g<1>"{policy}"', text, count=1)
            open(cfg, "w").write(text)
            out[f"nanotdb_{policy}"] = concurrent_ingest(
                [os.path.join(build, "bin", "nanotdb"), "--config", cfg], port, "/health",
                "/api/v1/import", lines, writers, batch, stop_by_signal)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    exe = shutil.which("victoria-metrics")
    if exe:
        root = tempfile.mkdtemp(prefix="vm-bench-always-")
        try:
            port = free_port()
            out["victoria-metrics"] = concurrent_ingest(
                [exe, "-storageDataPath", root, "-httpListenAddr", f"127.0.0.1:{port}",
                 "-retentionPeriod", "100y"], port, "/health", "/api/v1/import/prometheus",
                to_prometheus(lines), writers, batch, stop_by_signal)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return out


def median_query_ms(port, path, runs=21):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise RuntimeError(f"GET {path} -> {r.status}: {body[:300]!r}")
    conn.close()
    return statistics.median(times[1:]), body


def nanotdb_config(build, root, port):
    cfg = os.path.join(root, "engine.toml")
    subprocess.run([os.path.join(build, "bin", "nanotdb"), "--init", "--config", cfg], check=True,
                   capture_output=True)
    text = open(cfg).read()
    text = re.sub(r'(?m)^(\s*listen\s*=\s*).*$', rf'\g<1>"127.0.0.1:{port}"', text, count=1)
    # Host probes and the dashboard are not part of this workload.
    for plugin in ("drip-sources", "ui-dashboard"):
        text = re.sub(rf'(?ms)(^\[plugins\.{plugin}\]\s*\n(?:.*?\n)*?\s*enabled\s*=\s*)true',
                      r'\g<1>false', text, count=1)
    # Frames as live ingest writes them: a page holds 2 h of a 10 s cadence (720 samples per
    # metric of the 84-metric workload), and every sample goes through the WAL as live data does.
    text += ("\n[manifest_defaults.page]\nmax_records = 60480\n"
             "\n[manifest_defaults.wal]\nskip_before = \"0s\"\n")
    # The daemon would rewrite the imported (sealed) days into metric files as it starts, on
    # the cores the figures are measured on; the data-file figures stay comparable without,
    # and the metricfiles bench builds them itself.
    text = re.sub(r'(?m)^(\[plugins\.metricfiles\]\s*\n)', r'\g<1>build_on_seal = false\n', text,
                  count=1)
    open(cfg, "w").write(text)
    return cfg


def run_http(name, argv, port, health, import_path, lines, query_path, data_dir, db_bytes,
             stop, before_query=None):
    """Starts a server, ingests `lines` in 10k-line POSTs over one keep-alive connection and
    measures it. Returns a dict of figures."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(port, health, timeout=30)
        start_ms = (time.perf_counter() - t0) * 1000
        time.sleep(1.0)
        idle_rss = proc_status_kib(proc.pid, "VmRSS")
        cpu0, wb0 = proc_cpu_s(proc.pid), proc_write_bytes(proc.pid)
        t1 = time.perf_counter()
        post_batches(port, import_path, lines, 10000)
        wall = time.perf_counter() - t1
        cpu = proc_cpu_s(proc.pid) - cpu0
        rss_after = proc_status_kib(proc.pid, "VmRSS")
        if before_query:
            before_query(port)
        qms, body = median_query_ms(port, query_path)
        result = json.loads(body)["data"]["result"]
        points = len(result[0]["values"]) if result else 0
        stop(proc, port)
        wb = proc_write_bytes_at_exit(proc) - wb0
        peak = proc_peak_kib_at_exit(proc)
        n = len(lines)
        return {
            "server": name, "samples": n, "samples_per_s": n / wall,
            "server_cpu_us_per_sample": cpu * 1e6 / n,
            "idle_rss_mib": idle_rss / 1024, "rss_after_ingest_mib": rss_after / 1024,
            "peak_rss_mib": peak / 1024 if peak else None,
            "bytes_per_sample": db_bytes() / n, "start_to_200_ms": start_ms,
            "range_query_ms": qms, "range_query_points": points,
            "write_bytes_per_sample": wb / n if wb is not None else None,
        }
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# /proc/PID is gone once the process is reaped, so the last readings are taken just before the
# server is asked to stop and refreshed while it shuts down.
_last = {}


def sample_proc(proc):
    try:
        wb, hwm = proc_write_bytes(proc.pid), proc_status_kib(proc.pid, "VmHWM")
    except OSError:
        return
    prev_wb, prev_hwm = _last.get(proc.pid, (0, 0))
    # A zombie has no memory figures left; keep the largest readings seen.
    _last[proc.pid] = (max(wb, prev_wb), max(hwm, prev_hwm))


def proc_write_bytes_at_exit(proc):
    return _last.get(proc.pid, (None, None))[0]


def proc_peak_kib_at_exit(proc):
    return _last.get(proc.pid, (None, None))[1]


def stop_by_signal(proc, port):
    sample_proc(proc)
    proc.send_signal(signal.SIGTERM)
    while proc.poll() is None:
        sample_proc(proc)
        time.sleep(0.01)


def http_nanotdb(build, path, lines, first_ts, days):
    root = tempfile.mkdtemp(prefix="nanotdb-bench-http-")
    try:
        port = free_port()
        cfg = nanotdb_config(build, root, port)
        q = urllib.parse.urlencode({"query": "host/cpu.usage_user", "start": str(first_ts),
                                    "end": str(first_ts + days * 86400 * 10**9)})
        return run_http("nanotdb", [os.path.join(build, "bin", "nanotdb"), "--config", cfg], port,
                        "/health", "/api/v1/import", lines, "/api/v1/query_range?" + q, root,
                        lambda: data_bytes(root, "host"), stop_by_signal)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def to_prometheus(lines):
    """LP `host/cpu.usage_user 12.5 <ns>` -> Prometheus text `cpu_usage_user 12.5 <ms>`."""
    out = []
    for l in lines:
        target, value, ts = l.split(" ")
        name = re.sub(r"[^a-zA-Z0-9_:]", "_", target.split("/", 1)[1])
        out.append(f"{name} {value.rstrip('i')} {int(ts) // 1000000}")
    return out


def du_bytes(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(dirpath, f))
            except OSError:
                pass
    return total


def http_vm(lines, first_ts, days):
    exe = shutil.which("victoria-metrics")
    if exe is None:
        return None
    root = tempfile.mkdtemp(prefix="vm-bench-")
    try:
        port = free_port()
        prom = to_prometheus(lines)
        start_s = first_ts // 10**9
        q = urllib.parse.urlencode({"query": "cpu_usage_user", "start": str(start_s),
                                    "end": str(start_s + days * 86400), "step": "10s"})

        def flush(port):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", "/internal/force_flush")
            c.getresponse().read()
            time.sleep(2)  # let the flushed parts become searchable

        def stop(proc, port):
            flush(port)
            stop_by_signal(proc, port)

        return run_http("victoria-metrics",
                        [exe, "-storageDataPath", root, "-httpListenAddr", f"127.0.0.1:{port}",
                         "-retentionPeriod", "100y", "-search.latencyOffset", "0s"],
                        port, "/health", "/api/v1/import/prometheus", prom,
                        "/api/v1/query_range?" + q, root, lambda: du_bytes(os.path.join(root, "data")),
                        stop, before_query=flush)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def http_both(build, metrics, days):
    path, _ = workload(build, metrics, days)
    lines = [l for l in open(path).read().splitlines() if l and not l.startswith("#")]
    first_ts = int(lines[0].rsplit(" ", 1)[1])
    ours = http_nanotdb(build, path, lines, first_ts, days)
    vm = http_vm(lines, first_ts, days)
    return ours, vm


def prom_metric(text, name, endpoint):
    for line in text.splitlines():
        if line.startswith(f'{name}{{endpoint="{endpoint}"}} '):
            return float(line.rsplit(" ", 1)[1])
    return None


def forward_bench(build, days, receiver):
    """forward-remote-write catching up a stored day (84 metrics, nanocli import) to a fresh
    receiver ("victoria-metrics" or "prometheus") on loopback: samples/s from the daemon's start
    to nothing pending, the daemon's CPU µs per sample (process total, startup included), wire
    bytes per sample and the receiver's CPU per sample."""
    exe = shutil.which(receiver)
    if exe is None:
        return None
    path, samples = workload(build, 84, days)
    root = tempfile.mkdtemp(prefix="nanotdb-bench-")
    rdir = tempfile.mkdtemp(prefix="receiver-bench-")
    procs = []
    try:
        subprocess.run([os.path.join(build, "bin", "nanocli"), "import", "--root", root, "--in",
                        path, "--no-rollup"], check=True, capture_output=True)
        rport = free_port()
        if receiver == "victoria-metrics":
            argv = [exe, "-storageDataPath", rdir, "-httpListenAddr", f"127.0.0.1:{rport}",
                    "-retentionPeriod", "100y", "-loggerLevel", "ERROR"]
            health = "/health"
        else:
            conf = os.path.join(rdir, "prometheus.yml")
            with open(conf, "w") as f:
                f.write("scrape_configs: []\n")
            argv = [exe, f"--config.file={conf}", f"--storage.tsdb.path={rdir}/data",
                    f"--web.listen-address=127.0.0.1:{rport}", "--web.enable-remote-write-receiver",
                    "--storage.tsdb.retention.time=100y", "--log.level=error"]
            health = "/-/ready"
        rproc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(rproc)
        wait_http(rport, health, timeout=30)
        time.sleep(1.0)
        port = free_port()
        cfg = nanotdb_config(build, root, port)
        text = open(cfg).read().replace("[plugins.forward-remote-write]\nenabled = false",
                                        "[plugins.forward-remote-write]\nenabled = true")
        text += (f'\n[[plugins.forward-remote-write.endpoint]]\nname = "bench"\n'
                 f'url = "http://127.0.0.1:{rport}/api/v1/write"\nbackfill = "3650d"\n'
                 f'max_lag = "0s"\ninterval = "1s"\n')
        open(cfg, "w").write(text)
        rcpu0 = proc_cpu_s(rproc.pid)
        t0 = time.perf_counter()
        proc = subprocess.Popen([os.path.join(build, "bin", "nanotdb"), "--config", cfg],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        wait_http(port, "/health", timeout=30)
        while True:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/metrics")
            m = c.getresponse().read().decode()
            c.close()
            sent = prom_metric(m, "nanotdb_forward_sent_samples_total", "bench") or 0
            if sent >= samples and prom_metric(m, "nanotdb_forward_pending_samples", "bench") == 0:
                break
            if time.perf_counter() - t0 > 600:
                raise RuntimeError(f"forwarding to {receiver} not done after 600 s ({sent} sent)")
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        cpu = proc_cpu_s(proc.pid)
        rcpu = proc_cpu_s(rproc.pid) - rcpu0
        wire = prom_metric(m, "nanotdb_forward_sent_bytes_total", "bench")
        requests = prom_metric(m, "nanotdb_forward_requests_total", "bench")
        return {"samples": int(sent), "samples_per_s": sent / wall, "cpu_us_per_sample":
                cpu * 1e6 / sent, "wire_bytes_per_sample": wire / sent, "requests": int(requests),
                "receiver_cpu_us_per_sample": rcpu * 1e6 / sent}
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(rdir, ignore_errors=True)


def forward_live_bench(build, metrics=1000, seconds=30, forward=True):
    """nanotdb's CPU while a client posts `metrics` samples every second for `seconds`, with
    forward-remote-write (interval 1s) sending them on to victoria-metrics, or without: the
    difference per sample is what live forwarding costs."""
    exe = shutil.which("victoria-metrics")
    if exe is None:
        return None
    root = tempfile.mkdtemp(prefix="nanotdb-bench-")
    rdir = tempfile.mkdtemp(prefix="receiver-bench-")
    procs = []
    try:
        rport = free_port()
        rproc = subprocess.Popen([exe, "-storageDataPath", rdir, "-httpListenAddr",
                                  f"127.0.0.1:{rport}", "-loggerLevel", "ERROR"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(rproc)
        wait_http(rport, "/health", timeout=30)
        port = free_port()
        cfg = nanotdb_config(build, root, port)
        if forward:
            text = open(cfg).read().replace("[plugins.forward-remote-write]\nenabled = false",
                                            "[plugins.forward-remote-write]\nenabled = true")
            text += (f'\n[[plugins.forward-remote-write.endpoint]]\nname = "bench"\n'
                     f'url = "http://127.0.0.1:{rport}/api/v1/write"\ninterval = "1s"\n')
            open(cfg, "w").write(text)
        proc = subprocess.Popen([os.path.join(build, "bin", "nanotdb"), "--config", cfg],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        wait_http(port, "/health", timeout=30)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        cpu0 = proc_cpu_s(proc.pid)
        t_start = time.time()
        for n in range(seconds):
            ts = int((t_start + n) * 1e9)
            body = "\n".join(f"live/m{i}.value {n + i * 0.5} {ts}" for i in range(metrics))
            conn.request("POST", "/api/v1/import", body=body.encode(),
                         headers={"Content-Type": "text/plain"})
            r = conn.getresponse()
            r.read()
            time.sleep(max(0.0, t_start + n + 1 - time.time()))
        time.sleep(2.0)  # the last interval's samples go out
        cpu = proc_cpu_s(proc.pid) - cpu0
        sent = None
        if forward:
            conn.request("GET", "/metrics")
            sent = prom_metric(conn.getresponse().read().decode(),
                               "nanotdb_forward_sent_samples_total", "bench")
        conn.close()
        return {"samples": metrics * seconds, "cpu_s": cpu, "sent": sent}
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(rdir, ignore_errors=True)


def mqtt_bench(build):
    """Messages published with mosquitto_pub -l to Debian's mosquitto on loopback and stored by
    ingest-mqtt: end-to-end time (first publish to the last sample stored, per /metrics) and
    nanotdb's CPU per message and per sample, for plain-number text at QoS 0 and 1 and
    Zigbee2MQTT-like JSON (5 fields) at QoS 0."""
    broker_exe = shutil.which("mosquitto") or ("/usr/sbin/mosquitto"
                                               if os.path.exists("/usr/sbin/mosquitto") else None)
    pub = shutil.which("mosquitto_pub")
    if broker_exe is None or pub is None:
        return None
    root = tempfile.mkdtemp(prefix="nanotdb-bench-")
    procs = []
    try:
        bport = free_port()
        with open(os.path.join(root, "mosquitto.conf"), "w") as f:
            f.write(f"user {pwd.getpwuid(os.getuid()).pw_name}\nlistener {bport} 127.0.0.1\n"
                    f"allow_anonymous true\npersistence false\n"
                    # mosquitto queues only 1000 QoS 1 messages per client by default and drops
                    # the rest of a burst faster than one round trip per 20 in flight.
                    f"max_queued_messages 100000\n")
        procs.append(subprocess.Popen([broker_exe, "-c", os.path.join(root, "mosquitto.conf")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        port = free_port()
        cfg = nanotdb_config(build, os.path.join(root, "db"), port)
        text = open(cfg).read().replace(
            "[plugins.ingest-mqtt]\nenabled = false",
            f'[plugins.ingest-mqtt]\nenabled = true\nbroker = "127.0.0.1:{bport}"\n'
            f'retry_interval = "50ms"\nretry_max_interval = "100ms"')
        text += ('\n[[plugins.ingest-mqtt.subscribe]]\ntopic = "bench/+"\nformat = "text"\n'
                 'db = "bench"\nmetric = "{1}"\nqos = 1\n'
                 '\n[[plugins.ingest-mqtt.subscribe]]\ntopic = "z2m/+"\ndb = "bench"\n'
                 'metric = "zigbee.{field}"\ntype = "float"\n'
                 '[plugins.ingest-mqtt.subscribe.labels]\ndevice = "{1}"\n')
        open(cfg, "w").write(text)
        proc = subprocess.Popen([os.path.join(build, "bin", "nanotdb"), "--config", cfg],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        wait_http(port, "/health", timeout=30)

        def stat(name):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/metrics")
            body = c.getresponse().read().decode()
            c.close()
            m = re.search(rf"(?m)^{name}{{[^}}]*}} (\S+)$", body)
            return float(m.group(1)) if m else 0.0
        t0 = time.time()
        while stat("nanotdb_mqtt_connected") != 1:
            if time.time() - t0 > 15:
                raise RuntimeError("ingest-mqtt did not connect to mosquitto")
            time.sleep(0.05)
        rng = random.Random(1)
        runs = [
            ("text qos 0", "bench/t0", 0, [f"{20 + rng.random() * 5:.2f}" for _ in range(100000)], 1),
            ("text qos 1", "bench/t1", 1, [f"{20 + rng.random() * 5:.2f}" for _ in range(30000)], 1),
            ("z2m json qos 0", "z2m/hall", 0,
             [f'{{"battery":{rng.randint(0, 100)},"humidity":{rng.random() * 100:.2f},'
              f'"temperature":{20 + rng.random() * 5:.2f},"linkquality":{rng.randint(0, 255)},'
              f'"voltage":3000}}' for _ in range(50000)], 5),
        ]
        out = {}
        for label, topic, qos, lines, per in runs:
            s0, cpu0, t0 = stat("nanotdb_mqtt_samples_total"), proc_cpu_s(proc.pid), time.time()
            subprocess.run([pub, "-h", "127.0.0.1", "-p", str(bport), "-t", topic, "-q", str(qos),
                            "-l"], input="\n".join(lines).encode() + b"\n", check=True)
            want = s0 + len(lines) * per
            while stat("nanotdb_mqtt_samples_total") < want and time.time() - t0 < 120:
                time.sleep(0.02)  # polling /metrics costs the daemon CPU too: not too often
            wall, cpu = time.time() - t0, proc_cpu_s(proc.pid) - cpu0
            got = stat("nanotdb_mqtt_samples_total") - s0
            out[label] = {"messages": len(lines), "samples": got, "seconds": wall,
                          "messages_per_s": len(lines) / wall,
                          "cpu_us_per_message": cpu * 1e6 / len(lines),
                          "cpu_us_per_sample": cpu * 1e6 / max(got, 1)}
        return out
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(root, ignore_errors=True)


def promql_queries(first_s, days):
    """(label, nanotdb query params, VictoriaMetrics query params) of the PromQL figures: a
    full-day range query of one series at 10 s (8640 points), and over `days` days rate() and
    avg_over_time() as instant queries over the whole span and as hourly range queries."""
    end = first_s + days * 86400
    day = {"start": str(first_s), "end": str(first_s + 86400 - 10), "step": "10s"}
    span = {"start": str(first_s + 3600), "end": str(end), "step": "1h"}
    out = []
    for label, expr, params in [
            ("full day, step 10s (8640 points)", "{m}", day),
            (f"rate({days}d) instant", f"rate({{m}}[{days}d])", {"time": str(end)}),
            (f"avg_over_time({days}d) instant", f"avg_over_time({{m}}[{days}d])", {"time": str(end)}),
            (f"rate(1h), {days} d step 1h", "rate({m}[1h])", span),
            (f"avg_over_time(1h), {days} d step 1h", "avg_over_time({m}[1h])", span)]:
        path = "/api/v1/query_range" if "step" in params else "/api/v1/query"
        ours = dict(params, query=expr.format(m="host/cpu.usage_user"))
        vm = dict(params, query=expr.format(m="cpu_usage_user"), nocache="1")
        out.append((label, path + "?" + urllib.parse.urlencode(ours),
                    path + "?" + urllib.parse.urlencode(vm)))
    return out


def promql_bench(build, days, vm=True):
    """Median latency of PromQL queries over HTTP, nanotdb beside VictoriaMetrics (unless
    vm=False), on 2 metrics x `days` days at 10 s."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f"host-2m-{days}d.lp")
    if not os.path.exists(path):
        subprocess.run([os.path.join(build, "bin", "nanotdb-workload"), "--metrics", "2",
                        "--days", str(days), "--db", "host", "--seed", "1", "--out", path + ".tmp"],
                       check=True)
        os.rename(path + ".tmp", path)
    lines = [l for l in open(path).read().splitlines() if l and not l.startswith("#")]
    first_s = int(lines[0].rsplit(" ", 1)[1]) // 10**9 + 1
    queries = promql_queries(first_s, days)
    results = {label: [None, None, None, None] for label, _, _ in queries}

    root = tempfile.mkdtemp(prefix="nanotdb-bench-promql-")
    proc = None
    try:
        port = free_port()
        cfg = nanotdb_config(build, root, port)
        proc = subprocess.Popen([os.path.join(build, "bin", "nanotdb"), "--config", cfg],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(port, "/health", timeout=30)
        post_batches(port, "/api/v1/import", lines, 10000)
        for label, ours, _ in queries:
            ms, body = median_query_ms(port, ours)
            results[label][0], results[label][2] = ms, result_points(body)
        stop_by_signal(proc, port)
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)

    exe = shutil.which("victoria-metrics") if vm else None
    if exe:
        root = tempfile.mkdtemp(prefix="vm-bench-promql-")
        proc = None
        try:
            port = free_port()
            proc = subprocess.Popen([exe, "-storageDataPath", root, "-httpListenAddr",
                                     f"127.0.0.1:{port}", "-retentionPeriod", "100y",
                                     "-search.latencyOffset", "0s"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_http(port, "/health", timeout=30)
            post_batches(port, "/api/v1/import/prometheus", to_prometheus(lines), 10000)
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", "/internal/force_flush")
            c.getresponse().read()
            time.sleep(2)
            for label, _, vm in queries:
                ms, body = median_query_ms(port, vm)
                results[label][1], results[label][3] = ms, result_points(body)
            stop_by_signal(proc, port)
        finally:
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
            shutil.rmtree(root, ignore_errors=True)
    return results


def series_bench(builds, metrics=50, hosts=100, samples=12):
    """Series selection by label over HTTP: one database of metrics x hosts labelled series
    (5000 by default, `samples` samples each at 10 s); median latency of /api/v1/series and of
    an instant query reading 100 series, per build in `builds` (label -> build dir), with the
    number of series each answer names."""
    base = 1715000000
    lines = [f'sel/sel_m{m:02d}{{dc="d{h % 5}",host="h{h:02d}"}} {m + h + k} {(base + 10 * k) * 10**9}'
             for k in range(samples) for m in range(metrics) for h in range(hosts)]
    at = str(base + 10 * (samples - 1))
    queries = [
        ("series: metric + 1 label (20)",
         "/api/v1/series?" + urllib.parse.urlencode({"match[]": 'sel_m07{dc="d2"}'})),
        ("series: 1 label only (50)",
         "/api/v1/series?" + urllib.parse.urlencode({"match[]": '{host="h42"}'})),
        ("instant sum over 100 series by label",
         "/api/v1/query?" + urllib.parse.urlencode({"query": 'sum({host=~"h42|h43"})',
                                                     "time": at})),
        ("instant, 1 of 5000 series",
         "/api/v1/query?" + urllib.parse.urlencode({"query": 'sel_m07{host="h42"}', "time": at})),
    ]
    results = {}
    for label, build in builds.items():
        root = tempfile.mkdtemp(prefix="nanotdb-bench-series-")
        proc = None
        try:
            port = free_port()
            cfg = nanotdb_config(build, root, port)
            proc = subprocess.Popen([os.path.join(build, "bin", "nanotdb"), "--config", cfg],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_http(port, "/health", timeout=30)
            post_batches(port, "/api/v1/import", lines, 10000)
            for name, path in queries:
                ms, body = median_query_ms(port, path)
                data = json.loads(body)["data"]
                if isinstance(data, list):
                    count = len(data)
                else:
                    count = len(data["result"])
                results.setdefault(name, {})[label] = (ms, count)
            stop_by_signal(proc, port)
        finally:
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
            shutil.rmtree(root, ignore_errors=True)
    return results


def readme_rollup_manifest(days, action):
    """The rollup block of README.md (7 days raw, a year of 1h rollups, the 1d cascade), with
    the raw retention set to `days` and `action`."""
    readme = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                               "README.md")).read()
    section = readme.index("\n## Rollups: long history on a small disk\n")
    start = readme.index("```toml\n", section) + len("```toml\n")
    block = readme[start:readme.index("\n```\n", start) + 1]
    block = block.replace("retention_days = 7\n", f"retention_days = {days}\n", 1)
    return block.replace('retention_action = "delete"\n', f'retention_action = "{action}"\n', 1)


def rollup_read_bench(build, days=90, raw_days=7):
    """The dashboard's 90-day chart of one series (10 s samples ending now, README.md's rollup
    block: 1h rollup + 1d cascade in one manifest): median latency over HTTP of its query
    (aggregate=avg, window = the chart's 3h step; the band's min,avg,max; a daily view,
    aggregate=avg at 1d; Grafana's avg_over_time(x[3h]) at step 3h) read from rollups, and from
    raw samples (rollup=off), once with all `days` days raw and once with `raw_days` days raw
    retention."""
    end = int(time.time()) // 10 * 10
    start = end - days * 86400
    rng = random.Random(1)
    lines = []
    for t in range(start, end + 1, 10):
        if (t - start) // 3600 % 500 == 17:  # an hour missing every ~3 weeks
            continue
        v = 20 + 5 * math.sin(t / 86400 * 2 * math.pi) + rng.random()
        lines.append(f"sensors/room.temp {v:.2f} {t}000000000")
    results = {}
    base = tempfile.mkdtemp(prefix="nanotdb-bench-rollupread-")
    try:
        full = os.path.join(base, "full")
        os.makedirs(os.path.join(full, "sensors"))
        with open(os.path.join(full, "sensors", "manifest.toml"), "w") as f:
            f.write(readme_rollup_manifest(36500, "keep"))
        lp = os.path.join(base, "sensors.lp")
        with open(lp, "w") as f:
            f.write("\n".join(lines) + "\n")
        t0 = time.perf_counter()
        subprocess.run([os.path.join(build, "bin", "nanocli"), "import", "--root", full, "--in", lp],
                       check=True, capture_output=True)
        import_s = time.perf_counter() - t0
        short = os.path.join(base, "short")
        shutil.copytree(full, short)
        with open(os.path.join(short, "sensors", "manifest.toml"), "w") as f:
            f.write(readme_rollup_manifest(raw_days, "delete"))
        step = 10800  # the dashboard's step for 90 days: niceStep(90 d, 720 points)
        q = {"db": "sensors", "query": "room.temp", "start": str(end - days * 86400),
             "end": str(end), "timestamp_unit": "s"}
        for label, root in ((f"{days} d raw", full), (f"{raw_days} d raw", short)):
            port = free_port()
            cfg = nanotdb_config(build, root, port)
            proc = subprocess.Popen([os.path.join(build, "bin", "nanotdb"), "--config", cfg],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_http(port, "/health", timeout=30)
                if root == short:  # wait until retention removed the older raw partitions
                    deadline = time.time() + 30
                    while time.time() < deadline and len(glob.glob(
                            os.path.join(root, "sensors", "data-*.dat"))) > raw_days + 2:
                        time.sleep(0.2)
                # Grafana's form of the chart: PromQL on a start aligned to the step.
                promql = {"query": "avg_over_time(sensors/room.temp[3h])",
                          "start": str((end - days * 86400) // step * step), "end": str(end),
                          "step": f"{step}s"}
                for agg in ("avg", "min,avg,max", "avg 1d", "promql"):
                    for mode in ("auto", "off"):
                        window = "1d" if agg == "avg 1d" else f"{step}s"
                        params = ({**promql, "rollup": mode} if agg == "promql" else
                                  {**q, "aggregate": agg.split()[0], "window": window,
                                   "rollup": mode})
                        path = "/api/v1/query_range?" + urllib.parse.urlencode(params)
                        ms, body = median_query_ms(port, path)
                        data = json.loads(body)["data"]
                        used = [lv["interval"] for u in data.get("rollups", []) for lv in u["levels"]]
                        results[(label, agg, mode)] = (ms, result_points(body), "+".join(used))
                stop_by_signal(proc, port)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        results["import_s"] = import_s
        results["samples"] = len(lines)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return results


def metricfiles_bench(build, days=1):
    """Metric files on both workloads: bytes/sample of the partition written whole (nanocli
    import) and of its metric file (nanocli build metric --verify, raw data deleted), the build
    time, and full-day queries of one metric over HTTP from each (median of 20)."""
    out = {}
    for profile, metric in (("host", "cpu.usage_user"), ("drip", "cpu.busy_pct")):
        os.makedirs(CACHE, exist_ok=True)
        path = os.path.join(CACHE, f"{profile}-84m-{days}d.lp")
        if not os.path.exists(path):
            subprocess.run([os.path.join(build, "bin", "nanotdb-workload"), "--metrics", "84",
                            "--days", str(days), "--profile", profile, "--db", "host", "--seed",
                            "1", "--out", path + ".tmp"], check=True)
            os.rename(path + ".tmp", path)
        with open(path, "rb") as f:
            samples = sum(1 for line in f if line.strip())
        root = tempfile.mkdtemp(prefix="nanotdb-bench-mf-")
        try:
            port = free_port()
            cfg = nanotdb_config(build, root, port)  # --init wants an empty root
            cli = os.path.join(build, "bin", "nanocli")
            subprocess.run([cli, "import", "--root", root, "--in", path], check=True,
                           capture_output=True)
            raw = data_bytes(root, "host")
            first_ts = int(open(path).readline().split()[-1])
            q = urllib.parse.urlencode({"query": f"host/{metric}", "start": str(first_ts),
                                        "end": str(first_ts + days * 86400 * 10**9)})

            def query_ms():
                proc = subprocess.Popen([os.path.join(build, "bin", "nanotdb"), "--config", cfg],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    wait_http(port, "/health")
                    ms, body = median_query_ms(port, "/api/v1/query_range?" + q)
                    return ms, result_points(body)
                finally:
                    stop_by_signal(proc, port)

            raw_ms, raw_points = query_ms()
            t0 = time.perf_counter()
            p = subprocess.run([cli, "build", "metric", "--root", root, "--db", "host", "--verify",
                                "--raw-ingest-action", "delete", "--json"], check=True,
                               capture_output=True, text=True)
            build_s = time.perf_counter() - t0
            report = json.loads(p.stdout)
            mf = sum(os.path.getsize(f) for f in glob.glob(os.path.join(root, "host", "metric-*.ntm")))
            mf_ms, mf_points = query_ms()
            if mf_points != raw_points:
                raise RuntimeError(f"{profile}: {mf_points} points from the metric file, "
                                   f"{raw_points} from the data file")
            out[profile] = {"samples": samples, "raw_bytes_per_sample": raw / samples,
                            "metric_bytes_per_sample": mf / samples, "build_verify_s": build_s,
                            "verified": all(x["verified"] for x in report["partitions"]),
                            "metric": metric, "points": mf_points,
                            "query_ms_raw": raw_ms, "query_ms_metric_file": mf_ms}
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return out


def result_points(body):
    data = json.loads(body)["data"]
    if not data["result"]:
        return 0
    first = data["result"][0]
    return len(first["values"]) if "values" in first else 1


def fmt(v, digits=3):
    if v is None:
        return "n/a"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def drip_footprint(build, seconds=30):
    """drip's max RSS and CPU per cycle (one --once cycle, median of 5), and nanotdb idle with
    the drip-sources plugin on versus off (RSS and CPU per 10 s cycle over `seconds`)."""
    drip = os.path.join(build, "bin", "drip")
    conf = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "etc", "drip.toml")
    rss, cpu = [], []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        _, _, r, _ = timed([drip, "--config", conf, "--once", "--print"])
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        rss.append(r / 1024)
        cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    out = {"drip_max_rss_mib": statistics.median(rss), "drip_cpu_ms_per_cycle": statistics.median(cpu)}
    for on in (False, True):
        root = tempfile.mkdtemp(prefix="nanotdb-bench-drip-")
        try:
            port = free_port()
            cfg = nanotdb_config(build, root, port)
            if on:
                text = open(cfg).read()
                text = re.sub(r'(?ms)(^\[plugins\.drip-sources\]\s*\n(?:.*?\n)*?\s*enabled\s*=\s*)false',
                              r'\g<1>true', text, count=1)
                open(cfg, "w").write(text)
            proc = subprocess.Popen([os.path.join(build, "bin", "nanotdb"), "--config", cfg],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_http(port, "/health")
                time.sleep(5)
                c0 = proc_cpu_s(proc.pid)
                time.sleep(seconds)
                c1 = proc_cpu_s(proc.pid)
                key = "plugin_on" if on else "plugin_off"
                out[f"nanotdb_rss_mib_{key}"] = proc_status_kib(proc.pid, "VmRSS") / 1024
                out[f"nanotdb_cpu_ms_per_10s_{key}"] = (c1 - c0) * 1000 * 10 / seconds
            finally:
                proc.terminate()
                proc.wait()
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return out


def idle_footprint(build, seconds=3):
    """Idle RSS of an empty root, for each daemon of the build (nanotdb, and nanotdb-static: the
    one-binary build with every plugin compiled in) with every plugin enabled and with the Pi Zero
    set (ingest-lineproto + query-vm). RssAnon/RssFile split the figure into heap+stacks and
    mapped code."""
    out = {}
    sets = {"all": None, "pizero": ("ingest-lineproto", "query-vm")}
    for binary in ("nanotdb", "nanotdb-static"):
        exe = os.path.join(build, "bin", binary)
        if not os.path.exists(exe):
            continue
        for label, keep in sets.items():
            root = tempfile.mkdtemp(prefix="nanotdb-bench-idle-")
            try:
                port = free_port()
                cfg = os.path.join(root, "engine.toml")
                subprocess.run([exe, "--init", "--config", cfg], check=True, capture_output=True)
                text = open(cfg).read()
                text = re.sub(r'(?m)^(\s*listen\s*=\s*).*$', rf'\g<1>"127.0.0.1:{port}"', text,
                              count=1)
                if keep is not None:
                    for plugin in re.findall(r'(?m)^\[plugins\.([A-Za-z0-9_-]+)\]', text):
                        if plugin not in keep:
                            text = re.sub(rf'(?ms)(^\[plugins\.{plugin}\]\s*\n(?:.*?\n)*?\s*'
                                          r'enabled\s*=\s*)true', r'\g<1>false', text, count=1)
                open(cfg, "w").write(text)
                proc = subprocess.Popen([exe, "--config", cfg], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
                try:
                    wait_http(port, "/health")
                    time.sleep(seconds)
                    out[f"{binary}_{label}"] = {k: proc_status_kib(proc.pid, k) / 1024
                                                for k in ("VmRSS", "RssAnon", "RssFile")}
                finally:
                    proc.terminate()
                    proc.wait()
            finally:
                shutil.rmtree(root, ignore_errors=True)
    return out


def cross_bench(top, runs=5):
    """The Raspberry Pi builds of make cross-test (top: build-cross) under qemu-user: each
    ARCH's nanotdb as its .deb ships it (ARCH/deb-root) through tests/cross/cross_test.py, with
    the start timed runs + 1 times; stripped size, start median and qemu's idle RSS."""
    out = {}
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "cross",
                          "cross_test.py")
    for arch in ("arm64", "armhf", "armel"):
        bin_dir = os.path.join(top, arch, "deb-root", "usr", "bin")
        sysroot = os.path.join(top, f"sysroot-{arch}")
        if not os.path.exists(os.path.join(bin_dir, "nanotdb")):
            continue
        figures = os.path.join(top, arch, "cross-bench.json")
        subprocess.run([sys.executable, script, arch, bin_dir, sysroot, "--runs", str(runs),
                        "--json", figures], check=True, stdout=subprocess.DEVNULL)
        with open(figures) as f:
            out[arch] = json.load(f)
    if not out:
        raise SystemExit(f"--only cross: no {top}/ARCH/deb-root/usr/bin/nanotdb "
                         "(make cross-test builds them)")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    ap.add_argument("--days", type=int, default=1)
    ap.add_argument("--only",
                    choices=["offline", "http", "drip", "promql", "idle", "flips", "always",
                             "series", "rollupread", "forward", "metricfiles", "mqtt", "cross"],
                    default=None)
    ap.add_argument("--flips", type=int, default=50,
                    help="random single-byte flips per partition kind for --only flips")
    ap.add_argument("--before", default=None,
                    help="series, promql: also measure this build dir (e.g. main before a change); "
                    "promql runs alternate between the two builds")
    ap.add_argument("--quick", action="store_true", help="84-metric workload only")
    ap.add_argument("--json", action="store_true", help="also print every figure as JSON")
    ap.add_argument("--repeat", type=int, default=3, help="HTTP runs to take the median of")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    results = {}
    if args.only in (None, "offline"):
        for m in ([84] if args.quick else [84, 1000]):
            r = offline(build, m, args.days)
            results[f"offline_{m}"] = r
            log(f"offline import, {r['workload']}: {r['samples']} samples, "
                f"{r['samples_per_s']:.0f} samples/s, {r['cpu_us_per_sample']:.3f} CPU µs/sample, "
                f"{r['bytes_per_sample']:.3f} bytes/sample on disk, peak RSS "
                f"{r['peak_rss_mib']:.1f} MiB")
    if args.only in (None, "http"):
        runs = [http_both(build, 84, args.days) for _ in range(args.repeat)]

        def median_of(side):
            rows = [r[side] for r in runs if r[side]]
            if not rows:
                return None
            return {k: (statistics.median([r[k] for r in rows]) if isinstance(rows[0][k], (int, float))
                        else rows[0][k]) for k in rows[0]}

        ours, vm = median_of(0), median_of(1)
        results["http_nanotdb"], results["http_vm"] = ours, vm
        keys = ["samples_per_s", "server_cpu_us_per_sample", "idle_rss_mib",
                "rss_after_ingest_mib", "peak_rss_mib", "bytes_per_sample", "start_to_200_ms",
                "range_query_ms", "range_query_points", "write_bytes_per_sample"]
        log(f"\nHTTP ingest, 84 metrics x {args.days} d, 10k-line batches over keep-alive "
            f"(median of {args.repeat} runs):")
        log(f"{'figure':28} {'nanotdb':>12} {'victoria-metrics':>17} {'ours/VM':>8}")
        for k in keys:
            a, b = ours.get(k), vm.get(k) if vm else None
            ratio = (a / b) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None
            log(f"{k:28} {fmt(a):>12} {fmt(b):>17} {fmt(ratio, 2):>8}")
    if args.only in (None, "drip"):
        d = drip_footprint(build)
        results["drip"] = d
        log(f"\ndrip: max RSS {d['drip_max_rss_mib']:.2f} MiB, {d['drip_cpu_ms_per_cycle']:.1f} ms CPU "
            f"per cycle; nanotdb idle with drip-sources off {d['nanotdb_rss_mib_plugin_off']:.1f} MiB, "
            f"{d['nanotdb_cpu_ms_per_10s_plugin_off']:.1f} ms CPU per 10 s; on "
            f"{d['nanotdb_rss_mib_plugin_on']:.1f} MiB, {d['nanotdb_cpu_ms_per_10s_plugin_on']:.1f} ms")
    if args.only in (None, "promql"):
        days = max(args.days, 30)
        # Runs alternate between the builds so a change in the machine's load hits both alike.
        runs, before_runs = [], []
        for _ in range(args.repeat):
            runs.append(promql_bench(build, days))
            if args.before:
                before_runs.append(promql_bench(args.before, days, vm=False))

        def med(rs, label, i):
            vals = [r[label][i] for r in rs if r[label][i] is not None]
            return statistics.median(vals) if vals else None

        r = {label: [med(runs, label, i) for i in range(4)] + [med(before_runs, label, 0)]
             for label in runs[0]}
        results["promql"] = r
        log(f"\nPromQL over HTTP, one series of 2 x {days} d at 10 s, median of 20 queries, "
            f"median of {args.repeat} runs (ms):")
        log(f"{'query':36} {'nanotdb':>9} {'before':>9} {'victoria-metrics':>17} {'ours/VM':>8} "
            f"{'points':>13}")
        for label, (a, b, pa, pb, old) in r.items():
            ratio = a / b if a and b else None
            log(f"{label:36} {fmt(a):>9} {fmt(old) if old else '-':>9} {fmt(b):>17} "
                f"{fmt(ratio) if ratio else '-':>8} {str(pa) + '/' + str(pb):>13}")
    if args.only == "cross":  # only when asked: the cross builds are not part of make bench
        r = cross_bench(build)
        results["cross"] = r
        log("\nRaspberry Pi builds under qemu-user (BUILD is the make cross-test directory):")
        log(f"{'arch':6} {'qemu cpu':11} {'stripped':>10} {'start median':>13} "
            f"{'idle RSS (qemu)':>16}")
        for arch, v in r.items():
            log(f"{arch:6} {v['qemu_cpu']:11} {v['stripped_bytes'] / 1048576:8.2f} MiB "
                f"{v['start_median_s']:11.2f} s {v['idle_rss_kib'] / 1024:12.1f} MiB "
                f"(starts {v['start_s']})")
    if args.only in (None, "idle"):
        r = idle_footprint(build)
        results["idle"] = r
        log("\nidle RSS, empty root (MiB): daemon / plugins: RSS = anon + file")
        for key, v in r.items():
            log(f"{key:28} {v['VmRSS']:6.2f} = {v['RssAnon']:5.2f} + {v['RssFile']:5.2f}")
    if args.only in (None, "flips"):
        r = flips(build, args.days, args.flips)
        results["flips"] = r
        log(f"\nsamples kept by nanocli export after one random byte flip of a partition "
            f"(84 metrics x {args.days} d, {args.flips} flips each):")
        log(f"{'partition':24} {'bytes':>9} {'kept mean':>10} {'kept worst':>11} "
            f"{'wrong samples':>14} {'reported':>9}")
        for kind, v in r.items():
            log(f"{kind:24} {v['file_bytes']:>9} {v['kept_mean'] * 100:>9.3f}% "
                f"{v['kept_worst'] * 100:>10.3f}% {v['wrong_samples']:>14} "
                f"{v['reported_or_harmless']:>4}/{v['flips']}")
    if args.only in (None, "always"):
        r = always_bench(build, args.days)
        results["always"] = r
        log(f"\nHTTP ingest with 4 concurrent writers, 1000-line batches (84 metrics x {args.days} d):")
        log(f"{'server':28} {'samples/s':>12} {'CPU µs/sample':>14} {'peak RSS MiB':>13}")
        for k, v in r.items():
            log(f"{k:28} {v['samples_per_s']:>12.0f} {v['server_cpu_us_per_sample']:>14.3f}"
                f" {v['peak_rss_kib'] / 1024:>13.1f}")
    if args.only in (None, "series"):
        builds = {"nanotdb": build}
        if args.before:
            builds = {"before": os.path.abspath(args.before), "nanotdb": build}
        r = series_bench(builds)
        results["series"] = r
        log("\nseries selection, 50 metrics x 100 hosts = 5000 labelled series, median of 20 "
            "(ms, series in the answer):")
        log(f"{'query':40}" + "".join(f"{k:>18}" for k in builds))
        for name, per in r.items():
            log(f"{name:40}" + "".join(f"{fmt(per[k][0]):>12} ({per[k][1]:>3})" for k in builds))
    if args.only in (None, "rollupread"):
        r = rollup_read_bench(build)
        results["rollupread"] = {" / ".join(k) if isinstance(k, tuple) else k: v
                                 for k, v in r.items()}
        log(f"\n90-day dashboard chart of one series ({r['samples']} samples at 10 s, 1h rollup + "
            f"1d cascade, README.md's block), step 3h (avg 1d: a daily view), median of 20 over "
            f"HTTP (ms, points, rollups read):")
        log(f"{'raw data kept':14} {'aggregate':12} {'rollup=auto':>22} {'rollup=off':>16}")
        for label in ("90 d raw", "7 d raw"):
            for agg in ("avg", "min,avg,max", "avg 1d", "promql"):
                a, b = r[(label, agg, "auto")], r[(label, agg, "off")]
                log(f"{label:14} {agg:12} {fmt(a[0]):>8} ({a[1]:>4}, {a[2] or '-':>4})"
                    f" {fmt(b[0]):>8} ({b[1]:>4})")
    if args.only in (None, "metricfiles"):
        r = metricfiles_bench(build, args.days)
        results["metricfiles"] = r
        log("\nmetric files, 84 metrics x 1 day (nanocli build metric --verify, raw deleted):")
        for profile, x in r.items():
            log(f"  {profile:5} data file {x['raw_bytes_per_sample']:.3f} -> metric file "
                f"{x['metric_bytes_per_sample']:.3f} bytes/sample (build + verify "
                f"{x['build_verify_s']:.2f} s); full-day query of {x['metric']} over HTTP "
                f"({x['points']} points): {fmt(x['query_ms_raw'])} ms from the data file, "
                f"{fmt(x['query_ms_metric_file'])} ms from the metric file")
    if args.only in (None, "forward"):
        log(f"\nforward-remote-write catching up 84 metrics x {args.days} d (stored) to a fresh "
            f"receiver, 5000 samples per request:")
        log(f"{'receiver':18} {'samples':>9} {'samples/s':>10} {'CPU µs/sample':>14} "
            f"{'wire B/sample':>14} {'requests':>9} {'receiver µs/sample':>19}")
        for receiver in ("victoria-metrics", "prometheus"):
            r = forward_bench(build, args.days, receiver)
            results[f"forward_{receiver}"] = r
            if r is None:
                log(f"{receiver:18} not installed")
                continue
            log(f"{receiver:18} {r['samples']:>9} {r['samples_per_s']:>10.0f} "
                f"{r['cpu_us_per_sample']:>14.3f} {r['wire_bytes_per_sample']:>14.3f} "
                f"{r['requests']:>9} {r['receiver_cpu_us_per_sample']:>19.3f}")
        on = forward_live_bench(build, forward=True)
        off = forward_live_bench(build, forward=False)
        if on and off:
            results["forward_live"] = {"on": on, "off": off}
            extra = (on["cpu_s"] - off["cpu_s"]) * 1e6 / on["samples"]
            log(f"\nlive: 1000 metrics posted every second for 30 s, forwarding every 1 s: "
                f"nanotdb CPU {on['cpu_s']:.2f} s with forwarding ({on['sent']:.0f} sent), "
                f"{off['cpu_s']:.2f} s without: {extra:.2f} µs per forwarded sample")
    if args.only in (None, "mqtt"):
        r = mqtt_bench(build)
        results["mqtt"] = r
        log("\ningest-mqtt: mosquitto_pub -l into mosquitto on loopback, stored by nanotdb:")
        if r is None:
            log("mosquitto / mosquitto_pub not installed")
        else:
            log(f"{'payload':16} {'messages':>9} {'samples':>9} {'seconds':>8} {'messages/s':>11} "
                f"{'CPU µs/message':>15} {'CPU µs/sample':>14}")
            for label, v in r.items():
                log(f"{label:16} {v['messages']:>9} {v['samples']:>9.0f} {v['seconds']:>8.2f} "
                    f"{v['messages_per_s']:>11.0f} {v['cpu_us_per_message']:>15.2f} "
                    f"{v['cpu_us_per_sample']:>14.2f}")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
