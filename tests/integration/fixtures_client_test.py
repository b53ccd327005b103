#!/usr/bin/env python3
"""What Telegraf and Home Assistant send, posted to the real daemon and read back exactly.

The fixtures in tests/fixtures/clients/ (README.md there says where each format comes from):

- telegraf.lp: Telegraf's influx serializer output (cpu, mem with int fields, disk with an
  escaped blank in a tag, diskio with int64 max, net with uint fields, a string field);
  posted as Telegraf's outputs.influxdb does (POST /write?db=telegraf) and gzip-compressed
  as outputs.influxdb_v2 does (POST /api/v2/write?bucket=...&org=..., Token auth,
  Content-Encoding: gzip);
- home_assistant_influxdb.lp: Home Assistant's influxdb integration (measurement = unit or
  entity id, domain/entity_id tags, value plus *_str attribute fields, microsecond times);
  posted as its v1 client does (POST /write?db=home_assistant) and as its v2 client does;
- home_assistant_prometheus.txt: Home Assistant's prometheus exporter page (python
  prometheus_client floats, escaped quotes in label values), posted to
  /api/v1/import/prometheus with ?timestamp=, and scraped by a scrape job with
  bearer_token from a stand-in for Home Assistant's /api/prometheus (401 without the token).

Every number of every line must come back from /api/v1/query (a range selector per
database) as the same series (measurement_field and tags, or name and labels), the same
nanosecond timestamp and the same value: int64 to the digit, float64 bit for bit. String
fields are not stored and do not fail the write.

Usage: fixtures_client_test.py NANOTDB_BIN PLUGIN_DIR FIXTURE_DIR
"""
import http.server
import json
import os
import re
import sys
import threading
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientlib import (get_json, gzip_bytes, http_request, parse_exposition,  # noqa: E402
                       parse_go_float, raw_samples, run_test, same_float, wait_until,
                       with_target_labels)


def read_token(s, i, stops):
    """An Influx line-protocol token from s[i:] up to an unescaped char of stops."""
    out = []
    while i < len(s) and s[i] not in stops:
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in stops + "\\=,":
            out.append(s[i + 1])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out), i


def parse_line_protocol(text):
    """-> {(series name, sorted labels): [(ts_ns, kind, value)]}, kind 'int' or 'float';
    string fields are left out (not stored). An independent reader of the documented
    format: <measurement>[,tag=v...] field=v[,field=v...] [timestamp]."""
    out = {}
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        measurement, i = read_token(line, 0, ", ")
        tags = {}
        while line[i] == ",":
            k, i = read_token(line, i + 1, "=")
            v, i = read_token(line, i + 1, ", ")
            tags["exported_db" if k == "db" else k] = v
        i += 1
        fields = []
        while True:
            k, i = read_token(line, i, "=")
            i += 1
            if line[i] == '"':
                j = i + 1
                while line[j] != '"':
                    j += 2 if line[j] == "\\" else 1
                i = j + 1
                fields.append((k, None))
            else:
                v, i = read_token(line, i, ", ")
                fields.append((k, v))
            if i >= len(line) or line[i] == " ":
                break
            i += 1
        ts = int(line[i + 1:]) if i < len(line) else None
        if ts is None:
            raise ValueError(f"line {n}: fixtures carry timestamps")
        for k, v in fields:
            if v is None:
                continue
            if re.fullmatch(r"-?\d+[iu]", v):
                kind, value = "int", int(v[:-1])
            elif v in ("t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"):
                kind, value = "int", 1 if v[0] in "tT" else 0
            else:
                kind, value = "float", float(v)
            key = (f"{measurement}_{k}", tuple(sorted(tags.items())))
            out.setdefault(key, []).append((ts, kind, value))
    return out


def compare(what, expected, stored):
    """Failures for every series/sample of expected that stored does not hold exactly."""
    failures = []
    if set(expected) != set(stored):
        failures.append(f"{what}: series only expected {sorted(set(expected) - set(stored))[:3]}, "
                        f"only stored {sorted(set(stored) - set(expected))[:3]}")
    for key in sorted(set(expected) & set(stored)):
        want, got = expected[key], stored[key]
        if len(want) != len(got):
            failures.append(f"{what} {key}: {len(got)} samples stored, want {len(want)}")
            continue
        for (ts, kind, value), (t, text) in zip(want, got):
            ns = int(Decimal(t) * 10**9)
            if ns != ts:
                failures.append(f"{what} {key}: timestamp {ns} ns, want {ts}")
            elif kind == "int" and abs(value) > 2**53:
                # PromQL evaluates in float64, as Prometheus does: such an int64 is rounded
                # here (the latest-value query below shows it exactly).
                if float(text) != float(value):
                    failures.append(f"{what} {key}: value {text}, want {float(value)!r}")
            elif kind == "int" and text != str(value):
                failures.append(f"{what} {key}: value {text}, want {value} (int64)")
            elif kind == "float" and not same_float(parse_go_float(text), value):
                failures.append(f"{what} {key}: value {text}, want {value!r} (float64 bits)")
    return failures


