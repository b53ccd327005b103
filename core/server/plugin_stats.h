// PluginStatsRegistry: the collectors plugins publish through StatsService
// (nanotdb/services/stats.h), kept by plugin name in publication order, and the per-plugin
// StatsService instance that publishes into it. SelfStats and the engine page read them.
//
// Thread-safe: Collect() calls the collectors under the registry's mutex, so Remove() returns
// only once no collector of that plugin is running; after it, the plugin's code is not entered
// again (PluginHost removes a plugin before its Stop() and when it is disabled).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "nanotdb/services/stats.h"

namespace nanotdb::server {

class PluginStatsRegistry {
 public:
  void Set(const std::string& plugin, StatsService::Collector collect);
  void Remove(const std::string& plugin);
  // A collector that throws is reported as that plugin with no figures.
  std::vector<PluginStats> Collect() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, StatsService::Collector>> collectors_;  // guarded by mu_
};

// The StatsService one plugin sees.
class PluginStatsService final : public StatsService {
 public:
  PluginStatsService(PluginStatsRegistry& registry, std::string plugin)
      : registry_(registry), plugin_(std::move(plugin)) {}
  Status Publish(Collector collect) noexcept override;
  std::vector<PluginStats> Collect() noexcept override;

 private:
  PluginStatsRegistry& registry_;
  std::string plugin_;
};

}  // namespace nanotdb::server
