// PluginHost: loads the enabled plugins (DESIGN §3) and drives their lifecycle.
//
//   Load      for every ENABLED [plugins.<name>]: the built-in plugin of that name when the
//             executable has one (builtin_plugins.h), else dlopen(RTLD_NOW | RTLD_LOCAL)
//             <dir>/nanotdb-<name>.so (disabled plugins are never mapped); check abi_version,
//             descriptor_size and the toolchain fingerprint, validate the section against the
//             plugin's schema, create the instance.
//   Register  every plugin, in config order;   Start  every plugin, in config order;
//   Stop      in reverse order of Start (only plugins that started);   ~PluginHost  destroy().
// A Load failure (missing file, mismatch, bad config) names the plugin and its file and stops
// startup. A plugin whose Register or Start fails (an error Status, or an exception caught by
// the NANOTDB_PLUGIN trampolines) is disabled and logged as an error while the others go on:
// the services it published are withdrawn, the tasks it scheduled cancelled, a Start that
// failed is followed by Stop (to join what it started), and the routes it added answer 503
// naming the plugin and the reason. Libraries are never dlclose()d: code of a plugin may still
// run on threads the host cannot see.
// Not thread-safe: driven from the daemon's main thread. The registry and log function must
// outlive the host.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nanotdb/plugin.h"
#include "nanotdb/services/metadata.h"
#include "server/builtin_plugins.h"
#include "server/config.h"
#include "server/plugin_config.h"
#include "server/plugin_stats.h"
#include "server/registry.h"

namespace nanotdb::server {

// Maps `path` and returns its validated descriptor. Errors name the path and, for mismatches,
// both sides ("built with gcc-11/... but this nanotdb is gcc-12/...").
Result<const PluginDescriptor*> OpenPluginLibrary(const std::string& path);
// The same checks for a descriptor at hand (a built-in plugin's); `origin` names it in errors.
Result<const PluginDescriptor*> CheckPluginDescriptor(const PluginDescriptor* d,
                                                      const std::string& origin);

// "<exe dir>/../lib/nanotdb/plugins" (the build tree, most install prefixes), or
// "<exe dir>/../<CMAKE_INSTALL_LIBDIR>/nanotdb/plugins" when only that one exists.
std::string DefaultPluginDir();

class PluginHost {
 public:
  PluginHost(ServiceRegistry& registry, LogFn log, std::string root,
             std::span<const PluginEntryFn> builtins = {});
  ~PluginHost();  // Stop()s what still runs, then destroys every instance
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // Loads and configures every enabled plugin of `config` from `dir`. Config warnings are
  // appended to *warnings.
  Status Load(const EngineConfig& config, const std::string& dir,
              std::vector<std::string>* warnings);
  // Disable (and log) the plugins that fail; never fail startup themselves.
  void RegisterAll();
  void StartAll();
  void StopAll() noexcept;

  std::vector<LoadedPluginInfo> Describe() const;
  // What the running plugins report about themselves (StatsService).
  const PluginStatsRegistry& stats() const { return stats_; }

 private:
  class Context;
  struct Loaded {
    std::string path;  // "" for a built-in plugin
    const PluginDescriptor* descriptor = nullptr;
    Plugin* instance = nullptr;
    std::unique_ptr<PluginConfigImpl> config;
    std::unique_ptr<Context> context;
    bool started = false;
    std::string error;  // why it was disabled; "" while enabled
  };
  void Disable(Loaded& plugin, const Status& why, const char* step);

  ServiceRegistry& registry_;
  LogFn log_;
  std::string root_;
  std::span<const PluginEntryFn> builtins_;
  PluginStatsRegistry stats_;    // before plugins_: contexts refer to it
  std::vector<Loaded> plugins_;  // config order
};

}  // namespace nanotdb::server
