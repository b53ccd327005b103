#include "server/daemon.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>

#include "nanotdb/engine.h"
#include "nanotdb/services/read_accelerator.h"
#include "nanotdb/services/retention_hold.h"
#include "server/core_services.h"
#include "server/dispatcher.h"
#include "server/events_http.h"
#include "server/http_server.h"
#include "server/logging.h"
#include "server/plugin_host.h"
#include "server/registry.h"
#include "server/router.h"
#include "server/scheduler.h"
#include "server/self_stats.h"
#include "storage/manifest.h"

namespace nanotdb::server {
namespace {

Timestamp WallClockNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every database holds descriptors (WAL, data files) and every connection one; the soft limit
// (often 1024) is raised to the hard one so neither runs out first.
void RaiseOpenFilesLimit(const LogFn& log) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
      log(LogLevel::kDebug, "open-files limit raised from " + std::to_string(before) + " to " +
                                std::to_string(limit.rlim_cur));
    }
  }
}

// The names a client on this machine or the LAN may use for it: what Host and Origin of write
// and admin requests may say unless [http] allowed_hosts adds more. No DNS lookups: a name
// server that does not answer must not delay startup.
std::vector<std::string> LocalHostNames() {
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  char hostname[256] = {};
  if (gethostname(hostname, sizeof(hostname) - 1) == 0 && hostname[0] != '\0') {
    std::string h = HostOf(hostname, false);
    names.push_back(h);
    if (h.find('.') == std::string::npos) names.push_back(h + ".local");  // mDNS
  }
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr) continue;
      char text[INET6_ADDRSTRLEN] = {};
      if (i->ifa_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text,
                  sizeof(text));
      } else if (i->ifa_addr->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, text,
                  sizeof(text));
      } else {
        continue;
      }
      names.push_back(HostOf(text, false));
    }
    freeifaddrs(list);
  }
  return names;
}

// Free bytes on the file system of `root`, measured at most once a second (ingest asks on
// every request). Thread-safe.
class FreeSpace {
 public:
  FreeSpace(std::string root, uint64_t floor) : root_(std::move(root)), floor_(floor) {}
  // "" while free space is above the floor, else the 507 message.
  std::string Problem() {
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    if (now - checked_ms_.load(std::memory_order_acquire) >= 1000) {
      struct statvfs fs {};
      if (statvfs(root_.c_str(), &fs) == 0) {
        free_.store(static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize, std::memory_order_release);
      }
      checked_ms_.store(now, std::memory_order_release);
    }
    uint64_t free = free_.load(std::memory_order_acquire);
    if (free >= floor_) return "";
    return "ingest refused: " + std::to_string(free) + " bytes free on the file system of " +
           root_ + ", below [storage] min_free_bytes = " + std::to_string(floor_) +
           "; free space (or lower the floor) and retry, stored data is unaffected";
  }

 private:
  const std::string root_;
  const uint64_t floor_;
  std::atomic<int64_t> checked_ms_{INT64_MIN / 2};
  std::atomic<uint64_t> free_{UINT64_MAX};
};

}  // namespace

struct Daemon::State {
  std::unique_ptr<LogSink> log;
  ManifestSettings manifest_defaults;
  ServiceRegistry registry;
  CoreCounters counters;
  Router router;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<DatabaseLimit> database_limit;  // [storage] max_databases
  std::unique_ptr<EngineWriter> writer;
  std::unique_ptr<EngineQuery> query;
  std::unique_ptr<EngineEvents> events;
  std::unique_ptr<EngineDatabases> databases;
  std::unique_ptr<EnginePartitions> partitions;
  std::unique_ptr<EngineMetadata> metadata;
  std::unique_ptr<SelfStats> stats;
  std::unique_ptr<PluginHost> plugins;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<FreeSpace> free_space;
  std::string last_maintain_error;    // only touched by the scheduler thread
  Scheduler::TaskId maintenance = 0;  // Engine::Maintain, cancelled before plugins stop
  bool running = false;

  void Log(LogLevel level, const std::string& message) {
    if (log) log->Log(level, message);
  }
};

Daemon::Daemon(EngineConfig config, std::span<const PluginEntryFn> builtins)
    : config_(std::move(config)), builtins_(builtins), state_(std::make_unique<State>()) {}

Daemon::~Daemon() { Shutdown(); }

LogSink* Daemon::log() { return state_->log.get(); }

