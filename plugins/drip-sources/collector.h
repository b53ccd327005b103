// Collector: the enabled probes of one ProbeSettings, run together once per cycle. Used by the
// drip-sources plugin (writes through WriterService) and by the drip binary (posts over HTTP).
//
// Scheduling: cycles fall on wall-clock multiples of `interval` (CycleTicker); a probe with its
// own interval runs every CyclesPerRun() cycles (always on its first cycle). Every sample of a
// cycle carries the cycle's timestamp.
//
// Thread safety: Collect is called by one thread at a time; CycleTicker::Stop from any thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "host_fs.h"
#include "probe.h"
#include "settings.h"

namespace nanotdb::drip {

class Collector {
 public:
  // Probes read below host.root (callers pass settings.root; tests a fixture tree).
  // `default_sd_dir` replaces an empty sd_probe_dir (the plugin passes its data root).
  Collector(ProbeSettings settings, HostOptions host, std::string default_sd_dir, LogFn log);
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Runs the probes due in the cycle starting at now.ts (every probe when all_probes) and
  // returns their samples in probe order.
  std::vector<ProbeSample> Collect(const CycleTime& now, bool all_probes = false);

  size_t probe_count() const { return probes_.size(); }
  const ProbeSettings& settings() const { return settings_; }
  // Probe name and run time in ns, for the probes the last Collect ran.
  const std::vector<std::pair<std::string, int64_t>>& last_timings() const { return timings_; }

 private:
  struct Entry {
    std::unique_ptr<Probe> probe;
    int64_t cycles_per_run;
    bool ran = false;
  };
  ProbeSettings settings_;
  HostFs fs_;
  ProbeLog log_;
  std::vector<Entry> probes_;
  std::vector<std::pair<std::string, int64_t>> timings_;
};

// Wakes at wall-clock multiples of the interval (…:00, :10, :20 for 10 s), so cycles of
// different hosts and restarts line up; late wake-ups skip to the next multiple, never drift.
class CycleTicker {
 public:
  explicit CycleTicker(int64_t interval_ns) : interval_ns_(interval_ns) {}
  CycleTicker(const CycleTicker&) = delete;
  CycleTicker& operator=(const CycleTicker&) = delete;

  // Blocks until the next tick and fills *out (ts = the tick). False once Stop was called.
  bool WaitNext(CycleTime* out);
  // Wakes WaitNext and makes every later call return false. Thread-safe.
  void Stop();

 private:
  const int64_t interval_ns_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mu_
  Timestamp last_tick_ = 0;
};

// The current time as a cycle timestamp (wall) plus the steady clock.
CycleTime NowCycleTime();

}  // namespace nanotdb::drip
