#!/usr/bin/env python3
"""nanotdb's ingest-mqtt plugin subscribed to Debian's mosquitto on loopback.

mosquitto runs on a free loopback port with a temporary config: no anonymous access, a
password file made by mosquitto_passwd, no persistence. nanotdb connects with the user name
and a password_file. The test publishes with mosquitto_pub and reads the series back through
nanotdb's HTTP query API:

- a retained message published before nanotdb started arrives on subscribe;
- text numbers (int64 extremes, 2^53+1, 0.1, -0, 5e-324, true, a states word) come back
  exactly, the two '+' levels of `sensors/+/+` as the metric and a label (the reference could
  use only one wildcard);
- Zigbee2MQTT JSON (every field, float) and Tasmota JSON (nested paths, its Time stamp);
- a QoS 1 message is acknowledged to the broker (mosquitto's log: PUBACK from nanotdb);
- bad payloads (not a number, broken JSON, a string field, an oversized message) are
  logged with topic and reason and the subscription keeps going;
- mosquitto is killed (SIGKILL) and restarted on the same port: nanotdb reconnects,
  subscribes again and stores what is published after;
- stopping nanotdb sends DISCONNECT (mosquitto logs a clean disconnect);
- /metrics shows the plugin's counters;
- topics to events (kind = "event"): names from the captures, value and payload from JSON
  fields (the payload's own time), text payloads as value or payload, a bad value refused and
  logged;
- a second nanotdb with a wrong password logs the broker's refusal and keeps retrying;
- with clean_session = false, QoS 1 messages published while nanotdb is stopped arrive after
  its restart (the broker kept the session);
- over TLS (a CA and server certificate made with openssl, mosquitto's TLS listener):
  a message arrives, and a client that does not trust the CA refuses the certificate.

Usage: mqtt_client_test.py NANOTDB_BIN PLUGIN_DIR
"""
import json
import os
import pwd
import re
import shutil
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientlib import (Skip, free_port, get, get_json, post_form, run_test, series_key,  # noqa: E402
                       wait_until)  # noqa: E402

USER, PASSWORD = "nanotdb", "s3cret pass"


def find(program):
    for path in (shutil.which(program), f"/usr/sbin/{program}", f"/usr/bin/{program}"):
        if path and os.path.exists(path):
            return path
    raise Skip(f"{program} is not installed (scripts/bootstrap installs mosquitto and "
               f"mosquitto-clients)")


