#!/usr/bin/env bash
# Installs the SDK (headers, library, CMake package) from BUILD_DIR into a temporary prefix,
# checks that every installed header compiles on its own, builds examples/sensor-bus-plugin
# outside the tree with find_package(NanoTDB) against that prefix, drops it into a plugin
# directory beside the built-in plugins, and checks that a real daemon loads it and stores and
# serves what it ingests.
# Usage: out_of_tree_plugin_test.sh SOURCE_DIR BUILD_DIR NANOTDB_BIN PLUGIN_DIR CXX
set -euo pipefail
src=$1 build=$2 nanotdb=$3 builtin=$4 cxx=$5
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" --component sdk >/dev/null
test -f "$prefix/lib/cmake/NanoTDB/NanoTDBConfig.cmake"
for h in $(cd "$prefix/include" && find nanotdb -name '*.h'); do
  echo "#include <$h>" | "$cxx" -std=c++20 -fsyntax-only -I"$prefix/include" -x c++ - ||
    { echo "installed header $h does not compile on its own"; exit 1; }
done
# Only SDK headers are installed: the engine's own API stays inside the daemon.
for h in engine.h env.h query.h; do
  test ! -e "$prefix/include/nanotdb/$h" || { echo "core header $h was installed"; exit 1; }
done

cmake -S "$src/examples/sensor-bus-plugin" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
test "$(nm -D --defined-only "$work/build/nanotdb-sensor-bus.so" | awk '{print $3}')" = nanotdb_plugin_v1

mkdir -p "$work/plugins" "$work/root"
ln -s "$builtin"/nanotdb-*.so "$work/plugins/"
cp "$work/build/nanotdb-sensor-bus.so" "$work/plugins/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$nanotdb" --init --config "$work/root/engine.toml" >/dev/null
cfg="$work/root/engine.toml"
sed -i "s|^listen = .*|listen = \"127.0.0.1:$port\"|; s|^dir = .*|dir = \"$work/plugins\"|" "$cfg"
sed -i '/^\[plugins.drip-sources\]/,/^enabled/ s/^enabled = true/enabled = false/' "$cfg"
sed -i '/^\[plugins.ui-dashboard\]/,/^enabled/ s/^enabled = true/enabled = false/' "$cfg"
printf '\n[plugins.sensor-bus]\nenabled = true\ndatabase = "bus"\n' >> "$cfg"

"$nanotdb" --check-config --config "$cfg"
"$nanotdb" --config "$cfg" >"$work/nanotdb.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.05
done
out=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/sensor-bus" --data-binary $'kitchen 21.5\nattic 17')
echo "$out" | grep -q '"imported":2' || { echo "import answered: $out"; cat "$work/nanotdb.log"; exit 1; }
bad=$(curl -s -w ' %{http_code}' -X POST "http://127.0.0.1:$port/api/v1/sensor-bus" --data-binary $'kitchen 21\nkitchen warm')
echo "$bad" | grep -qF 'line 2: expected \"<sensor> <value>\", got \"kitchen warm\"' ||
  { echo "bad line answered: $bad"; exit 1; }
echo "$bad" | grep -q ' 400$' || { echo "bad line answered: $bad"; exit 1; }
got=$(curl -s "http://127.0.0.1:$port/api/v1/query?query=bus/bus.kitchen")
echo "$got" | grep -q '"21.5"' || { echo "query answered: $got"; exit 1; }
grep -q 'plugin sensor-bus 0.1.0 started' "$work/nanotdb.log"
echo "out-of-tree plugin loaded, ingested and queried"
