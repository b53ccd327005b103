// MetadataService ("nanotdb.metadata" v1): what the engine inspector and operators see about
// databases, files, the process and the effective configuration. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/engine_types.h"

namespace nanotdb {

struct LoadedPluginInfo {
  std::string name;
  std::string version;
  std::string path;  // "" for plugins compiled into the binary
  std::string description;
  std::string error;  // why the plugin failed Register or Start and was disabled; "" if running
};

struct RuntimeInfo {
  std::string version;  // nanotdb version
  int64_t uptime_ns = 0;
  uint64_t rss_bytes = 0;
  uint64_t peak_rss_bytes = 0;
  double cpu_user_seconds = 0, cpu_system_seconds = 0;
  int threads = 0;
  std::string root;
  std::string listen;
  std::vector<LoadedPluginInfo> plugins;
};

class MetadataService {
 public:
  static constexpr const char* kServiceName = "nanotdb.metadata";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~MetadataService() = default;

  virtual Result<DatabaseSummary> InspectDatabase(std::string_view db) noexcept = 0;
  virtual RuntimeInfo Runtime() noexcept = 0;
  // The effective engine configuration as TOML text (secrets such as tokens redacted).
  virtual std::string EffectiveConfigToml() noexcept = 0;
};

}  // namespace nanotdb
