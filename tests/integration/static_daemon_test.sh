#!/usr/bin/env bash
# The one-binary nanotdb (every in-tree plugin compiled in): --version lists each plugin, and with
# no plugin files at all (plugins.dir empty) it serves the Pi Zero set — ingest-lineproto and
# query-vm enabled, the others disabled in engine.toml and therefore not running.
# Usage: static_daemon_test.sh NANOTDB_STATIC_BIN "plugin-a plugin-b ..."
set -euo pipefail
nanotdb=$1 expected=$2
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

version=$("$nanotdb" --version)
for name in $expected; do
  echo "$version" | grep -q "built-in plugins:.* $name 0\." ||
    { echo "--version does not list $name: $version"; exit 1; }
done

mkdir -p "$work/no-plugins" "$work/root"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$nanotdb" --init --config "$work/root/engine.toml" >/dev/null
cfg="$work/root/engine.toml"
# --init knows the built-in plugins' settings without any plugin file.
grep -q '^# max_points = 1000000' "$cfg" || { echo "init lacks query-vm's keys"; exit 1; }
sed -i "s|^listen = .*|listen = \"127.0.0.1:$port\"|; s|^dir = .*|dir = \"$work/no-plugins\"|" "$cfg"
for off in ui-dashboard drip-sources; do
  sed -i "/^\[plugins.$off\]/,/^enabled/ s/^enabled = true/enabled = false/" "$cfg"
done
"$nanotdb" --check-config --config "$cfg" >/dev/null
"$nanotdb" --config "$cfg" >"$work/nanotdb.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.05
done
out=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/import" --data-binary $'pi/room.temp 21.5\n')
echo "$out" | grep -q '"status":"success"' || { echo "import answered: $out"; cat "$work/nanotdb.log"; exit 1; }
got=$(curl -s "http://127.0.0.1:$port/api/v1/query?query=pi/room.temp")
echo "$got" | grep -q '"21.5"' || { echo "query answered: $got"; exit 1; }
# Disabled in engine.toml: compiled in, but not started and not serving.
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/dashboard")" = 404 ] ||
  { echo "ui-dashboard serves although disabled"; exit 1; }
kill -TERM "$pid"
wait "$pid"
pid=
grep -q 'plugin ingest-lineproto 0.1.0 started (built in)' "$work/nanotdb.log"
grep -q 'plugin query-vm 0.1.0 started (built in)' "$work/nanotdb.log"
if grep -q 'plugin \(ui-dashboard\|drip-sources\) .* started' "$work/nanotdb.log"; then
  echo "a disabled plugin started"; exit 1
fi
echo "one-binary nanotdb lists $expected and serves the Pi Zero set"
