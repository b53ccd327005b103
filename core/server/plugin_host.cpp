#include "server/plugin_host.h"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "nanotdb/env.h"
#include "nanotdb/services/http.h"
#include "nanotdb/services/plugin_files.h"
#include "nanotdb/services/scheduler.h"
#include "nanotdb/services/stats.h"
#include "server/dispatcher.h"
#include "server/plugin_files.h"
#include "server/plugin_stats.h"

namespace nanotdb::server {

namespace {

// What a plugin's routes and tasks share with the host: set once when the plugin is disabled.
struct DisableState {
  std::atomic<bool> disabled{false};
  std::string answer;  // the 503 body; written before `disabled` is set
};

// The HttpService a plugin sees: adds its routes to the core's, each guarded so that a disabled
// plugin's code is never entered again.
class PluginHttp final : public HttpService {
 public:
  PluginHttp(HttpService& core, std::shared_ptr<DisableState> state)
      : core_(core), state_(std::move(state)) {}
  Status AddRoute(RouteSpec route) noexcept override {
    try {
      route.handler = [inner = std::move(route.handler), state = state_](const HttpRequest& req,
                                                                         HttpResponse& res) {
        if (state->disabled.load(std::memory_order_acquire)) {
          res.status = 503;
          res.content_type = "application/json";
          res.body = state->answer;
          return;
        }
        inner(req, res);
      };
      return core_.AddRoute(std::move(route));
    } catch (const std::exception& e) {
      return Status::Internal(std::string("cannot add route: ") + e.what());
    }
  }

 private:
  HttpService& core_;
  std::shared_ptr<DisableState> state_;
};

// The SchedulerService a plugin sees: remembers its tasks so a disabled plugin's are cancelled.
class PluginScheduler final : public SchedulerService {
 public:
  explicit PluginScheduler(SchedulerService& core) : core_(core) {}
  TaskId Every(int64_t interval_ns, std::string name, std::function<void()> fn) noexcept override {
    TaskId id = core_.Every(interval_ns, std::move(name), std::move(fn));
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(id);
    return id;
  }
  void Cancel(TaskId id) noexcept override {
    core_.Cancel(id);
    std::lock_guard<std::mutex> lock(mu_);
    std::erase(tasks_, id);
  }
  void CancelAll() noexcept {
    std::vector<TaskId> tasks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks.swap(tasks_);
    }
    for (TaskId id : tasks) core_.Cancel(id);
  }

 private:
  SchedulerService& core_;
  std::mutex mu_;
  std::vector<TaskId> tasks_;  // guarded by mu_
};

}  // namespace

class PluginHost::Context final : public PluginContext {
 public:
  Context(ServiceRegistry& registry, PluginStatsRegistry& stats, const LogFn& log,
          const std::string& root, const PluginDescriptor& descriptor,
          const PluginConfigImpl& config)
      : registry_(registry),
        stats_registry_(stats),
        log_(log),
        root_(root),
        name_(descriptor.name),
        publisher_("plugin " + name_),
        config_(config),
        state_(std::make_shared<DisableState>()) {}

  Status RegisterService(std::string_view name, uint32_t version, void* service) noexcept override {
    return registry_.Register(name, version, service, publisher_);
  }
  void* FindService(std::string_view name, uint32_t version) noexcept override {
    try {
      // Each plugin has its own files service, bound to <root>/.plugins/<name>/.
      if (name == PluginFilesService::kServiceName &&
          version == PluginFilesService::kServiceVersion) {
        std::lock_guard<std::mutex> lock(files_mu_);
        if (!files_) files_ = std::make_unique<PluginFiles>(Env::Default(), root_, name_);
        return static_cast<PluginFilesService*>(files_.get());
      }
      // ... and its own stats service, publishing under its name.
      if (name == StatsService::kServiceName && version == StatsService::kServiceVersion) {
        std::lock_guard<std::mutex> lock(files_mu_);
        if (!stats_) stats_ = std::make_unique<PluginStatsService>(stats_registry_, name_);
        return static_cast<StatsService*>(stats_.get());
      }
      void* service = registry_.Find(name, version);
      if (service == nullptr) return nullptr;
      if (name == HttpService::kServiceName && version == HttpService::kServiceVersion) {
        if (!http_)
          http_ = std::make_unique<PluginHttp>(*static_cast<HttpService*>(service), state_);
        return static_cast<HttpService*>(http_.get());
      }
      if (name == SchedulerService::kServiceName && version == SchedulerService::kServiceVersion) {
        if (!scheduler_) {
          scheduler_ = std::make_unique<PluginScheduler>(*static_cast<SchedulerService*>(service));
        }
        return static_cast<SchedulerService*>(scheduler_.get());
      }
      return service;
    } catch (const std::exception&) {
      return nullptr;
    }
  }
  const PluginConfig& config() const noexcept override { return config_; }
  void Log(LogLevel level, std::string_view message) noexcept override {
    if (log_) log_(level, name_ + ": " + std::string(message));
  }
  const std::string& root() const noexcept override { return root_; }

