#!/usr/bin/env python3
"""drip against a real nanotdb on a free 127.0.0.1 port with a temp root.

1. `drip --once` delivers one cycle; the server returns it (int64 typing kept).
2. drip runs with a 1 s interval while the server is stopped and restarted in the middle:
   every cycle drip collected is stored exactly once — no sample lost — and drip's events
   (started, target disconnected / reconnected with the outage, stopped) are stored in its
   database.

usage: drip_integration_test.py BIN_DIR   (BIN_DIR holds nanotdb and drip)
"""
import json
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
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/bin"
DB = "dripit"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, **params):
    url = f"http://127.0.0.1:{port}{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)


class Server:
    def __init__(self, root, port):
        self.root, self.port, self.proc = root, port, None
        self.log = open(os.path.join(root, "server.log"), "ab")

    def start(self):
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "nanotdb"), "--config", os.path.join(self.root, "engine.toml")],
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"FAIL: nanotdb exited with {self.proc.returncode}; see {self.root}/server.log")
            try:
                get(self.port, "/health")
                return
            except OSError:
                time.sleep(0.05)
        sys.exit("FAIL: nanotdb did not answer /health within 20 s")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        if self.proc.wait(timeout=30) != 0:
            sys.exit(f"FAIL: nanotdb exited with {self.proc.returncode} on SIGTERM")


def write_configs(root, port):
    engine = os.path.join(root, "engine.toml")
    subprocess.run([os.path.join(BIN, "nanotdb"), "--init", "--config", engine], check=True,
                   stdout=subprocess.DEVNULL)
    text = open(engine).read()
    text = re.sub(r'(?m)^listen = .*$', f'listen = "127.0.0.1:{port}"', text, count=1)
    # Only what the test needs: ingest, queries and the in-server probes.
    text = re.sub(r'(?m)^(\[plugins\.ui-dashboard\]\s*\n)enabled = true', r'\1enabled = false', text)
    # The in-server probes write elsewhere, every second.
    text, n = re.subn(r'(?m)^(\[plugins\.drip-sources\]\s*\nenabled = true\s*)$',
                      r'\1\ndatabase = "pluginhost"\ninterval = "1s"\n', text)
    if n != 1:
        sys.exit("FAIL: engine.toml from --init has no [plugins.drip-sources] enabled = true")
    open(engine, "w").write(text)
    drip = os.path.join(root, "drip.toml")
    open(drip, "w").write(f"""
[drip]
server_url = "http://127.0.0.1:{port}"
timeout = "2s"
[collect]
database = "{DB}"
interval = "1s"
process_names = ["nanotdb"]
""")
    return drip


def values(port, metric, start_ns, db=DB):
    r = get(port, "/api/v1/query_range", query=f"{db}/{metric}", start=str(start_ns),
            end=str(time.time_ns() + 10**9), timestamp_unit="ns")
    assert r["status"] == "success", r
    result = r["data"]["result"]
    return result[0]["values"] if result else []


def main():
    root = tempfile.mkdtemp(prefix="drip-it-")
    port = free_port()
    drip_cfg = write_configs(root, port)
    server = Server(root, port)
    server.start()
    t0 = time.time_ns() - 10**9

    # 1. --once delivers one cycle.
    once = subprocess.run([os.path.join(BIN, "drip"), "--config", drip_cfg, "--once"],
                          capture_output=True, text=True, timeout=30)
    if once.returncode != 0:
        sys.exit(f"FAIL: drip --once exited {once.returncode}: {once.stderr}")
    mem = values(port, "mem.total", t0)
    if len(mem) != 1:
        sys.exit(f"FAIL: expected one mem.total sample after --once, got {mem}")
    meta = get(port, "/api/v1/metrics", db=DB, details="true")["data"]["result"]
    types = {m["name"]: m["type"] for m in meta}
    # int64 samples keep their type over the wire (the reference lost it).
    if types.get("mem.total") != "int64" or types.get("cpu.user") != "float64":
        sys.exit(f"FAIL: unexpected metric types {types}")
    print(f"once: ok, {len(types)} metrics, mem.total int64, cpu.user float64")

    # 2. Server restart in the middle of a running drip.
    t1 = time.time_ns()
    drip = subprocess.Popen([os.path.join(BIN, "drip"), "--config", drip_cfg, "--verbose"],
                            stderr=subprocess.PIPE, text=True)
    time.sleep(3.5)
    server.stop()
    time.sleep(3.2)  # drip keeps collecting and queues
    server.start()
    time.sleep(3.5)
    drip.send_signal(signal.SIGTERM)
    _, err = drip.communicate(timeout=30)
    if drip.returncode != 0:
        sys.exit(f"FAIL: drip exited {drip.returncode}: {err}")
    cycles = len(re.findall(r"info: \d+ samples \(", err))
    queued = len(re.findall(r"; queued \d+", err))
    got = values(port, "sys.uptime_sec", t1)
    stamps = [int(float(v[0]) * 1e9) if isinstance(v[0], float) else int(v[0]) for v in got]
    plugin_busy = values(port, "cpu.busy_pct", t0, db="pluginhost")
    events = get(port, "/api/v1/events", db=DB, start=str(t1))["data"]["events"]
    server.stop()
    names = [e["name"] for e in events]
    print(f"events: {names}")
    want = ["drip.started", "drip.target.disconnected", "drip.target.reconnected", "drip.stopped"]
    if [n for n in names if n in want] != want:
        sys.exit(f"FAIL: expected drip events {want} in order, got {names}")
    by_name = {e["name"]: e for e in events}
    started, down, up = (by_name[n] for n in want[:3])
    if started["value"] != len(started["payload"]["probes"]) or started["payload"]["database"] != DB:
        sys.exit(f"FAIL: drip.started says {started}")
    if "error" not in down["payload"] or down["payload"]["url"] != f"http://127.0.0.1:{port}":
        sys.exit(f"FAIL: drip.target.disconnected says {down}")
    outage_ms = up["value"]
    if not 2000 <= outage_ms <= 20000 or up["payload"]["outage_ms"] != outage_ms:
        sys.exit(f"FAIL: drip.target.reconnected says {up} (the server was down about 3 s)")
    if by_name["drip.stopped"]["payload"]["cycles"] != cycles:
        sys.exit(f"FAIL: drip.stopped says {by_name['drip.stopped']}, drip logged {cycles} cycles")
    print(f"plugin: {len(plugin_busy)} cpu.busy_pct samples written in-process")
    if len(plugin_busy) < 2:
        sys.exit("FAIL: the drip-sources plugin wrote fewer than 2 cpu.busy_pct samples")
    print(f"restart: drip collected {cycles} cycles ({queued} while the server was down), "
          f"server holds {len(got)}")
    if queued == 0:
        sys.exit(f"FAIL: no cycle was queued while the server was down:\n{err}")
    if len(got) != cycles:
        sys.exit(f"FAIL: {cycles} cycles collected but {len(got)} stored:\n{err}")
    if len(set(stamps)) != len(stamps):
        sys.exit(f"FAIL: duplicate timestamps stored: {stamps}")
    shutil.rmtree(root)
    print("PASS")


if __name__ == "__main__":
    main()
