// Self-stats: the daemon's own figures, written every [stats] interval into the `internal`
// database (float64 samples named like "nanotdb.ingest.samples_total") and served as
// Prometheus text at GET /metrics (dots become underscores: nanotdb_ingest_samples_total).
//
// Plugins' own figures (StatsService, server/plugin_stats.h) follow the core's in both, as
// labelled series (nanotdb_forward_sent_samples_total{endpoint="central"}).
//
// CoreCounters are bumped by the core services on any thread (relaxed atomics). SelfStats is
// thread-safe; the dispatcher and counters must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "nanotdb/engine.h"
#include "nanotdb/series.h"
#include "server/dispatcher.h"
#include "server/plugin_stats.h"

namespace nanotdb::server {

struct CoreCounters {
  std::atomic<uint64_t> ingest_samples{0};   // accepted by WriterService
  std::atomic<uint64_t> ingest_rejected{0};  // rejected points (bad name, type, order)
  std::atomic<uint64_t> ingest_batches{0};
  std::atomic<uint64_t> queries{0};  // QueryService read calls
  std::atomic<uint64_t> query_errors{0};
};

class SelfStats {
 public:
  struct Stat {
    std::string name;  // "nanotdb.ingest.samples_total"
    double value;
    bool counter;  // monotonic total (else a gauge)
    std::string help;
    Labels labels = {};  // sorted; none for the core's figures
  };

  SelfStats(const CoreCounters& counters, const Dispatcher& dispatcher, std::string root);
  // Adds the plugins' figures to Collect(); `plugins` must outlive this object.
  void set_plugin_stats(const PluginStatsRegistry* plugins) { plugins_ = plugins; }
  // Adds the engine's reader cache figures to Collect(); `engine` must outlive this object.
  void set_engine(const Engine* engine) { engine_ = engine; }

  // Current figures. Disk sizes come from the root's *.wal and *.dat files.
  std::vector<Stat> Collect() const;
  // Prometheus text exposition format 0.0.4 of Collect().
  std::string PrometheusText() const;
  // Writes Collect() plus nanotdb.ingest.samples_per_second (since the previous call) into
  // the `internal` database at `now`.
  Status WriteTo(Engine& engine, Timestamp now);

 private:
  const CoreCounters& counters_;
  const Dispatcher& dispatcher_;
  std::string root_;
  const PluginStatsRegistry* plugins_ = nullptr;
  const Engine* engine_ = nullptr;
  std::chrono::steady_clock::time_point started_;
  std::mutex mu_;
  uint64_t last_samples_ = 0;                         // guarded by mu_
  std::chrono::steady_clock::time_point last_write_;  // guarded by mu_
};

}  // namespace nanotdb::server
