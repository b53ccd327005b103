#include "server/plugin_host.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace nanotdb::server {

class PluginHost::Context final : public PluginContext {
 public:
  Context(ServiceRegistry& registry, const LogFn& log, const std::string& root,
          const PluginDescriptor& descriptor, const PluginConfigImpl& config)
      : registry_(registry),
        log_(log),
        root_(root),
        name_(descriptor.name),
        publisher_("plugin " + name_),
        config_(config) {}

  Status RegisterService(std::string_view name, uint32_t version, void* service) noexcept override {
    return registry_.Register(name, version, service, publisher_);
  }
  void* FindService(std::string_view name, uint32_t version) noexcept override {
    return registry_.Find(name, version);
  }
  const PluginConfig& config() const noexcept override { return config_; }
  void Log(LogLevel level, std::string_view message) noexcept override {
    if (log_) log_(level, name_ + ": " + std::string(message));
  }
  const std::string& root() const noexcept override { return root_; }

 private:
  ServiceRegistry& registry_;
  const LogFn& log_;
  const std::string& root_;
  std::string name_;
  std::string publisher_;
  const PluginConfigImpl& config_;
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
  const PluginDescriptor* d = reinterpret_cast<EntryFn>(symbol)();
  if (d == nullptr) {
    return Status::InvalidArgument("plugin " + path + ": nanotdb_plugin_v1 returned no descriptor");
  }
  // abi_version first: with another ABI, nothing after it can be trusted.
  if (d->abi_version != NANOTDB_PLUGIN_ABI_VERSION) {
    return Status::InvalidArgument(
        "plugin " + path + ": built for plugin ABI version " + std::to_string(d->abi_version) +
        " but this nanotdb speaks ABI version " + std::to_string(NANOTDB_PLUGIN_ABI_VERSION) +
        " (rebuild the plugin against this nanotdb's SDK)");
  }
  if (d->descriptor_size != sizeof(PluginDescriptor)) {
    return Status::InvalidArgument(
        "plugin " + path + ": descriptor is " + std::to_string(d->descriptor_size) +
        " bytes but this nanotdb expects " + std::to_string(sizeof(PluginDescriptor)) +
        " (rebuild the plugin against this nanotdb's SDK)");
  }
  const char* toolchain = d->toolchain != nullptr ? d->toolchain : "(none)";
  if (std::strcmp(toolchain, NANOTDB_TOOLCHAIN_FINGERPRINT) != 0) {
    return Status::InvalidArgument("plugin " + path + ": built with " + toolchain +
                                   " but this nanotdb is " NANOTDB_TOOLCHAIN_FINGERPRINT
                                   " (rebuild the plugin with the same compiler and SDK)");
  }
  if (d->name == nullptr || d->name[0] == '\0' || d->version == nullptr || d->create == nullptr ||
      d->destroy == nullptr || (d->config_key_count > 0 && d->config_keys == nullptr)) {
    return Status::InvalidArgument("plugin " + path +
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

PluginHost::PluginHost(ServiceRegistry& registry, LogFn log, std::string root)
    : registry_(registry), log_(std::move(log)), root_(std::move(root)) {}

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
    std::string path = (std::filesystem::path(dir) / ("nanotdb-" + section.name + ".so")).string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return Status::NotFound("plugin " + section.name + " is enabled in " + config.path + ":" +
                              std::to_string(section.line) + " but " + path +
                              " does not exist (build it, set plugins.dir, or set enabled = "
                              "false)");
    }
    NANOTDB_ASSIGN_OR_RETURN(const PluginDescriptor* descriptor, OpenPluginLibrary(path));
    if (section.name != descriptor->name) {
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
      return Status::Internal("plugin " + section.name + " (" + path +
                              "): create() returned no instance");
    }
    loaded.context = std::make_unique<Context>(registry_, log_, root_, *descriptor, *loaded.config);
    plugins_.push_back(std::move(loaded));
  }
  return Status::Ok();
}

Status PluginHost::RegisterAll() {
  for (Loaded& p : plugins_) {
    Status st = p.instance->Register(*p.context);
    if (!st.ok()) {
      return st.WithContext("plugin " + std::string(p.descriptor->name) + " failed to register");
    }
  }
  return Status::Ok();
}

Status PluginHost::StartAll() {
  for (Loaded& p : plugins_) {
    Status st = p.instance->Start(*p.context);
    if (!st.ok()) {
      return st.WithContext("plugin " + std::string(p.descriptor->name) + " failed to start");
    }
    p.started = true;
    if (log_) {
      log_(LogLevel::kInfo, "plugin " + std::string(p.descriptor->name) + " " +
                                p.descriptor->version + " started (" + p.path + ")");
    }
  }
  return Status::Ok();
}

void PluginHost::StopAll() noexcept {
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    if (!it->started) continue;
    it->instance->Stop();
    it->started = false;
    if (log_) log_(LogLevel::kDebug, "plugin " + std::string(it->descriptor->name) + " stopped");
  }
}

std::vector<LoadedPluginInfo> PluginHost::Describe() const {
  std::vector<LoadedPluginInfo> out;
  for (const Loaded& p : plugins_) {
    out.push_back(LoadedPluginInfo{p.descriptor->name, p.descriptor->version, p.path,
                                   p.descriptor->description ? p.descriptor->description : ""});
  }
  return out;
}

}  // namespace nanotdb::server
