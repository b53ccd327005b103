// Collector: the enabled probes of one ProbeSettings, run together once per cycle. Used by the
// drip-sources plugin (writes through WriterService) and by the drip binary (posts over HTTP).
//
// Scheduling: cycles fall on wall-clock multiples of `interval` (CycleTicker); a probe with its
// own interval runs every CyclesPerRun() cycles (always on its first cycle). Every sample of a
// cycle carries the cycle's timestamp.
//
// Events (docs/drip.md, "Events"): what changed about the probes — a probe's first warning
// (drip.probe.failed), a slow probe (drip.probe.slow), the set of series a probe reports
// changing (drip.probe.changed: a sensor, disk, interface or process came or went) — collected
// for the caller to take with TakeEvents.
//
// Thread safety: Collect and TakeEvents are called by one thread at a time; CycleTicker::Stop
// from any thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "host_fs.h"
#include "nanotdb/event_types.h"
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
  // Probe names in run order.
  std::vector<std::string> probe_names() const;
  // The events since the last call, oldest first (at most kMaxPendingEvents are kept; older
  // ones are dropped and counted into a drip.events.dropped event).
  std::vector<Event> TakeEvents();
  static constexpr size_t kMaxPendingEvents = 1000;

 private:
  struct Entry {
    std::unique_ptr<Probe> probe;
    int64_t cycles_per_run;
    bool ran = false;
    int runs = 0;
    bool slow_reported = false;
    std::vector<std::string> series;  // sorted metric names of its last run
  };
  void AddEvent(Timestamp ts, std::string name, std::optional<Value> value, std::string payload);
  void NoteSeries(Entry& e, const CycleTime& now, std::vector<std::string> series);
  ProbeSettings settings_;
  HostFs fs_;
  ProbeLog log_;
  std::vector<Entry> probes_;
  std::vector<std::pair<std::string, int64_t>> timings_;
  // Filled by probes' log wrappers during Collect (same thread) and by Collect itself.
  std::vector<Event> events_;
  uint64_t events_dropped_ = 0;
  Timestamp cycle_ts_ = 0;  // of the running Collect, for the log wrappers' events
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