def stored_db(port, db, at_s):
    return raw_samples(port, f'{{db="{db}"}}', "1d", at_s, text=True)


HA_TOKEN = "eyJhbGciOiJIUzI1NiJ9.test-long-lived-token"


def serve_home_assistant(page):
    """Home Assistant's /api/prometheus on a free loopback port (a thread of this test): the
    page for `Authorization: Bearer HA_TOKEN`, 401 otherwise, as Home Assistant answers."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/api/prometheus":
                self.send_error(404)
            elif self.headers.get("Authorization") != f"Bearer {HA_TOKEN}":
                self.send_response(401)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(b"401: Unauthorized")
            else:
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(env):
    nanotdb, plugin_dir, fixtures = sys.argv[1], sys.argv[2], sys.argv[3]
    failures = []

    def fixture(name):
        with open(os.path.join(fixtures, name), encoding="utf-8") as f:
            return f.read()

    ha_server = serve_home_assistant(fixture("home_assistant_prometheus.txt"))
    ha_instance = f"127.0.0.1:{ha_server.server_address[1]}"
    scrape = f"""
[[plugins.ingest-prometheus.scrape]]
job_name = "hass"
targets = ["{ha_instance}"]
metrics_path = "/api/prometheus"
bearer_token = "{HA_TOKEN}"
interval = "1h"
db = "hass"