  // Withdraws what the plugin published and scheduled; its routes answer 503 with `message`.
  void Disable(const std::string& message) {
    state_->answer = ErrorEnvelope("unavailable", message);
    state_->disabled.store(true, std::memory_order_release);
    registry_.Withdraw(publisher_);
    if (scheduler_) scheduler_->CancelAll();
    stats_registry_.Remove(name_);
  }

 private:
  ServiceRegistry& registry_;
  PluginStatsRegistry& stats_registry_;
  const LogFn& log_;
  const std::string& root_;
  std::string name_;
  std::string publisher_;
  const PluginConfigImpl& config_;
  std::shared_ptr<DisableState> state_;
  std::unique_ptr<PluginHttp> http_;  // created on first lookup, on the main thread
  std::unique_ptr<PluginScheduler> scheduler_;
  std::mutex files_mu_;  // guards files_ and stats_: plugins may look them up from any thread
  std::unique_ptr<PluginFiles> files_;
  std::unique_ptr<PluginStatsService> stats_;
};

Result<const PluginDescriptor*> OpenPluginLibrary(const std::string& path) {
  // RTLD_LOCAL keeps a plugin's symbols to itself; RTLD_NOW reports a missing symbol now, with
  // the plugin's name, rather than as a crash at first call.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::IOError("plugin " + path + ": cannot load: " + (why ? why : "unknown error"));
  }
  using EntryFn = const PluginDescriptor* (*)();
  dlerror();
  void* symbol = dlsym(handle, "nanotdb_plugin_v1");
  if (symbol == nullptr) {
    return Status::InvalidArgument("plugin " + path +
                                   ": no entry symbol nanotdb_plugin_v1 (not a nanotdb plugin, "
                                   "or built without NANOTDB_EXPORT_PLUGIN)");
  }
  return CheckPluginDescriptor(reinterpret_cast<EntryFn>(symbol)(), "plugin " + path);
}

Result<const PluginDescriptor*> CheckPluginDescriptor(const PluginDescriptor* d,
                                                      const std::string& origin) {
  if (d == nullptr) {
    return Status::InvalidArgument(origin + ": nanotdb_plugin_v1 returned no descriptor");
  }
  // abi_version first: with another ABI, nothing after it can be trusted.
  if (d->abi_version != NANOTDB_PLUGIN_ABI_VERSION) {
    return Status::InvalidArgument(
        origin + ": built for plugin ABI version " + std::to_string(d->abi_version) +
        " but this nanotdb speaks ABI version " + std::to_string(NANOTDB_PLUGIN_ABI_VERSION) +
        " (rebuild the plugin against this nanotdb's SDK)");
  }
  if (d->descriptor_size != sizeof(PluginDescriptor)) {
    return Status::InvalidArgument(
        origin + ": descriptor is " + std::to_string(d->descriptor_size) +
        " bytes but this nanotdb expects " + std::to_string(sizeof(PluginDescriptor)) +
        " (rebuild the plugin against this nanotdb's SDK)");
  }
  const char* toolchain = d->toolchain != nullptr ? d->toolchain : "(none)";
  if (std::strcmp(toolchain, NANOTDB_TOOLCHAIN_FINGERPRINT) != 0) {
    return Status::InvalidArgument(origin + ": built with " + toolchain +
                                   " but this nanotdb is " NANOTDB_TOOLCHAIN_FINGERPRINT
                                   " (rebuild the plugin with the same compiler and SDK)");
  }
  if (d->name == nullptr || d->name[0] == '\0' || d->version == nullptr || d->create == nullptr ||
      d->destroy == nullptr || (d->config_key_count > 0 && d->config_keys == nullptr)) {
    return Status::InvalidArgument(origin +
                                   ": descriptor lacks a name, version, create or destroy");
  }
  return d;
}

std::string DefaultPluginDir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path prefix = ec ? std::filesystem::path(".") : exe.parent_path() / "..";
  // The build tree and most prefixes use lib/; Debian installs under /usr put libraries in
  // lib/<multiarch>/ (CMAKE_INSTALL_LIBDIR).
  std::filesystem::path build_tree = (prefix / "lib/nanotdb/plugins").lexically_normal();
  std::filesystem::path installed =
      (prefix / NANOTDB_INSTALL_LIBDIR / "nanotdb/plugins").lexically_normal();
  if (!std::filesystem::is_directory(build_tree, ec) &&
      std::filesystem::is_directory(installed, ec)) {
    return installed.string();
  }
  return build_tree.string();
}