uint16_t Daemon::port() const { return state_->http ? state_->http->port() : 0; }

Status Daemon::Check(std::vector<std::string>* warnings) {
  State& s = *state_;
  NANOTDB_ASSIGN_OR_RETURN(s.log, LogSink::Create(config_.loggers));
  warnings->insert(warnings->end(), config_.warnings.begin(), config_.warnings.end());
  if (const toml::table* defaults = config_.ManifestDefaults()) {
    NANOTDB_RETURN_IF_ERROR(
        ApplyManifestTable(*defaults, config_.path, &s.manifest_defaults, warnings));
  }
  std::string dir = config_.plugins_dir.empty() ? DefaultPluginDir() : config_.plugins_dir;
  s.plugins = std::make_unique<PluginHost>(s.registry, s.log->AsLogFn(), config_.root, builtins_);
  return s.plugins->Load(config_, dir, warnings);
}

Status Daemon::Start() {
  std::vector<std::string> warnings;
  Status checked = Check(&warnings);
  State& s = *state_;
  for (const std::string& warning : warnings) s.Log(LogLevel::kWarning, warning);
  NANOTDB_RETURN_IF_ERROR(checked);
  s.running = true;
  LogFn log = s.log->AsLogFn();
  RaiseOpenFilesLimit(log);

  EngineOptions options;
  options.root = config_.root;
  options.log = log;
  options.durability = config_.durability;
  options.max_future = config_.max_future;
  options.manifest_defaults = s.manifest_defaults;
  options.max_series_per_database = config_.max_series_per_database;
  options.reader_cache_files = config_.reader_cache_files;
  options.reader_cache_bytes = config_.reader_cache_bytes;
  options.idle_close = config_.idle_close;
  options.max_disk_bytes = config_.max_disk_bytes;
  Result<std::unique_ptr<Engine>> engine = Engine::Open(std::move(options));
  if (!engine.ok()) return engine.status().WithContext("cannot open data root " + config_.root);
  s.engine = std::move(engine).value();

  for (std::string& name : LocalHostNames())
    config_.limits.allowed_hosts.push_back(std::move(name));
  s.auth = std::make_unique<Authenticator>(config_.auth);
  s.dispatcher = std::make_unique<Dispatcher>(s.router, *s.auth, config_.limits, log,
                                              s.log->Enabled(LogLevel::kTrace));
  if (config_.min_free_bytes > 0) {
    s.free_space = std::make_unique<FreeSpace>(config_.root, config_.min_free_bytes);
    FreeSpace* free_space = s.free_space.get();
    s.dispatcher->set_write_gate([free_space] { return free_space->Problem(); });
  }
  s.scheduler = std::make_unique<Scheduler>(log);
  s.database_limit = std::make_unique<DatabaseLimit>(*s.engine, config_.max_databases);
  s.writer = std::make_unique<EngineWriter>(*s.engine, s.counters, s.database_limit.get());
  s.query = std::make_unique<EngineQuery>(*s.engine, s.counters);
  s.events = std::make_unique<EngineEvents>(*s.engine, s.database_limit.get());
  s.databases =
      std::make_unique<EngineDatabases>(*s.engine, s.manifest_defaults, s.database_limit.get());
  s.partitions = std::make_unique<EnginePartitions>(*s.engine);
  PluginHost* host = s.plugins.get();
  s.metadata =
      std::make_unique<EngineMetadata>(*s.engine, config_, [host] { return host->Describe(); });
  s.stats = std::make_unique<SelfStats>(s.counters, *s.dispatcher, config_.root);
  s.stats->set_plugin_stats(&host->stats());
  s.stats->set_engine(s.engine.get());
  NANOTDB_RETURN_IF_ERROR(s.registry.Publish<WriterService>(s.writer.get(), "core"));
  NANOTDB_RETURN_IF_ERROR(s.registry.Publish<QueryService>(s.query.get(), "core"));
  NANOTDB_RETURN_IF_ERROR(s.registry.Publish<EventService>(s.events.get(), "core"));
  NANOTDB_RETURN_IF_ERROR(s.registry.Publish<DatabaseService>(s.databases.get(), "core"));
  NANOTDB_RETURN_IF_ERROR(s.registry.Publish<PartitionService>(s.partitions.get(), "core"));
  NANOTDB_RETURN_IF_ERROR(s.registry.Publish<MetadataService>(s.metadata.get(), "core"));
  NANOTDB_RETURN_IF_ERROR(s.registry.Publish<HttpService>(&s.router, "core"));
  NANOTDB_RETURN_IF_ERROR(s.registry.Publish<SchedulerService>(s.scheduler.get(), "core"));

  RouteSpec health;
  health.path = "/health";
  health.methods = {"GET", "POST"};
  health.handler = [](const HttpRequest&, HttpResponse& response) {
    response.body = "{\"status\":\"ok\"}\n";
  };
  NANOTDB_RETURN_IF_ERROR(s.router.AddRoute(std::move(health)));
  RouteSpec metrics;
  metrics.path = "/metrics";
  SelfStats* stats = s.stats.get();
  metrics.handler = [stats](const HttpRequest&, HttpResponse& response) {
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = stats->PrometheusText();
  };
  NANOTDB_RETURN_IF_ERROR(s.router.AddRoute(std::move(metrics)));
  EventRoutesOptions event_routes;
  event_routes.now = [] { return WallClockNow(); };
  for (RouteSpec& route : EventRoutes(*s.events, std::move(event_routes))) {
    NANOTDB_RETURN_IF_ERROR(s.router.AddRoute(std::move(route)));
  }

  s.plugins->RegisterAll();
  s.plugins->StartAll();
  // After StartAll: a plugin that failed has had its services withdrawn.
  s.engine->SetReadAccelerator(s.registry.Get<ReadAccelerator>());

  Engine* eng = s.engine.get();
  State* state = &s;
  // Retention asks the plugin publishing nanotdb.retention-hold (rollup) what raw data it
  // still needs; looked up at each call, so a plugin withdrawn after a failure stops holding.
  ServiceRegistry* registry = &s.registry;
  RetentionHoldFn holds = [registry](std::string_view db) {
    auto* service = registry->Get<RetentionHoldService>();
    return service != nullptr ? service->HoldFor(db) : RetentionHold{};
  };
  s.maintenance = s.scheduler->Every(kSecond, "engine maintenance", [eng, state, holds] {
    Status st = eng->Maintain(holds);
    std::string message = st.ok() ? std::string() : st.ToString();
    if (message != state->last_maintain_error && !message.empty()) {
      state->Log(LogLevel::kWarning, "engine maintenance failed: " + message);
    }
    state->last_maintain_error = message;
  });
  if (config_.stats_enabled) {
    s.scheduler->Every(config_.stats_interval, "self-stats", [eng, state] {
      Status st = state->stats->WriteTo(*eng, WallClockNow());
      if (!st.ok()) state->Log(LogLevel::kWarning, "self-stats not written: " + st.ToString());
    });
  }
  s.scheduler->Start();

  s.http = std::make_unique<HttpServer>(*s.dispatcher, config_, log);
  NANOTDB_RETURN_IF_ERROR(s.http->Start());
  s.Log(LogLevel::kInfo, "nanotdb " + std::string(NanotdbVersion()) + " listening on " +
                             (config_.listen_host.empty() ? "*" : config_.listen_host) + ":" +
                             std::to_string(s.http->port()) + ", root " + config_.root);
  return Status::Ok();
}

void Daemon::Shutdown() {
  State& s = *state_;
  if (!s.running) return;
  s.running = false;
  s.Log(LogLevel::kInfo, "shutting down");
  if (s.http) s.http->Stop();
  if (s.engine) s.engine->SetReadAccelerator(nullptr);  // its plugin is about to stop
  // Maintenance asks the plugins' retention holds: it stops before they do (Close flushes).
  if (s.scheduler && s.maintenance != 0) s.scheduler->Cancel(s.maintenance);
  if (s.plugins) s.plugins->StopAll();
  if (s.scheduler) s.scheduler->Stop();
  if (s.engine) {
    if (s.stats && config_.stats_enabled) {
      Status st = s.stats->WriteTo(*s.engine, WallClockNow());
      if (!st.ok()) s.Log(LogLevel::kWarning, "final self-stats not written: " + st.ToString());
    }
    Status st = s.engine->Close();
    if (!st.ok()) {
      s.Log(LogLevel::kError, "closing the storage engine failed: " + st.ToString());
    } else {
      s.Log(LogLevel::kInfo, "storage flushed and closed");
    }
  }
  s.plugins.reset();
  s.http.reset();
}

}  // namespace nanotdb::server
