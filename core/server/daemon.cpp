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

#include "base/json_object.h"
#include "nanotdb/engine.h"
#include "nanotdb/services/metadata.h"
#include "nanotdb/services/read_accelerator.h"
#include "nanotdb/services/retention_hold.h"
#include "nanotdb/time_util.h"
#include "server/core_services.h"
#include "server/dispatcher.h"
#include "server/events_http.h"
#include "server/http_server.h"
#include "server/internal_events.h"
#include "server/json_scan.h"
#include "server/logging.h"
#include "server/plugin_host.h"
#include "server/registry.h"
#include "server/router.h"
#include "server/scheduler.h"
#include "server/self_stats.h"
#include "storage/filenames.h"
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

int64_t MonotonicNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// <root>/.running says a daemon runs on this root: written at start, removed after a clean
// shutdown. Found at start, it means the last run ended without one (kill -9, power loss,
// crash); its text (pid, start time, version) goes into nanotdb.shutdown.dirty.
std::string RunMarkerText(Timestamp started) {
  return JsonObject()
             .Int("pid", getpid())
             .Str("started", FormatRfc3339(started))
             .Str("version", NanotdbVersion())
             .str() +
         "\n";
}

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
  std::unique_ptr<InternalEvents> internal_events;
  bool run_marker_written = false;
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
  const Timestamp start_ts = WallClockNow();

  InternalEventsOptions ie;
  ie.enabled = config_.internal_events_enabled;
  ie.queue_depth = config_.internal_events_queue_depth;
  ie.log = log;
  ie.now = [] { return WallClockNow(); };
  ie.mono = [] { return MonotonicNow(); };
  s.internal_events = std::make_unique<InternalEvents>(std::move(ie));
  InternalEvents* internal_events = s.internal_events.get();

  EngineOptions options;
  options.root = config_.root;
  options.log = log;
  if (config_.internal_events_enabled) {
    options.notice = [internal_events](EngineNotice n) { internal_events->Notice(std::move(n)); };
  }
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
  // Under the root lock Engine::Open took: no other daemon writes the marker meanwhile.
  Env* env = Env::Default();
  const std::string marker = RunMarkerPath(config_.root);
  if (env->FileExists(marker)) {
    std::string previous;
    (void)env->ReadFileToString(marker, &previous);
    while (!previous.empty() && (previous.back() == '\n' || previous.back() == ' '))
      previous.pop_back();
    if (!ParseJson(previous).ok()) previous = "null";  // a torn marker: the fact stands
    s.Log(LogLevel::kWarning,
          "the previous run on " + config_.root +
              " did not shut down cleanly (kill -9, power loss or crash); recorded as "
              "nanotdb.shutdown.dirty in database \"internal\"");
    Event dirty;
    dirty.name = "nanotdb.shutdown.dirty";
    dirty.ts = start_ts;
    dirty.payload = JsonObject().Raw("previous", previous).str();
    internal_events->Emit(std::move(dirty));
  }
  NANOTDB_RETURN_IF_ERROR(WriteFileAtomically(env, marker, RunMarkerText(start_ts)));
  s.run_marker_written = true;

  for (std::string& name : LocalHostNames())
    config_.limits.allowed_hosts.push_back(std::move(name));
  s.auth = std::make_unique<Authenticator>(config_.auth);
  s.dispatcher = std::make_unique<Dispatcher>(s.router, *s.auth, config_.limits, log,
                                              s.log->Enabled(LogLevel::kTrace));
  if (config_.min_free_bytes > 0) {
    s.free_space = std::make_unique<FreeSpace>(config_.root, config_.min_free_bytes);
    FreeSpace* free_space = s.free_space.get();
    s.dispatcher->set_write_gate([free_space, internal_events] {
      std::string problem = free_space->Problem();
      if (!problem.empty()) internal_events->DiskRefusal(problem);
      return problem;
    });
  }
  s.dispatcher->set_auth_failure(
      [internal_events](const HttpRequest& request, int status, std::string_view reason) {
        internal_events->AuthFailure(HostOf(request.remote_addr, false), request.method,
                                     request.path, status, reason);
      });
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
  NANOTDB_RETURN_IF_ERROR(s.registry.Publish<InternalEventService>(internal_events, "core"));

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
  if (config_.internal_events_enabled) {
    s.scheduler->Every(kSecond, "internal events",
                       [eng, internal_events] { internal_events->Drain(*eng); });
  }
  s.scheduler->Start();

  s.http = std::make_unique<HttpServer>(*s.dispatcher, config_, log);
  NANOTDB_RETURN_IF_ERROR(s.http->Start());
  std::vector<std::string> running, failed;
  for (const LoadedPluginInfo& p : host->Describe()) {
    (p.error.empty() ? running : failed).push_back(p.name);
  }
  internal_events->Emit("nanotdb.started", std::nullopt,
                        JsonObject()
                            .Str("version", NanotdbVersion())
                            .Int("pid", getpid())
                            .Str("root", config_.root)
                            .Int("port", s.http->port())
                            .Raw("plugins", JsonStringArray(running))
                            .Raw("plugins_failed", JsonStringArray(failed))
                            .Uint("databases", s.engine->ListDatabases(false).size())
                            .Int("startup_ms", (WallClockNow() - start_ts) / 1000000)
                            .str());
  // Stored now rather than at the next tick: a daemon killed within its first second still
  // leaves its start (and a dirty shutdown found before it) behind.
  if (config_.internal_events_enabled) internal_events->Drain(*s.engine);
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
  if (s.engine && s.internal_events && s.run_marker_written) {
    // Flushed first, so the event's value says how long storing the pages took; `internal`
    // is flushed again by Close with the event in it.
    const int64_t flush_start = MonotonicNow();
    Status flushed = s.engine->Flush();
    if (flushed.ok()) {
      s.internal_events->Emit(
          "nanotdb.shutdown.clean", Value::Int64((MonotonicNow() - flush_start) / 1000000),
          JsonObject()
              .Uint("databases", s.engine->ListDatabases(false).size())
              .Uint("internal_events_dropped", s.internal_events->dropped_total())
              .str());
    }
    s.internal_events->Drain(*s.engine);
  }
  if (s.engine) {
    if (s.stats && config_.stats_enabled) {
      Status st = s.stats->WriteTo(*s.engine, WallClockNow());
      if (!st.ok()) s.Log(LogLevel::kWarning, "final self-stats not written: " + st.ToString());
    }
    Status st = s.engine->Close();
    if (!st.ok()) {
      s.Log(LogLevel::kError, "closing the storage engine failed: " + st.ToString());
    } else {
      if (s.run_marker_written) {
        Status removed = Env::Default()->RemoveFile(RunMarkerPath(config_.root));
        if (!removed.ok()) {
          s.Log(LogLevel::kWarning, "cannot remove the run marker: " + removed.ToString());
        }
      }
      s.Log(LogLevel::kInfo, "storage flushed and closed");
    }
  }
  s.plugins.reset();
  s.http.reset();
}

}  // namespace nanotdb::server