class Broker:
    def __init__(self, env, name, extra=""):
        self.env, self.name = env, name
        self.port = free_port()
        self.conf = env.path(f"{name}.conf")
        self.pwfile = env.path(f"{name}.passwd")
        self.logfile = env.path(f"{name}.broker.log")  # written line by line (stdout is not)
        subprocess.run([find("mosquitto_passwd"), "-b", "-c", self.pwfile, USER, PASSWORD],
                       check=True, capture_output=True)
        os.chmod(self.pwfile, 0o600)
        with open(self.conf, "w") as f:
            # `user`: as root mosquitto would switch to the mosquitto user, who cannot read
            # the test's private temporary directory.
            f.write(f"user {pwd.getpwuid(os.getuid()).pw_name}\n"
                    f"listener {self.port} 127.0.0.1\nallow_anonymous false\n"
                    f"password_file {self.pwfile}\npersistence false\n"
                    f"log_dest file {self.logfile}\n"
                    f"log_type all\n{extra}")
        self.proc = None
        self.runs = 0

    def start(self):
        self.runs += 1
        self.proc = self.env.spawn(f"{self.name}-{self.runs}", [find("mosquitto"), "-c", self.conf])

        def listening():
            if self.proc.poll() is not None:
                raise AssertionError(f"mosquitto exited: {self.log()[-2000:]}"
                                     f"{self.env.log(f'{self.name}-{self.runs}')[-2000:]}")
            return self.log().count(" running") >= self.runs
        wait_until("mosquitto to listen", listening, timeout=10)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def log(self):
        """The broker's log since its first start."""
        try:
            with open(self.logfile, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def publish(self, topic, message, *args, user=USER, password=PASSWORD, tls=()):
        argv = [find("mosquitto_pub"), "-h", "127.0.0.1", "-p", str(self.port), "-t", topic,
                "-u", user, "-P", password, *tls, *args]
        if isinstance(message, bytes):
            argv += ["-s"]
            subprocess.run(argv, input=message, check=True, capture_output=True, timeout=10)
        else:
            subprocess.run(argv + ["-m", message], check=True, capture_output=True, timeout=10)


def mqtt_config(text, broker, extra_keys, subscriptions):
    """Enables [plugins.ingest-mqtt] of an --init engine.toml with extra_keys and appends the
    subscribe tables."""
    keys = f'enabled = true\nbroker = "127.0.0.1:{broker.port}"\n' + extra_keys
    text, n = re.subn(r'(?m)^(\[plugins\.ingest-mqtt\]\n)enabled = false\n',
                      lambda m: m.group(1) + keys, text, count=1)
    if n != 1:
        raise AssertionError("engine.toml from --init has no [plugins.ingest-mqtt] table")
    return text + "\n" + subscriptions


SUBSCRIPTIONS = '''
[[plugins.ingest-mqtt.subscribe]]
topic = "sensors/+/+"
format = "text"
db = "home"
metric = "{2}"
qos = 1
[plugins.ingest-mqtt.subscribe.labels]
room = "{1}"
[plugins.ingest-mqtt.subscribe.states]
ON = 1
OFF = 0

[[plugins.ingest-mqtt.subscribe]]
topic = "zigbee2mqtt/+"
db = "home"
metric = "zigbee.{field}"
type = "float"
[plugins.ingest-mqtt.subscribe.labels]
device = "{1}"

[[plugins.ingest-mqtt.subscribe]]
topic = "tele/+/SENSOR"
db = "tasmota"
fields = ["ENERGY.Power", "ENERGY.Total", "ENERGY.Today"]
timestamp = "Time"
[plugins.ingest-mqtt.subscribe.labels]
device = "{1}"

[[plugins.ingest-mqtt.subscribe]]
topic = "alarm/+/+"
kind = "event"
db = "{1}"
name = "alarm.{2}"
value = "level"
timestamp = "at"
timestamp_unit = "s"
qos = 1

[[plugins.ingest-mqtt.subscribe]]
topic = "zigbee2mqtt/+/action"
kind = "event"
db = "home"
name = "button.{1}"
value = "action"
[plugins.ingest-mqtt.subscribe.states]
single = 1
double = 2

[[plugins.ingest-mqtt.subscribe]]
topic = "doorbell/+"
kind = "event"
format = "text"
db = "home"
name = "doorbell.{1}"
'''


def start_nanotdb(env, nanotdb, plugin_dir, broker, name, extra_keys):
    root = env.path(name)
    port = env.nanotdb_config(nanotdb, plugin_dir, root)
    cfg = os.path.join(root, "engine.toml")
    with open(cfg) as f:
        text = f.read()
    with open(cfg, "w") as f:
        f.write(mqtt_config(text, broker, extra_keys, SUBSCRIPTIONS))
    proc = env.spawn(name, [nanotdb, "--config", cfg])
    env.wait_http(name, proc, port, "/health")
    return port, proc


def raw_range(port, selector, start="-1h", end="now"):
    """{series key: [(timestamp text, value text), ...]}: query_range's raw mode, which answers
    int64 values as exact integers (PromQL range vectors are float64)."""
    status, _, body = post_form(port, "/api/v1/query_range",
                                {"query": selector, "start": start, "end": end})
    answer = json.loads(body)
    if status != 200 or answer.get("status") != "success":
        raise AssertionError(f"query_range {selector!r}: HTTP {status} {body[:300]!r}")
    return {series_key(s["metric"]): [(str(t), v) for t, v in s["values"]]
            for s in answer["data"]["result"]}


def values(port, selector):
    """{series key: [value, ...]} of the last hour; int64 values as their exact text, float64
    values as the float64 they denote (compared bit for bit: 5e-324 is answered in fixed
    notation)."""
    out = {}
    for k, pts in raw_range(port, selector).items():
        out[k] = [v if re.fullmatch(r"-?[0-9]+", v) else Float(v) for _, v in pts]
    return out


class Float:
    """A float64 answer that equals its expected text when the bits are the same."""

    def __init__(self, text):
        self.bits = struct.pack("<d", float(text))

    def __eq__(self, other):
        other = Float(other) if isinstance(other, str) else other
        return isinstance(other, Float) and self.bits == other.bits

    def __repr__(self):
        return repr(struct.unpack("<d", self.bits)[0])


def wait_values(port, selector, want, what):
    def ok():
        got = values(port, selector)
        return got if got == want else None
    try:
        return wait_until(what, ok, timeout=10)
    except AssertionError:
        return values(port, selector)


def main(env):
    nanotdb, plugin_dir = sys.argv[1], sys.argv[2]
    find("mosquitto")
    find("mosquitto_pub")
    failures = []

    broker = Broker(env, "mosquitto")
    broker.start()
    broker.publish("sensors/garden/temperature", "12.5", "-r")  # retained, before nanotdb

    pwfile = env.path("nanotdb.password")
    with open(pwfile, "w") as f:
        f.write(PASSWORD + "\n")
    keys = (f'client_id = "nanotdb-test"\nusername = "{USER}"\npassword_file = "{pwfile}"\n'
            f'retry_interval = "100ms"\nretry_max_interval = "1s"\nkeepalive = "5s"\n'
            f'max_packet_bytes = 4096\n')
    port, proc = start_nanotdb(env, nanotdb, plugin_dir, broker, "nanotdb", keys)
    wait_until("nanotdb to connect", lambda: "connected to MQTT broker" in env.log("nanotdb"))

    retained = wait_values(port, '{db="home",room="garden"}',
                           {("temperature", (("room", "garden"),)): ["12.5"]}, "the retained value")
    if retained != {("temperature", (("room", "garden"),)): ["12.5"]}:
        failures.append(f"retained message: stored {retained}")

    # Text numbers, exact; the second '+' is the metric, the first a label.
    exact = [("9223372036854775807", "9223372036854775807"),
             ("-9223372036854775808", "-9223372036854775808"),
             ("9007199254740993", "9007199254740993"), ("true", "1"), ("ON", "1"), ("OFF", "0")]
    for payload, _ in exact:
        broker.publish("sensors/kitchen/counter", payload, "-q", "1")
    floats = [("0.1", "0.1"), ("-0.0", "-0"), ("5e-324", "5e-324"), ("21.5", "21.5"),
              ("1796196412.25", "1796196412.25")]
    for payload, _ in floats:
        broker.publish("sensors/kitchen/temperature", payload)
    want = {("counter", (("room", "kitchen"),)): [w for _, w in exact],
            ("temperature", (("room", "kitchen"),)): [w for _, w in floats]}
    got = wait_values(port, '{db="home",room="kitchen"}', want, "the kitchen values")
    if got != want:
        failures.append(f"text values: stored {got}, want {want}")

    # Zigbee2MQTT and Tasmota JSON.
    broker.publish("zigbee2mqtt/hall sensor",
                   '{"battery":97,"humidity":48.31,"temperature":21.25,"contact":false,'
                   '"linkquality":120,"update":{"state":"idle"},"last_seen":null}')
    z = {(f"zigbee.{f}", (("device", "hall sensor"),)): [v] for f, v in
         [("battery", "97"), ("humidity", "48.31"), ("temperature", "21.25"),
          ("contact", "0"), ("linkquality", "120")]}
    got = wait_values(port, '{db="home",device="hall sensor"}', z, "the Zigbee2MQTT values")
    if got != z:
        failures.append(f"zigbee2mqtt: stored {got}, want {z}")
    broker.publish("tele/plug1/SENSOR",
                   '{"Time":"2026-12-01T10:00:00","ENERGY":{"TotalStartTime":"2026-01-01T00:00:00",'
                   '"Total":123.456,"Yesterday":1.2,"Today":0.345,"Power":42,"Voltage":231}}')
    def tasmota():
        data = raw_range(port, '{db="tasmota"}', "2026-12-01T09:00:00Z", "2026-12-01T11:00:00Z")
        return data if len(data) == 3 else None
    try:
        t_data = wait_until("the Tasmota values", tasmota, timeout=10)
    except AssertionError:
        t_data = raw_range(port, '{db="tasmota"}', "2026-12-01T09:00:00Z", "2026-12-01T11:00:00Z")
    want_t = {("ENERGY.Power", (("device", "plug1"),)): [("1796119200", "42")],
              ("ENERGY.Total", (("device", "plug1"),)): [("1796119200", "123.456")],
              ("ENERGY.Today", (("device", "plug1"),)): [("1796119200", "0.345")]}
    if t_data != want_t:
        failures.append(f"tasmota: stored {t_data}, want {want_t} (2026-12-01T10:00:00Z)")

    # QoS 1: nanotdb acknowledged the messages the broker sent it at QoS 1.
    if not re.search(r"Received PUBACK from nanotdb-test", broker.log()):
        failures.append("mosquitto never received a PUBACK from nanotdb-test for QoS 1 messages")

    # Bad payloads: logged with topic and reason, the subscription goes on.
    broker.publish("sensors/kitchen/temperature", "warm")
    broker.publish("zigbee2mqtt/hall sensor", '{"temperature": 21.')
    broker.publish("tele/plug1/SENSOR", '{"Time":"2026-12-01T10:00:10","ENERGY":{"Power":"n/a"}}')
    broker.publish("sensors/kitchen/big", b"7" * 10000)
    broker.publish("sensors/kitchen/temperature", "22.75")
    want["temperature", (("room", "kitchen"),)].append("22.75")
    got = wait_values(port, '{db="home",room="kitchen"}', want, "the value after the bad ones")
    if got != want:
        failures.append(f"after bad payloads: stored {got}, want {want}")
    log = env.log("nanotdb")
    for needle in [
        'topic "sensors/kitchen/temperature": value "warm" is not a number',
        'topic "zigbee2mqtt/hall sensor": invalid JSON at byte 19',
        'topic "tele/plug1/SENSOR": field "ENERGY.Power": value "n/a" is not a number',
        'topic "sensors/kitchen/big": packet of 10021 bytes exceeds max_packet_bytes = 4096',
    ]:
        if needle not in log:
            failures.append(f"nanotdb's log lacks {needle!r}")
    if log.count("connected to MQTT broker") != 1:
        failures.append("a bad payload cost the connection: " + str(log.count("connected to MQTT")))

    # The broker dies and comes back: reconnect, resubscribe, store.
    broker.kill()
    wait_until("nanotdb to notice the broker is gone",
               lambda: "lost the connection to MQTT broker" in env.log("nanotdb"))
    time.sleep(0.5)  # a few refused attempts with backoff
    broker.start()
    wait_until("nanotdb to reconnect",
               lambda: env.log("nanotdb").count("connected to MQTT broker") >= 2, timeout=15)
    broker.publish("sensors/cellar/humidity", "81")
    back = wait_values(port, '{db="home",room="cellar"}', {("humidity", (("room", "cellar"),)): ["81"]},
                       "the value published after the restart")
    if back != {("humidity", (("room", "cellar"),)): ["81"]}:
        failures.append(f"after the broker restart: stored {back}")
    if "cannot connect to MQTT broker" not in env.log("nanotdb"):
        failures.append("no refused reconnect attempt was logged while the broker was down")

    # Self-stats at /metrics, labelled with the broker.
    status, _, body = get(port, "/metrics")
    text = body.decode()
    for name, want_value in [("nanotdb_mqtt_messages_total", 20), ("nanotdb_mqtt_samples_total", 22),
                             ("nanotdb_mqtt_rejected_total", 4), ("nanotdb_mqtt_reconnects_total", 1),
                             ("nanotdb_mqtt_connected", 1)]:
        m = re.search(rf'(?m)^{name}{{broker="127.0.0.1:{broker.port}"}} (\S+)$', text)
        if status != 200 or not m or float(m.group(1)) != want_value:
            failures.append(f"/metrics {name}: {m.group(0) if m else 'missing'}, want {want_value}")
    m = re.search(r"(?m)^nanotdb_mqtt_connect_failures_total\{[^}]*\} (\S+)$", text)
    if not m or float(m.group(1)) < 1:
        failures.append(f"/metrics nanotdb_mqtt_connect_failures_total: {m and m.group(0)}, want >= 1")

    # Topics to events: names from the captures, value and payload from JSON fields; text.
    broker.publish("alarm/home/smoke",
                   '{"level":3,"at":1796119200,"room":"kitchen","ok":[true,null]}', "-q", "1")
    broker.publish("zigbee2mqtt/desk button/action", '{"action":"double","battery":90}')
    broker.publish("doorbell/front", "pressed")
    broker.publish("doorbell/front", "2")
    broker.publish("alarm/home/smoke", '{"level":"high"}')  # refused, named in the log

    def stored_events():
        status, r = get_json(port, "/api/v1/events", {"db": "home", "start": "2026-01-01T00:00:00Z"})
        ev = r["data"]["events"] if status == 200 else []
        return ev if len(ev) >= 4 else None
    try:
        events = wait_until("the MQTT events", stored_events, timeout=10)
    except AssertionError:
        events = get_json(port, "/api/v1/events", {"db": "home", "start": "2026-01-01"})[1]
    got_events = [(e["name"], e["value"], e["payload"]) for e in events]
    want_events = [
        ("alarm.smoke", 3, {"level": 3, "at": 1796119200, "room": "kitchen", "ok": [True, None]}),
        ("button.desk button", 2, {"action": "double", "battery": 90}),
        ("doorbell.front", None, "pressed"),
        ("doorbell.front", 2, None)]
    if got_events != want_events:
        failures.append(f"mqtt events: stored {got_events}, want {want_events}")
    elif events[0]["ts"] != 1796119200 * 10**9:
        failures.append(f"mqtt event time: {events[0]['ts']}, want the payload's 1796119200 s")
    wait_until("the refused event in the log",
               lambda: 'topic "alarm/home/smoke": event: value "level": value "high" is not a '
                       'number' in env.log("nanotdb"), timeout=5)
    status, _, body = get(port, "/metrics")
    m = re.search(rf'(?m)^nanotdb_mqtt_events_total{{broker="127.0.0.1:{broker.port}"}} (\S+)$',
                  body.decode())
    if not m or float(m.group(1)) != 4:
        failures.append(f"/metrics nanotdb_mqtt_events_total: {m and m.group(0)}, want 4")

    # A clean DISCONNECT when nanotdb stops.
    env.stop(proc)
    try:
        wait_until("mosquitto to log nanotdb's DISCONNECT",
                   lambda: "Client nanotdb-test disconnected." in broker.log(), timeout=5)
    except AssertionError:
        failures.append("mosquitto logged no clean disconnect of nanotdb-test: " +
                        "\n".join(l for l in broker.log().splitlines() if "nanotdb-test" in l)[-600:])

    # Wrong password: the refusal is named and retried.
    keys_bad = (f'client_id = "nanotdb-bad"\nusername = "{USER}"\npassword = "wrong"\n'
                f'retry_interval = "100ms"\nretry_max_interval = "200ms"\n')
    _, bad = start_nanotdb(env, nanotdb, plugin_dir, broker, "nanotdb-bad", keys_bad)
    wait_until("two refused attempts", lambda: len(re.findall(
        r"cannot connect to MQTT broker \S+: the broker refused the connection: not authorized",
        env.log("nanotdb-bad"))) >= 2)
    env.stop(bad)

    failures += persistent_session_part(env, nanotdb, plugin_dir, broker)
    failures += tls_part(env, nanotdb, plugin_dir)
    return failures


def persistent_session_part(env, nanotdb, plugin_dir, broker):
    """clean_session = false: QoS 1 messages published while nanotdb is stopped are kept by the
    broker and stored when it is back."""
    failures = []
    keys = (f'client_id = "nanotdb-persist"\nusername = "{USER}"\npassword = "{PASSWORD}"\n'
            f'clean_session = false\nretry_interval = "100ms"\n')
    port, proc = start_nanotdb(env, nanotdb, plugin_dir, broker, "nanotdb-persist", keys)
    wait_until("the persistent session", lambda: "connected to MQTT" in env.log("nanotdb-persist"))
    env.stop(proc)
    for v in ("7.5", "8.25", "9"):
        broker.publish("sensors/porch/temperature", v, "-q", "1")
    cfg = os.path.join(env.path("nanotdb-persist"), "engine.toml")
    proc = env.spawn("nanotdb-persist-2", [nanotdb, "--config", cfg])
    env.wait_http("nanotdb-persist-2", proc, port, "/health")
    want = {("temperature", (("room", "porch"),)): ["7.5", "8.25", "9"]}
    got = wait_values(port, '{db="home",room="porch"}', want, "the messages queued by the broker")
    if got != want:
        failures.append(f"clean_session = false: stored {got} after the restart, want {want}")
    env.stop(proc)
    return failures


def tls_part(env, nanotdb, plugin_dir):
    """mosquitto's TLS listener with a certificate of a CA made here."""
    openssl = shutil.which("openssl")
    if not openssl:
        return ["openssl is not installed (scripts/bootstrap installs it)"]
    d = env.path("tls")
    os.makedirs(d)
    p = lambda n: os.path.join(d, n)  # noqa: E731
    run = lambda *a: subprocess.run([openssl, *a], check=True, capture_output=True, cwd=d)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=nanotdb test CA",
        "-keyout", p("ca.key"), "-out", p("ca.crt"))
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", p("server.key"),
        "-out", p("server.csr"))
    with open(p("ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
        "-CAcreateserial", "-days", "2", "-extfile", p("ext.cnf"), "-out", p("server.crt"))
    broker = Broker(env, "mosquitto-tls", f"cafile {p('ca.crt')}\ncertfile {p('server.crt')}\n"
                                          f"keyfile {p('server.key')}\n")
    broker.start()
    failures = []
    keys = (f'client_id = "nanotdb-tls"\nusername = "{USER}"\npassword = "{PASSWORD}"\n'
            f'tls = true\ntls_ca_file = "{p("ca.crt")}"\nretry_interval = "100ms"\n')
    port, proc = start_nanotdb(env, nanotdb, plugin_dir, broker, "nanotdb-tls", keys)
    wait_until("nanotdb to connect over TLS",
               lambda: "over TLS; subscribed to 6 filters" in env.log("nanotdb-tls"))
    broker.publish("sensors/vault/temperature", "4.5", tls=("--cafile", p("ca.crt")))
    got = wait_values(port, '{db="home",room="vault"}', {("temperature", (("room", "vault"),)): ["4.5"]},
                      "the value over TLS")
    if got != {("temperature", (("room", "vault"),)): ["4.5"]}:
        failures.append(f"over TLS: stored {got}")
    env.stop(proc)

    # Without the CA the broker's certificate is refused (the system store does not know it).
    keys_untrusted = (f'client_id = "nanotdb-untrusted"\nusername = "{USER}"\n'
                      f'password = "{PASSWORD}"\ntls = true\nretry_interval = "100ms"\n')
    _, proc = start_nanotdb(env, nanotdb, plugin_dir, broker, "nanotdb-untrusted", keys_untrusted)
    try:
        wait_until("the untrusted certificate to be refused",
                   lambda: re.search(r"cannot connect to MQTT broker \S+: .*(certificate|SSL)",
                                     env.log("nanotdb-untrusted"), re.I))
    except AssertionError:
        failures.append("a broker certificate of an unknown CA was not refused: " +
                        env.log("nanotdb-untrusted")[-1500:])
    if "connected to MQTT broker" in env.log("nanotdb-untrusted"):
        failures.append("connected to a broker whose certificate nobody trusts")
    env.stop(proc)
    return failures


if __name__ == "__main__":
    run_test("mqtt-client", main)
