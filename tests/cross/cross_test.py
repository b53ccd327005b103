#!/usr/bin/env python3
"""A Raspberry Pi build of nanotdb run under qemu-user (make cross-test, scripts/cross-test).

Usage: cross_test.py ARCH BIN_DIR SYSROOT [--runs N] [--json FILE]

ARCH is arm64, armhf or armel; BIN_DIR holds a cross build's one-binary nanotdb and nanocli
(scripts/cross-build; make cross-test passes the usr/bin of the unpacked .deb); SYSROOT the target's Debian libraries
(scripts/cross-sysroot). qemu emulates the oldest Pi CPU of each build: Cortex-A53 (Pi 3, Zero
2 W) for arm64, Cortex-A7 (Pi 2) for armhf, ARM1176 (Pi Zero/1, ARMv6) for armel.

The check: --version lists the built-in plugins (and, for armhf, dies with Illegal
instruction on the ARM1176 of a Pi Zero / Pi 1); `nanotdb --init` writes engine.toml (every
setting as the .deb ships it; only the listen address, a free port on 127.0.0.1, and an empty
plugins.dir changed); the daemon starts on a temporary root; line protocol goes in through
POST /api/v1/import and Influx line protocol through POST /write; raw query_range answers
give back every sample exactly (int64 beyond 2^53, the smallest int64, a subnormal-free tiny
double, negative zero's sign is not asked); SIGTERM to its PID stops it with exit 0; it starts
again on the same root and answers the same; nanocli (also under qemu) reads the files it wrote.

Figures printed (and written to --json): the stripped size of nanotdb, the time from exec to
the first 200 of /health (median of --runs starts), and the idle RSS of the qemu process 2 s
after start (qemu-user's figure: the emulator's own memory and translated code included, so
larger than the same binary on a Pi).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import clientlib  # noqa: E402

ARCHES = {
    # Debian arch: (qemu, CPU of the oldest Pi it is for, binutils prefix)
    "arm64": ("qemu-aarch64", "cortex-a53", "aarch64-linux-gnu"),
    "armhf": ("qemu-arm", "cortex-a7", "arm-linux-gnueabihf"),
    "armel": ("qemu-arm", "arm1176", "arm-linux-gnueabi"),
}


def fail(msg):
    raise AssertionError(msg)


def pi_command(arch, sysroot, exe, *args):
    qemu, cpu, _ = ARCHES[arch]
    return [qemu, "-cpu", cpu, "-L", sysroot, exe, *args]


def query_raw(port, db, metric, start, end):
    """Raw mode of query_range: every stored sample of db/metric in [start, end], per series
    {labels tuple: [(t, value text), ...]}."""
    path = "/api/v1/query_range?" + urllib.parse.urlencode(
        {"db": db, "query": metric, "start": str(start), "end": str(end)})
    status, _, body = clientlib.http_request(port, "GET", path)
    if status != 200:
        fail(f"GET {path}: HTTP {status} {body[:300]!r}")
    answer = json.loads(body)
    out = {}
    for s in answer["data"]["result"]:
        labels = tuple(sorted((k, v) for k, v in s["metric"].items()
                              if k not in ("__name__", "db")))
        out[labels] = [(int(t), v) for t, v in s["values"]]
    return out


def expect(what, got, want, failures):
    if got != want:
        failures.append(f"{what}: got {got!r}, want {want!r}")


def check_data(port, t0, failures):
    """The samples written by ingest(), read back exactly."""
    got = query_raw(port, "pi", "room.temp", t0 - 1, t0 + 60)
    expect("pi/room.temp", got, {(): [(t0, "21.5"), (t0 + 10, "-0.125"), (t0 + 20, "1e-300")]},
           failures)
    got = query_raw(port, "pi", "door.opened", t0 - 1, t0 + 60)
    expect("pi/door.opened", got, {(): [(t0, "9007199254740993"), (t0 + 10, "-9223372036854775808")]},
           failures)
    got = query_raw(port, "garden", "sensor_temp", t0 - 1, t0 + 60)
    expect("garden/sensor_temp (Influx)", got, {(("bed", "north"),): [(t0 + 30, "17.25")]}, failures)
    got = query_raw(port, "garden", "sensor_count", t0 - 1, t0 + 60)
    expect("garden/sensor_count (Influx)", got, {(("bed", "north"),): [(t0 + 30, "5000000000")]},
           failures)


def ingest(port, t0):
    ns = 1_000_000_000
    body = (f"pi/room.temp 21.5 {t0 * ns}\n"
            f"pi/room.temp -0.125 {(t0 + 10) * ns}\n"
            f"pi/room.temp 1e-300 {(t0 + 20) * ns}\n"
            f"pi/door.opened 9007199254740993i {t0 * ns}\n"
            f"pi/door.opened -9223372036854775808i {(t0 + 10) * ns}\n")
    status, _, answer = clientlib.http_request(port, "POST", "/api/v1/import", body.encode())
    if status not in (200, 204) or b'"success"' not in answer:
        fail(f"POST /api/v1/import: HTTP {status} {answer[:300]!r}")
    influx = f"sensor,bed=north temp=17.25,count=5000000000i {t0 + 30}\n"
    status, _, answer = clientlib.http_request(port, "POST", "/write?db=garden&precision=s",
                                               influx.encode())
    if status != 204:
        fail(f"POST /write: HTTP {status} {answer[:300]!r}")


def start(env, arch, sysroot, exe, cfg, name):
    """Starts nanotdb under qemu; returns (proc, seconds from exec to the first /health 200)."""
    port = int(re.search(r'(?m)^listen = "127\.0\.0\.1:(\d+)"', open(cfg).read()).group(1))
    began = time.monotonic()
    proc = env.spawn(name, pi_command(arch, sysroot, exe, "--config", cfg))
    env.wait_http(name, proc, port, "/health", timeout=60)
    return proc, time.monotonic() - began


def stop(env, proc, what):
    code = env.stop(proc, timeout=30)
    if code != 0:
        fail(f"{what} exited with {code} after SIGTERM")


def stripped_size(arch, exe, work):
    out = os.path.join(work, "nanotdb.stripped")
    subprocess.run([f"{ARCHES[arch][2]}-strip", "-o", out, exe], check=True)
    return os.path.getsize(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("arch", choices=sorted(ARCHES))
    ap.add_argument("bin_dir")
    ap.add_argument("sysroot")
    ap.add_argument("--runs", type=int, default=1, help="starts to time (median)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    arch, sysroot = args.arch, os.path.abspath(args.sysroot)
    exe = os.path.join(os.path.abspath(args.bin_dir), "nanotdb")
    cli = os.path.join(os.path.abspath(args.bin_dir), "nanocli")
    for path in (exe, cli):
        if not os.path.exists(path):
            print(f"FAIL {path} does not exist (scripts/cross-build {arch} builds it)")
            return 1
    clientlib.need(ARCHES[arch][0])
    figures = {"arch": arch, "qemu_cpu": ARCHES[arch][1]}

    def body(env):
        failures = []
        kind = subprocess.run(["file", "-b", exe], capture_output=True, text=True).stdout.strip()
        figures["file"] = kind
        version = subprocess.run(pi_command(arch, sysroot, exe, "--version"),
                                 capture_output=True, text=True, timeout=60)
        if version.returncode != 0:
            fail(f"nanotdb --version under qemu exited {version.returncode}: {version.stderr}")
        for plugin in ("ingest-lineproto", "query-vm", "ui-dashboard"):
            if not re.search(rf"built-in plugins:.* {plugin} 0\.", version.stdout):
                failures.append(f"--version does not list {plugin}: {version.stdout!r}")
        figures["version"] = version.stdout.strip().splitlines()[0]
        if arch == "armhf":
            # Debian's armhf is ARMv7: on a Pi Zero / Pi 1 (ARMv6, ARM1176) it must die with
            # SIGILL, as docs/raspberry-pi.md says; that is what the armel build is for.
            qemu, _, _ = ARCHES[arch]
            v6 = subprocess.run([qemu, "-cpu", "arm1176", "-L", sysroot, exe, "--version"],
                                capture_output=True, text=True, timeout=60)
            figures["armhf_on_arm1176_exit"] = v6.returncode
            if v6.returncode not in (132, -4) or "Illegal instruction" not in v6.stderr:
                failures.append(f"armhf under -cpu arm1176 exited {v6.returncode} "
                                f"({v6.stderr.strip()[-200:]!r}), expected Illegal instruction")

        root = env.path("root")
        plugin_dir = env.path("no-plugins")
        os.makedirs(plugin_dir)
        os.makedirs(root)
        cfg = os.path.join(root, "engine.toml")
        subprocess.run(pi_command(arch, sysroot, exe, "--init", "--config", cfg), check=True,
                       capture_output=True, timeout=60)
        port = clientlib.free_port()
        text = open(cfg).read()
        text = re.sub(r'(?m)^listen = .*$', f'listen = "127.0.0.1:{port}"', text, count=1)
        text = re.sub(r'(?m)^dir = .*$', f'dir = "{plugin_dir}"', text, count=1)
        open(cfg, "w").write(text)

        proc, first_start = start(env, arch, sysroot, exe, cfg, "nanotdb")
        time.sleep(2)
        figures["idle_rss_kib"] = clientlib_proc_rss(proc.pid)
        t0 = (int(time.time()) // 60) * 60 - 600
        ingest(port, t0)
        check_data(port, t0, failures)
        stop(env, proc, "nanotdb")
        log = env.log("nanotdb")
        for plugin in ("ingest-lineproto", "query-vm"):
            if f"plugin {plugin} 0.1.0 started (built in)" not in log:
                failures.append(f"log lacks 'plugin {plugin} ... started (built in)'")

        starts = [first_start]
        for i in range(max(1, args.runs)):
            proc, seconds = start(env, arch, sysroot, exe, cfg, f"nanotdb-again-{i}")
            starts.append(seconds)
            if i == 0:
                check_data(port, t0, failures)  # the same answers after a restart
            stop(env, proc, "nanotdb after a restart")
        figures["start_s"] = [round(s, 3) for s in starts]
        figures["start_median_s"] = round(statistics.median(starts), 3)

        exported = subprocess.run(pi_command(arch, sysroot, cli, "export", "--root", root,
                                             "--db", "pi"),
                                  capture_output=True, text=True, timeout=120)
        if exported.returncode != 0:
            failures.append(f"nanocli export exited {exported.returncode}: {exported.stderr}")
        for line in ("pi/door.opened 9007199254740993i", "pi/room.temp 1e-300"):
            if line not in exported.stdout:
                failures.append(f"nanocli export lacks {line!r}: {exported.stdout[:500]!r}")
        figures["stripped_bytes"] = stripped_size(arch, exe, env.work)
        figures["unstripped_bytes"] = os.path.getsize(exe)
        return failures

    env = clientlib.Env(f"cross-{arch}")
    try:
        failures = body(env)
    except AssertionError as e:
        failures = [str(e)]
    finally:
        env.close()
    for f in failures:
        print("FAIL", f)
    if failures:
        for n, _, log in env.procs:
            print(f"--- {n} log (tail) ---")
            print(open(log, "rb").read().decode("utf-8", "replace")[-3000:])
        shutil.rmtree(env.work, ignore_errors=True)
        print(f"cross {arch}: 0 passed, 1 failed")
        return 1
    shutil.rmtree(env.work, ignore_errors=True)
    print(f"cross {arch} ({figures['file'].split(',')[0]}; qemu -cpu {figures['qemu_cpu']}): "
          f"nanotdb {figures['stripped_bytes'] / 1048576:.2f} MiB stripped, start "
          f"{figures['start_median_s']:.2f} s (median of {len(figures['start_s'])}), idle RSS "
          f"{figures['idle_rss_kib'] / 1024:.1f} MiB under qemu-user; import, /write, raw "
          f"query_range, restart and nanocli export exact")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)
    print(f"cross {arch}: 1 passed, 0 failed")
    return 0


def clientlib_proc_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    fail(f"no VmRSS for PID {pid}")


if __name__ == "__main__":
    sys.exit(main())
