#!/usr/bin/env python3
"""One identity for a series: every series any answer shows, pasted back as a selector, selects
that series again, in every endpoint.

A small data set over three databases (the same metric in two of them, label values with
blanks, '/', quotes, backslashes and UTF-8, a metric name that PromQL can only write quoted)
is written over the line protocol. Then, for every series of

  /api/v1/query, /api/v1/query_range, /api/v1/series (match[] = every series),

the answer's labels must be exactly the data set's (`__name__` the bare metric, `db` the
database), and the labels pasted back in every selector form a user may write

  {__name__="m", db="d", k="v"}        m{db="d", k="v"}        d/m{k="v"}
  {"m", db="d", k="v"}                 {"d/m", k="v"}

(values quoted with raw UTF-8 and with \\u escapes) must select, in /api/v1/query,
/api/v1/query_range, /api/v1/series, /api/v1/label/__name__/values and
/api/v1/label/db/values, exactly the data set's series that carry those labels. Every value
/api/v1/label/<name>/values lists, pasted as {<name>="<value>"}, selects exactly the series
with that label value. Finally a bare `m` covers every database, or only default_db when
[plugins.query-vm] sets one.

Usage: series_identity_test.py NANOTDB_BIN PLUGIN_DIR
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientlib import get, get_json, http_request, post_form, run_test  # noqa: E402

# (db, metric, labels): every series of the data set.
SERIES = [
    ("home", "room.temp", {}),
    ("lab", "room.temp", {}),
    ("home", "room.temp", {"room": "living room"}),
    ("lab", "room.temp", {"room": "living room"}),
    ("home", "power_watts", {"circuit": "kitchen/oven", "note": "caf\u00e9 \u2615 \"hot\" \\ end"}),
    ("lab", "power_watts", {"circuit": "bench 1/2"}),
    ("office", "temp-\u00b0C", {"sensor": "n\u00b01"}),
    ("office", "job:requests:rate5m", {"job": "api", "path": "/v1/query?x=1"}),
    ("office", "\u6e29\u5ea6", {"room": "\u4f1a\u8bae\u5ba4 3"}),
]
T_END = (int(time.time()) // 60) * 60 - 600
STEP = 30
POINTS = 10


def labels_of(db, metric, labels):
    return dict(labels, __name__=metric, db=db)


def frozen(labels):
    return tuple(sorted(labels.items()))


ALL = {frozen(labels_of(*s)) for s in SERIES}


def lp_value(v):
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lines():
    out = []
    for i, (db, metric, labels) in enumerate(SERIES):
        key = metric
        if labels:
            key += "{" + ",".join(f"{k}={lp_value(v)}" for k, v in sorted(labels.items())) + "}"
        for p in range(POINTS):
            t = T_END - (POINTS - 1 - p) * STEP
            out.append(f"{db}/{key} {i * 100 + p} {t * 1_000_000_000}")
    return "\n".join(out) + "\n"


def quote(v, ascii_only):
    """A PromQL (Go) double-quoted string: raw UTF-8, or \\u/\\U escapes for non-ASCII."""
    out = ['"']
    for ch in v:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) > 0x7e and ascii_only:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out) + '"'


IDENT = re.compile(r"^[A-Za-z_:][A-Za-z0-9_:.]*$")


def selectors(labels):
    """Every way a user may write the label set `labels` (with __name__ and db) as a selector."""
    name, db = labels["__name__"], labels["db"]
    own = {k: v for k, v in labels.items() if k not in ("__name__", "db")}
    out = []
    for ascii_only in (False, True):
        q = lambda v: quote(v, ascii_only)  # noqa: E731
        own_m = [f"{k}={q(v)}" for k, v in sorted(own.items())]
        out.append("{" + ", ".join(f"{k}={q(v)}" for k, v in sorted(labels.items())) + "}")
        out.append("{" + ", ".join([q(name), f"db={q(db)}"] + own_m) + "}")
        out.append("{" + ", ".join([q(f"{db}/{name}")] + own_m) + "}")
        if IDENT.match(name):
            out.append(name + "{" + ", ".join([f"db={q(db)}"] + own_m) + "}")
            out.append(f"{db}/{name}" + ("{" + ",".join(own_m) + "}" if own_m else ""))
    return out


def expected(labels):
    """The data set's series carrying every label of `labels`."""
    return {s for s in ALL if all(dict(s).get(k) == v for k, v in labels.items())}


