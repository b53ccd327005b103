#include "server/plugin_stats.h"

#include <algorithm>
#include <exception>

namespace nanotdb::server {

void PluginStatsRegistry::Set(const std::string& plugin, StatsService::Collector collect) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, fn] : collectors_) {
    if (name == plugin) {
      fn = std::move(collect);
      return;
    }
  }
  collectors_.emplace_back(plugin, std::move(collect));
}

void PluginStatsRegistry::Remove(const std::string& plugin) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(collectors_, [&](const auto& entry) { return entry.first == plugin; });
}

std::vector<PluginStats> PluginStatsRegistry::Collect() const {
  std::vector<PluginStats> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, fn] : collectors_) {
    PluginStats entry{name, {}};
    try {
      if (fn) entry.stats = fn();
    } catch (const std::exception&) {
      entry.stats.clear();
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Status PluginStatsService::Publish(Collector collect) noexcept {
  try {
    registry_.Set(plugin_, std::move(collect));
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot publish stats: ") + e.what());
  }
}

std::vector<PluginStats> PluginStatsService::Collect() noexcept {
  try {
    return registry_.Collect();
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace nanotdb::server
