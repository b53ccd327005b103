#!/usr/bin/env bash
# The rollup full cycle (docs/rollups.md; the reference's §7.5 check): 30 hours of 10-second data
# for ten temp.syntheticNN metrics and two temp.gap_probeNN metrics with known gaps are
# generated, imported with `nanocli import` into database `source`, rolled up with
# `nanocli rollup` (1h min/max/sum/count into source_rollup_1h, then a 1d cascade over the
# hourly sums into source_rollup_1d), exported with `nanocli export`, and every exported line
# of the three databases is compared, as a multiset, with what python3 computes on its own
# from the generated data.
#
#   scripts/rollup_full_cycle_check.sh [path/to/nanocli]     (default: build/bin/nanocli)
# Exit 0 when everything matches; otherwise the differing lines are printed.
set -euo pipefail

NANOCLI=${1:-build/bin/nanocli}
if [[ ! -x "$NANOCLI" ]]; then
  echo "rollup_full_cycle_check: nanocli not found at $NANOCLI (build it, or pass its path)" >&2
  exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rollup-cycle.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"

# 1. Data and the expected rollups, computed independently of nanotdb.
python3 - "$work" <<'PY'
import sys, datetime, functools
work = sys.argv[1]
T0 = 1767225600          # 2026-01-01 00:00:00 UTC, a day boundary
HOURS = 30
STEP = 10

@functools.lru_cache(maxsize=None)
def stamp(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S") + ".000000000"

def fmt(x):
    r = repr(float(x))
    return r[:-2] if r.endswith(".0") else r

def present(name, i):
    """Whether sample i (i*STEP s after T0) of `name` exists: the gaps are deterministic."""
    ts = i * STEP
    hour, minute = ts // 3600, (ts % 3600) // 60
    if name == "temp.gap_probe00":
        if hour == 3:                       # a whole hour missing: no 1h bucket
            return False
        if hour == 7 and 10 <= minute < 20:  # ten minutes missing inside an hour
            return False
    if name == "temp.gap_probe01":
        if 12 <= hour <= 14:                # three hours missing
            return False
        if hour == 20 and ts % 30 != 0:     # sparser data for an hour
            return False
        if hour >= 26:                      # stops before the end
            return False
    return True

names = ["temp.synthetic%02d" % k for k in range(10)] + ["temp.gap_probe00", "temp.gap_probe01"]
raw = {n: [] for n in names}   # name -> [(ts, value)] in time order
with open(work + "/data.lp", "w") as lp:
    for i in range(HOURS * 3600 // STEP):
        for k, n in enumerate(names):
            if not present(n, i):
                continue
            # One decimal, varying within each hour, different per metric.
            text = "%.1f" % (15 + k + ((i * (k + 3)) % 97) / 10.0)
            ts = T0 + i * STEP
            raw[n].append((ts, float(text)))
            lp.write("source/%s %s %d\n" % (n, text, ts * 10**9))

expected = []
for n in names:
    for ts, v in raw[n]:
        expected.append("source/%s %s %s" % (n, fmt(v), stamp(ts)))
hourly_sums = {}   # name -> [(hour start, sum)] in time order
for n in names:
    buckets = {}
    for ts, v in raw[n]:
        buckets.setdefault(ts - (ts % 3600), []).append(v)
    for start in sorted(buckets):
        vs = buckets[start]
        s = 0.0
        for v in vs:         # in time order, as a running double sum
            s += v
        hourly_sums.setdefault(n, []).append((start, s))
        for agg, value in (("min", min(vs)), ("max", max(vs)), ("sum", s), ("count", len(vs))):
            expected.append("source_rollup_1h/%s.%s %s %s" % (n, agg, fmt(value), stamp(start)))
for n, sums in hourly_sums.items():
    days = {}
    for start, s in sums:
        days.setdefault(start - (start % 86400), []).append(s)
    for start in sorted(days):
        vs = days[start]
        s = 0.0
        for v in vs:
            s += v
        for agg, value in (("sum", s), ("max", max(vs)), ("count", len(vs))):
            expected.append("source_rollup_1d/%s.sum.%s %s %s" % (n, agg, fmt(value), stamp(start)))
with open(work + "/expected.lp", "w") as f:
    f.write("\n".join(expected) + "\n")
PY

# 2. Import, then the manifests: source rolls up into source_rollup_1h, which cascades into
#    source_rollup_1d (its manifest is written before the first rollup, as a user would).
"$NANOCLI" import --root "$root" --in "$work/data.lp" >/dev/null
cat >>"$root/source/manifest.toml" <<'TOML'

[rollups]
enabled = true
default_interval = "1h"
default_destination_db = "source_rollup_1h"
default_aggregates = ["min", "max", "sum", "count"]

[[rollups.jobs]]
id = "temp_1h"
source_pattern = "temp.*"
TOML
mkdir -p "$root/source_rollup_1h"
cat >"$root/source_rollup_1h/manifest.toml" <<'TOML'
format_version = 1

[retention]
partition = "month"
retention_action = "keep"

[wal]
enabled = false

[rollups]
enabled = true

[[rollups.jobs]]
id = "sums_1d"
source_pattern = "*.sum"
interval = "24h"
aggregates = ["sum", "max", "count"]
destination_db = "source_rollup_1d"
TOML

# 3. Roll up (twice: a second backfill must give the same, not doubled, result).
"$NANOCLI" rollup --root "$root" >/dev/null
"$NANOCLI" rollup --root "$root" --json >"$work/report.json"

# 4. Export and compare as multisets.
for db in source source_rollup_1h source_rollup_1d; do
  "$NANOCLI" export --root "$root" --db "$db" --out "$work/$db.lp" >/dev/null
done
cat "$work/source.lp" "$work/source_rollup_1h.lp" "$work/source_rollup_1d.lp" >"$work/actual.lp"
python3 - "$work" <<'PY'
import sys, json, collections
work = sys.argv[1]
def lines(path):
    with open(path) as f:
        return collections.Counter(l.rstrip("\n") for l in f if l.strip())
want, got = lines(work + "/expected.lp"), lines(work + "/actual.lp")
missing, extra = want - got, got - want
report = json.load(open(work + "/report.json"))
print("rollup_full_cycle_check: %d expected lines, %d exported; backfill wrote %d points "
      "from %s into %s" % (sum(want.values()), sum(got.values()), report["points_written"],
                           ",".join(report["source_databases"]),
                           ",".join(report["destination_databases"])))
if missing or extra:
    for l in sorted(missing)[:20]:
        print("missing: " + l)
    for l in sorted(extra)[:20]:
        print("extra:   " + l)
    print("FAILED: %d missing, %d unexpected lines" % (sum(missing.values()), sum(extra.values())))
    sys.exit(1)
print("OK: every raw sample, 1h and 1d rollup line matches")
PY