def main(env):
    nanotdb, plugin_dir = sys.argv[1], sys.argv[2]
    failures = []
    port, _, _ = env.start_nanotdb(nanotdb, plugin_dir)
    status, _, body = http_request(port, "POST", "/api/v1/import", body=lines().encode())
    if status != 200:
        return [f"import: HTTP {status} {body[:400]!r}"]
    answer = json.loads(body)
    if answer.get("data", {}).get("imported") != len(SERIES) * POINTS:
        return [f"import: {answer}"]

    def call(path, params):
        # Label values are GET only, as in Prometheus; the rest is POSTed as Grafana does.
        if path.startswith("/api/v1/label/"):
            status, _, body = get(port, path, params)
        else:
            status, _, body = post_form(port, path, params)
        a = json.loads(body)
        if status != 200 or a.get("status") != "success":
            raise AssertionError(f"{path} {params}: HTTP {status} {body[:400]!r}")
        return a["data"]

    range_params = {"start": str(T_END - (POINTS - 1) * STEP), "end": str(T_END), "step": "60"}

    def selected(sel):
        """{endpoint: set of label sets} that selector `sel` selects."""
        got = {}
        got["query"] = {frozen(s["metric"]) for s in
                        call("/api/v1/query", {"query": sel, "time": str(T_END)})["result"]}
        got["query_range"] = {frozen(s["metric"]) for s in
                              call("/api/v1/query_range", dict(range_params, query=sel))["result"]}
        got["series"] = {frozen(s) for s in call("/api/v1/series", {"match[]": sel})}
        return got

    # 1. What the answers show is the data set, in one form.
    every = '{__name__=~".+"}'
    shown = selected(every)
    for endpoint, got in shown.items():
        if got != ALL:
            failures.append(f"{endpoint} {every}: only in the answer {sorted(got - ALL)}, "
                            f"missing {sorted(ALL - got)}")
    names = call("/api/v1/label/__name__/values", {})
    if names != sorted({s[1] for s in SERIES}):
        failures.append(f"label/__name__/values: {names}")
    dbs = call("/api/v1/label/db/values", {})
    if dbs != ["home", "lab", "office"]:
        failures.append(f"label/db/values: {dbs}")
    label_names = call("/api/v1/labels", {})
    want_names = sorted({k for s in ALL for k, _ in s})
    if label_names != want_names:
        failures.append(f"labels: {label_names}, want {want_names}")

    # 2. Every series of every answer, pasted back in every form, selects itself (and the
    # series that carry more labels), everywhere.
    checked = 0
    for endpoint, got in shown.items():
        for series in sorted(got):
            labels = dict(series)
            want = expected(labels)
            for sel in selectors(labels):
                checked += 1
                try:
                    for where, answer in selected(sel).items():
                        if answer != want:
                            failures.append(f"{endpoint} series {labels} as {sel!r} in {where}: "
                                            f"got {sorted(answer)}, want {sorted(want)}")
                    vals = call("/api/v1/label/__name__/values", {"match[]": sel})
                    if vals != [labels["__name__"]]:
                        failures.append(f"{sel!r}: label/__name__/values {vals}")
                    vals = call("/api/v1/label/db/values", {"match[]": sel})
                    if vals != sorted({dict(s)["db"] for s in want}):
                        failures.append(f"{sel!r}: label/db/values {vals}")
                except AssertionError as e:  # a refused selector: name it, go on
                    failures.append(f"{endpoint} series {labels}: {e}")

    # 3. Every label value listed, pasted back as a matcher, selects the series with it.
    for name in label_names:
        for value in call(f"/api/v1/label/{name}/values", {}):
            for ascii_only in (False, True):
                sel = "{" + f"{name}={quote(value, ascii_only)}" + "}"
                checked += 1
                want = expected({name: value})
                for where, answer in selected(sel).items():
                    if not want or answer != want:
                        failures.append(f"label {name} value {value!r} as {sel!r} in {where}: "
                                        f"got {sorted(answer)}, want {sorted(want)}")

    # 4. A bare metric name covers every database but internal...
    bare = {frozen(s) for s in call("/api/v1/series", {"match[]": "room.temp"})}
    if bare != expected({"__name__": "room.temp"}):
        failures.append(f"bare room.temp without default_db: {sorted(bare)}")
    # ... or only default_db.
    root2 = env.path("default-db")
    port2 = env.nanotdb_config(nanotdb, plugin_dir, root2)
    cfg = os.path.join(root2, "engine.toml")
    text = open(cfg).read()
    text, n = re.subn(r"(?m)^(\[plugins\.query-vm\]\s*\n)", '\\1default_db = "lab"\n', text, count=1)
    if n != 1:
        return failures + ["engine.toml has no [plugins.query-vm] section"]
    open(cfg, "w").write(text)
    proc = env.spawn("nanotdb-default-db", [nanotdb, "--config", cfg])
    env.wait_http("nanotdb-default-db", proc, port2, "/health")
    status, _, body = http_request(port2, "POST", "/api/v1/import", body=lines().encode())
    if status != 200:
        return failures + [f"import (default_db): HTTP {status} {body[:400]!r}"]
    status, a = get_json(port2, "/api/v1/series", {"match[]": "room.temp"})
    bare = {frozen(s) for s in a.get("data", [])}
    if bare != expected({"__name__": "room.temp", "db": "lab"}):
        failures.append(f"bare room.temp with default_db = \"lab\": {status} {a}")
    status, a = get_json(port2, "/api/v1/series", {"match[]": "home/room.temp"})
    bare = {frozen(s) for s in a.get("data", [])}
    if bare != expected({"__name__": "room.temp", "db": "home"}):
        failures.append(f"home/room.temp with default_db = \"lab\": {status} {a}")

    print(f"{checked} pasted selectors checked in query, query_range, series and label values")
    return failures


if __name__ == "__main__":
    run_test("series-identity", main)