const PluginDescriptor* FindBuiltinPlugin(std::span<const PluginEntryFn> builtins,
                                          std::string_view name) {
  for (PluginEntryFn entry : builtins) {
    const PluginDescriptor* d = entry();
    if (d != nullptr && d->name != nullptr && name == d->name) return d;
  }
  return nullptr;
}

PluginHost::PluginHost(ServiceRegistry& registry, LogFn log, std::string root,
                       std::span<const PluginEntryFn> builtins)
    : registry_(registry), log_(std::move(log)), root_(std::move(root)), builtins_(builtins) {}

PluginHost::~PluginHost() {
  StopAll();
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    if (it->instance != nullptr) it->descriptor->destroy(it->instance);
    it->instance = nullptr;
  }
}

Status PluginHost::Load(const EngineConfig& config, const std::string& dir,
                        std::vector<std::string>* warnings) {
  for (const PluginSection& section : config.plugins) {
    if (!section.enabled) continue;
    std::string path;
    const PluginDescriptor* descriptor = nullptr;
    if (const PluginDescriptor* builtin = FindBuiltinPlugin(builtins_, section.name)) {
      NANOTDB_ASSIGN_OR_RETURN(descriptor,
                               CheckPluginDescriptor(builtin, "built-in plugin " + section.name));
    } else {
      path = (std::filesystem::path(dir) / ("nanotdb-" + section.name + ".so")).string();
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        return Status::NotFound("plugin " + section.name + " is enabled in " + config.path + ":" +
                                std::to_string(section.line) + " but " + path +
                                " does not exist (build it, set plugins.dir, or set enabled = "
                                "false)");
      }
      NANOTDB_ASSIGN_OR_RETURN(descriptor, OpenPluginLibrary(path));
    }
    if (section.name != descriptor->name) {  // only a file can be misnamed
      return Status::InvalidArgument("plugin " + path + " calls itself \"" + descriptor->name +
                                     "\" but is configured as [plugins." + section.name +
                                     "] (rename the file or the section)");
    }
    Loaded loaded;
    loaded.path = path;
    loaded.descriptor = descriptor;
    NANOTDB_ASSIGN_OR_RETURN(loaded.config,
                             PluginConfigImpl::Build(*descriptor, config.PluginTable(section.name),
                                                     config.path, warnings));
    loaded.instance = descriptor->create();
    if (loaded.instance == nullptr) {
      return Status::Internal("plugin " + section.name + " (" + (path.empty() ? "built in" : path) +
                              "): create() returned no instance");
    }
    loaded.context =
        std::make_unique<Context>(registry_, stats_, log_, root_, *descriptor, *loaded.config);
    plugins_.push_back(std::move(loaded));
  }
  return Status::Ok();
}

void PluginHost::Disable(Loaded& p, const Status& why, const char* step) {
  p.error = "failed to " + std::string(step) + ": " + why.message();
  std::string message = "plugin " + std::string(p.descriptor->name) + " " + p.error +
                        "; it is disabled, the other plugins keep running";
  p.context->Disable(message);
  if (log_) log_(LogLevel::kError, message);
}

void PluginHost::RegisterAll() {
  for (Loaded& p : plugins_) {
    Status st = p.instance->Register(*p.context);
    if (!st.ok()) Disable(p, st, "register");
  }
}

void PluginHost::StartAll() {
  for (Loaded& p : plugins_) {
    if (!p.error.empty()) continue;
    Status st = p.instance->Start(*p.context);
    if (!st.ok()) {
      // Whatever Start began before failing (threads, open files) is undone by Stop.
      p.instance->Stop();
      Disable(p, st, "start");
      continue;
    }
    p.started = true;
    if (log_) {
      log_(LogLevel::kInfo, "plugin " + std::string(p.descriptor->name) + " " +
                                p.descriptor->version + " started (" +
                                (p.path.empty() ? "built in" : p.path) + ")");
    }
  }
}

void PluginHost::StopAll() noexcept {
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    if (!it->started) continue;
    stats_.Remove(it->descriptor->name);  // no collector runs into a stopping plugin
    it->instance->Stop();
    it->started = false;
    if (log_) log_(LogLevel::kDebug, "plugin " + std::string(it->descriptor->name) + " stopped");
  }
}

std::vector<LoadedPluginInfo> PluginHost::Describe() const {
  std::vector<LoadedPluginInfo> out;
  for (const Loaded& p : plugins_) {
    out.push_back(LoadedPluginInfo{p.descriptor->name, p.descriptor->version, p.path,
                                   p.descriptor->description ? p.descriptor->description : "",
                                   p.error});
  }
  return out;
}

}  // namespace nanotdb::server
