// Probe: one source of host metrics (cpu, memory, disk, ...). The Collector runs the enabled
// probes once per cycle; every sample of a cycle carries the cycle's timestamp.
//
// A probe keeps the previous cycle's counters to derive rates, so rates appear from the second
// cycle on. A probe whose source is absent or malformed says so once in the log (ProbeLog) and
// then stays quiet; it logs again only after the source came back and failed anew.
//
// Thread safety: a probe is driven by one thread at a time. Collect never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/engine_types.h"  // LogLevel, LogFn
#include "nanotdb/types.h"

namespace nanotdb::drip {

struct ProbeSample {
  std::string metric;
  Value value;
};

struct CycleTime {
  Timestamp ts = 0;          // wall clock, shared by every sample of the cycle
  int64_t monotonic_ns = 0;  // steady clock: rates are per elapsed steady time
};

// Logs each distinct key once until Clear(key). Not thread-safe (one per probe).
class ProbeLog {
 public:
  explicit ProbeLog(LogFn log) : log_(std::move(log)) {}
  void Once(const std::string& key, LogLevel level, std::string_view message);
  void Clear(const std::string& key) { said_.erase(key); }
  void Log(LogLevel level, std::string_view message) const;

 private:
  LogFn log_;
  std::set<std::string> said_;
};

class Probe {
 public:
  virtual ~Probe() = default;
  virtual std::string_view name() const = 0;
  // Appends this cycle's samples to *out.
  virtual void Collect(const CycleTime& now, std::vector<ProbeSample>* out) = 0;
};

// The increase of a cumulative counter between two readings. A counter that went down is
// taken as a 32-bit wrap when both readings fit in 32 bits and the wrapped increase is under
// 2^31 (32-bit kernels keep /proc/net/dev and /proc/diskstats counters in an unsigned long);
// otherwise it was reset (reboot, driver reload) and there is no delta.
std::optional<uint64_t> CounterDelta(uint64_t previous, uint64_t current);

// A metric name component made safe: bytes other than [A-Za-z0-9_.-] become '_'.
std::string SanitizeNamePart(std::string_view part);

// Values as stored: counts are int64; counters, bytes and rates are float64 with the ~7
// significant digits of a float32 (the shortest decimal of the float32 nearest to v): more
// would be measurement noise, and short decimals compress to a byte or two a sample.
inline ProbeSample IntSample(std::string metric, int64_t v) {
  return {std::move(metric), Value::Int64(v)};
}
inline ProbeSample FloatSample(std::string metric, double v) {
  return {std::move(metric), Value::Float64(WidenFloat32(static_cast<float>(v)))};
}

}  // namespace nanotdb::drip
