// Daemon: one running nanotdb — the startup and shutdown order of DESIGN §3/§6.
//
// Start: loggers → [manifest_defaults] → plugins mapped and configured → engine opened →
// core services published (writer, query, databases, metadata, http, scheduler) → plugins Register,
// then Start (config order) → core routes (/health, /metrics) → timer (Maintain every second,
// self-stats every [stats] interval) → HTTP listening.
// Shutdown: HTTP stopped → engine maintenance stopped (it asks plugins' retention holds) →
// plugins Stop (reverse) → timer stopped → final self-stats →
// engine Close (pages flushed, WALs emptied) → plugins destroyed.
// Driven from the main thread; not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nanotdb/status.h"
#include "server/builtin_plugins.h"
#include "server/config.h"

namespace nanotdb::server {

class LogSink;

class Daemon {
 public:
  // `builtins`: the plugins compiled into the executable (BuiltinPlugins()); the others are
  // loaded from plugins.dir.
  explicit Daemon(EngineConfig config, std::span<const PluginEntryFn> builtins = {});
  ~Daemon();  // Shutdown()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Call Check or Start once, not both.
  // Validates [manifest_defaults] and every enabled plugin (mapped, checked, configured,
  // instance created but neither registered nor started) without opening the engine or
  // listening. Every warning (config, manifest defaults, plugin keys) is appended to
  // *warnings.
  Status Check(std::vector<std::string>* warnings);
  // Starts everything; warnings go to the log. On failure, Shutdown (or the destructor)
  // undoes what started.
  Status Start();
  void Shutdown();
  // Valid after Check or Start succeeded (or failed past logger creation).
  LogSink* log();
  uint16_t port() const;  // the bound HTTP port after Start

 private:
  struct State;
  EngineConfig config_;
  std::span<const PluginEntryFn> builtins_;
  std::unique_ptr<State> state_;
};

}  // namespace nanotdb::server