[[plugins.ingest-prometheus.scrape]]
job_name = "hass_no_token"
targets = ["{ha_instance}"]
metrics_path = "/api/prometheus"
interval = "1h"
db = "hass"
"""
    try:
        port, _, _ = env.start_nanotdb(nanotdb, plugin_dir, scrape)
        failures += check_all(port, fixture, ha_instance)
    finally:
        ha_server.shutdown()
    return failures


def check_all(port, fixture, ha_instance):
    failures = []

    def post(path, body, headers=None):
        status, _, answer = http_request(port, "POST", path, body=body, headers=headers or {})
        if status not in (200, 204):
            failures.append(f"POST {path}: {status} {answer[:300]!r}")
        return status

    # Home Assistant's connection checks at start: an empty write, which must succeed on the
    # 1.x API (influxdb-python posts "\n"; an error stops the integration) and be 400 on the
    # 2.x API (the v2 check treats any other error as a broken connection).
    status, _, body = http_request(port, "POST", "/write?db=home_assistant", body=b"\n",
                                   headers={"Content-Type": "application/octet-stream"})
    if status != 204:
        failures.append(f"Home Assistant's v1 empty test write: {status} {body!r}, want 204")
    status, _, body = http_request(port, "POST", "/api/v2/write?org=home&bucket=home_assistant_v2"
                                   "&precision=ns", body=b"", headers={"Authorization": "Token "})
    if status != 400 or json.loads(body).get("code") != "invalid":
        failures.append(f"Home Assistant's v2 empty test write: {status} {body!r}, want 400 invalid")

    telegraf = fixture("telegraf.lp")
    ha_lp = fixture("home_assistant_influxdb.lp")
    ha_prom = fixture("home_assistant_prometheus.txt")

    # Telegraf outputs.influxdb (1.x API, ns, no compression by default) ...
    ua = {"User-Agent": "Telegraf/1.34.0 Go/1.24.0", "Content-Type": "text/plain; charset=utf-8"}
    if post("/write?db=telegraf", telegraf.encode(), ua) != 204:
        failures.append("telegraf's write did not answer 204")
    # ... and outputs.influxdb_v2 (gzip by default, Token auth).
    post("/api/v2/write?bucket=telegraf_v2&org=home&precision=ns", gzip_bytes(telegraf),
         dict(ua, **{"Content-Encoding": "gzip", "Authorization": "Token "}))
    # Home Assistant's influxdb integration, api_version 1 (database home_assistant) and 2.
    post("/write?db=home_assistant", ha_lp.encode(), {"User-Agent": "python-requests/2.32"})
    post("/api/v2/write?org=home&bucket=home_assistant_v2&precision=ns", ha_lp.encode(),
         {"Authorization": "Token ", "Content-Type": "text/plain"})
    # Home Assistant's prometheus exporter page, pushed with one timestamp (ms).
    ha_ts_ms = 1796290005000
    status, _, body = http_request(
        port, "POST", f"/api/v1/import/prometheus?db=ha_prom&timestamp={ha_ts_ms}",
        body=ha_prom.encode(), headers={"Content-Type": "text/plain; version=0.0.4"})
    answer = json.loads(body)
    exposed, meta = parse_exposition(ha_prom)
    if status != 200 or answer["data"]["imported"] != len(exposed):
        failures.append(f"import/prometheus of the HA page: {status} {body[:300]!r}, want "
                        f"{len(exposed)} imported")

    lp_telegraf = parse_line_protocol(telegraf)
    lp_ha = parse_line_protocol(ha_lp)
    at = 1796290100
    failures += compare("telegraf /write", lp_telegraf, stored_db(port, "telegraf", at))
    failures += compare("telegraf /api/v2/write gzip", lp_telegraf,
                        stored_db(port, "telegraf_v2", at))
    failures += compare("home assistant /write", lp_ha, stored_db(port, "home_assistant", at))
    failures += compare("home assistant /api/v2/write", lp_ha,
                        stored_db(port, "home_assistant_v2", at))
    expected_prom = {k: [(ha_ts_ms * 10**6, "float", v)] for k, v in exposed.items()}
    failures += compare("home assistant prometheus page", expected_prom,
                        stored_db(port, "ha_prom", at))

    # The fixtures are not trivial: they hold what the comparison is meant to catch.
    ints = sum(1 for pts in lp_telegraf.values() for p in pts if p[1] == "int")
    if ints < 40 or len(lp_ha) < 10 or len(exposed) < 25:
        failures.append(f"fixtures too small: {ints} int samples, {len(lp_ha)} HA series, "
                        f"{len(exposed)} HA prometheus samples")

    # A dashboard query as a user types it for each source.
    checks = [
        ('mem_used{db="telegraf",host="raspberrypi"}', "1702264832"),
        ('diskio_write_bytes{db="telegraf_v2"}', "9223372036854775807"),
        ('disk_used_percent{db="telegraf",path="/mnt/My Disk"}', "40.1"),
        ('{__name__="°C_value",db="home_assistant",entity_id="living_room_temperature"}', "21.55"),
        ('{__name__="°C_value",db="home_assistant",entity_id="outdoor temperature"}', "-3.25"),
        ('homeassistant_sensor_temperature_celsius{db="ha_prom",friendly_name="Outdoor, \\"north\\" side"}',
         "-3.25"),
    ]
    for query, want in checks:
        status, answer = get_json(port, "/api/v1/query", {"query": query, "time": str(at)})
        result = answer.get("data", {}).get("result", [])
        if status != 200 or len(result) != 1 or float(result[0]["value"][1]) != float(want):
            failures.append(f"{query} at {at}: {status} {result}, want one series = {want}")
        # Without `time`: the latest sample as stored, int64 to the digit.
        status, answer = get_json(port, "/api/v1/query", {"query": query})
        result = answer.get("data", {}).get("result", [])
        if status != 200 or len(result) != 1 or result[0]["value"][1] != want:
            failures.append(f"{query}: {status} {result}, want one series = {want}")

    status, md = get_json(port, "/api/v1/metadata",
                          {"metric": "homeassistant_sensor_temperature_celsius"})
    if md.get("data", {}).get("homeassistant_sensor_temperature_celsius") != [
            {"type": "gauge", "help": "Metric for temperature", "unit": ""}]:
        failures.append(f"metadata of the HA page: {md}")

    # Home Assistant's page scraped with its token; without it, up = 0 (401).
    def both_scraped():
        return len(raw_samples(port, '{db="hass",__name__="up"}', "1h", text=True)) == 2
    wait_until("both scrapes of Home Assistant", both_scraped)
    scraped = raw_samples(port, '{db="hass"}', "1h", text=True)
    up = {dict(k[1])["job"]: pts[0][1] for k, pts in scraped.items() if k[0] == "up"}
    if up != {"hass": "1", "hass_no_token": "0"}:
        failures.append(f"up of the Home Assistant scrapes: {up}, want hass 1, hass_no_token 0")
    scraped = {k: v for k, v in scraped.items() if dict(k[1])["job"] == "hass" and
               k[0] not in ("up", "scrape_duration_seconds", "scrape_samples_scraped")}
    ts = {pts[0][0] for pts in scraped.values()}
    want = {with_target_labels(k, "hass", ha_instance): [(int(Decimal(min(ts or {0})) * 10**9),
                                                          "float", v)]
            for k, v in exposed.items()}
    failures += compare("home assistant scraped with its token", want, scraped)

    print(f"{len(lp_telegraf)} telegraf series, {len(lp_ha)} home assistant series, "
          f"{len(exposed)} home assistant prometheus series compared")
    return failures


if __name__ == "__main__":
    run_test("fixtures-client", main)
