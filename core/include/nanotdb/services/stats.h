// StatsService ("nanotdb.stats" v1): the figures a plugin reports about itself (what it sent,
// how far behind it is, what it dropped), shown beside the core's self-stats: at GET /metrics
// (Prometheus text, dots become underscores), in the `internal` database every [stats]
// interval, and on the engine page (GET /api/engine/runtime, per plugin).
//
// Each plugin gets its own instance (ctx.Find<StatsService>()). Publish() hands the core a
// collector that it calls whenever it needs the figures: on its timer thread, on HTTP worker
// threads, possibly concurrently with the plugin's own threads, so the collector must be
// thread-safe and quick (read counters, no I/O). The core stops calling it before the plugin's
// Stop() is entered and when the plugin is disabled. Thread-safe; nothing throws.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nanotdb/series.h"
#include "nanotdb/status.h"

namespace nanotdb {

struct StatValue {
  // "nanotdb.forward.sent_samples_total": a valid metric name, lower case, dot-separated,
  // counters ending in _total. Series of one name share its help and kind.
  std::string name;
  Labels labels;  // e.g. {{"endpoint", "central"}}; valid label names, as in a series key
  double value = 0;
  bool counter = false;  // a monotonic total (else a gauge)
  std::string help;      // one line
};

// One plugin's figures, as the engine page lists them.
struct PluginStats {
  std::string plugin;
  std::vector<StatValue> stats;
};

class StatsService {
 public:
  static constexpr const char* kServiceName = "nanotdb.stats";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~StatsService() = default;

  using Collector = std::function<std::vector<StatValue>()>;

  // Publishes this plugin's collector, replacing one published before.
  virtual Status Publish(Collector collect) noexcept = 0;
  // Every running plugin's figures, in plugin load order (plugins without a collector left out).
  virtual std::vector<PluginStats> Collect() noexcept = 0;
};

}  // namespace nanotdb
