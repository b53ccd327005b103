// A deterministic generator of host-like metrics: the workload every storage budget in
// DESIGN.md §9 is measured on (codec_bench, bench/bench.py via nanotdb-workload).
//
// The first 84 metrics model a small Linux host (a 4-core Raspberry Pi class machine): CPU
// percentages per state and per core, load averages, memory bytes, disk and network counters
// (int32, monotonic, wrapping at 2^31 like a 32-bit counter), temperatures (0.001 and 0.1
// steps with drift and noise), near-constant gauges and process counts. Larger workloads add
// per-process metrics. Every metric is sampled once per cycle (default 10 s); all metrics of a
// cycle share one timestamp, and cycles start a few ms late (jitter).
//
// Same options and seed give the same samples on every run and platform. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nanotdb/types.h"

namespace nanotdb::bench {

// kHost: the synthetic host set above (gauges rounded to a few decimals, 32-bit counters).
// kDrip: the 84 metrics the drip collector posts on a Raspberry Pi (docs/drip.md), as noisy as
// real host telemetry: cumulative jiffies, sectors, pages and bytes as float32-rounded
// counters, rates and percentages derived over a jittered interval with a float32's ~7
// significant digits, kB gauges from /proc/meminfo, a DS18B20 bus and the SD write probe.
// Only the first 84 metrics exist in kDrip (`metrics` caps it).
enum class WorkloadProfile { kHost, kDrip };

struct WorkloadOptions {
  WorkloadProfile profile = WorkloadProfile::kHost;
  int metrics = 84;  // the first min(84, metrics) are the host set, then per-process metrics
  int days = 1;
  Timestamp start = 1767225600000000000;  // 2026-01-01T00:00:00Z
  uint64_t seed = 1;
  int64_t interval = 10 * kNanosPerSecond;
};

struct WorkloadMetric {
  std::string name;  // e.g. "cpu.usage_user", "net.eth0.rx_bytes"
  ValueType type = ValueType::kFloat64;
};

class Workload {
 public:
  explicit Workload(const WorkloadOptions& opts);
  ~Workload();
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  const std::vector<WorkloadMetric>& metrics() const { return metrics_; }
  uint64_t cycles() const { return cycles_; }  // days * 86400 s / interval

  // Produces the next cycle: its timestamp and one value (Sample::bits) per metric, in
  // metrics() order. Returns false once every cycle has been produced.
  bool Next(Timestamp* ts, std::vector<uint64_t>* values);

 private:
  struct Host;
  void AddDripMetrics();
  WorkloadOptions opts_;
  std::vector<WorkloadMetric> metrics_;
  std::vector<std::function<uint64_t()>> gens_;
  std::unique_ptr<Host> host_;
  uint64_t cycles_ = 0;
  uint64_t cycle_ = 0;
};

// The whole workload as one column per metric (metrics() order), for benchmarks and tests.
std::vector<std::vector<Sample>> GenerateColumns(const WorkloadOptions& opts,
                                                 std::vector<WorkloadMetric>* metrics);

}  // namespace nanotdb::bench
