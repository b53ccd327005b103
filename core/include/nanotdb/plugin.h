// The plugin ABI: how nanotdb loads a shared-object plugin and how the plugin reaches the core.
//
// A plugin is one .so exporting exactly one C symbol, `nanotdb_plugin_v1`, which returns a
// pointer to a constant PluginDescriptor. The host dlopen()s the file (RTLD_NOW|RTLD_LOCAL),
// checks abi_version, descriptor_size and the toolchain fingerprint against its own and refuses
// a mismatch with an error naming both sides. Nothing may happen at dlopen time (no work in
// static initialisers).
//
// Lifecycle, driven by the host on its main thread:
//   create() → Register(ctx)  publish services; no threads, no I/O
//            → Start(ctx)     look up services, add HTTP routes, start threads
//            → Stop()         join threads (reverse load order; after the HTTP server stopped)
//            → destroy()
// A plugin whose Register or Start fails is disabled (its routes answer 503 naming it, its
// services and scheduled tasks are withdrawn) and logged; the other plugins keep serving.
// No exception may cross this boundary: every virtual below is noexcept. Write the plugin as a
// plain class and let NANOTDB_PLUGIN (end of this file) define the entry point: it generates
// the Plugin implementation whose calls catch everything the class throws and turn it into a
// Status. Services are found by name + version, never by RTTI. Host and plugin must be built
// with the same toolchain and SDK version.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/engine_types.h"  // LogLevel
#include "nanotdb/status.h"

#define NANOTDB_PLUGIN_ABI_VERSION 1u
#define NANOTDB_SDK_VERSION \
  "0.3"  // 0.2: BatchResult.duplicates, QueryService version 2;
         // 0.3: WalSummary.first/last (the inspector's WAL preview)

#define NANOTDB_STRINGIFY_INNER(x) #x
#define NANOTDB_STRINGIFY(x) NANOTDB_STRINGIFY_INNER(x)
// Compiler, C++ library ABI and SDK version. Plugins embed the value they were compiled with.
#if defined(__clang__)
#define NANOTDB_COMPILER_ID "clang-" NANOTDB_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define NANOTDB_COMPILER_ID "gcc-" NANOTDB_STRINGIFY(__GNUC__)
#else
#define NANOTDB_COMPILER_ID "unknown"
#endif
#if defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define NANOTDB_CXXABI_ID "libstdc++-cxx11"
#else
#define NANOTDB_CXXABI_ID "libstdc++-old"
#endif
#define NANOTDB_TOOLCHAIN_FINGERPRINT       \
  NANOTDB_COMPILER_ID "/" NANOTDB_CXXABI_ID \
                      "/cxx" NANOTDB_STRINGIFY(__cplusplus) "/sdk-" NANOTDB_SDK_VERSION

namespace nanotdb {

// ---- configuration schema, declared by the plugin as data ---------------------------------
enum class ConfigType : uint8_t { kString, kInt, kBool, kDouble, kDuration, kStringList };

struct ConfigKey {
  const char* name;  // key inside [plugins.<plugin-name>], e.g. "interval"
  ConfigType type;
  const char* default_value;  // as TOML literal text: "\"metrics\"", "10", "true", "\"10s\"", "[]"
  const char* help;           // one line, shown in the commented engine.toml
};

// The plugin's settings after the core validated [plugins.<name>] against the schema and
// filled defaults. Getters of a declared key never fail; asking for an undeclared key or with
// the wrong type returns the type's zero value.
class PluginConfig {
 public:
  virtual ~PluginConfig() = default;
  virtual std::string GetString(std::string_view key) const noexcept = 0;
  virtual int64_t GetInt(std::string_view key) const noexcept = 0;
  virtual bool GetBool(std::string_view key) const noexcept = 0;
  virtual double GetDouble(std::string_view key) const noexcept = 0;
  virtual int64_t GetDuration(std::string_view key) const noexcept = 0;  // ns
  virtual std::vector<std::string> GetStringList(std::string_view key) const noexcept = 0;
  // Sub-tables of the plugin's section (e.g. [plugins.drip-sources.cpu]) rendered as TOML text,
  // for plugins whose settings are nested; "" when absent.
  virtual std::string GetTableToml(std::string_view key) const noexcept = 0;
};

// What the host gives a plugin. Valid from Register until after Stop returns.
class PluginContext {
 public:
  virtual ~PluginContext() = default;
  // Publishes `service` (owned by the plugin, alive until Stop returns) under name + version.
  virtual Status RegisterService(std::string_view name, uint32_t version,
                                 void* service) noexcept = 0;
  // nullptr when no such service (or version) is registered.
  virtual void* FindService(std::string_view name, uint32_t version) noexcept = 0;
  virtual const PluginConfig& config() const noexcept = 0;
  virtual void Log(LogLevel level, std::string_view message) noexcept = 0;
  virtual const std::string& root() const noexcept = 0;  // data root directory

  // Typed lookup for service interfaces that declare kServiceName / kServiceVersion.
  template <typename T>
  T* Find() noexcept {
    return static_cast<T*>(FindService(T::kServiceName, T::kServiceVersion));
  }
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual Status Register(PluginContext& ctx) noexcept = 0;
  virtual Status Start(PluginContext& ctx) noexcept = 0;
  virtual void Stop() noexcept = 0;
};

struct PluginDescriptor {
  uint32_t abi_version;      // NANOTDB_PLUGIN_ABI_VERSION
  uint32_t descriptor_size;  // sizeof(PluginDescriptor)
  const char* toolchain;     // NANOTDB_TOOLCHAIN_FINGERPRINT
  const char* name;          // "query-vm": matches [plugins.<name>] and nanotdb-<name>.so
  const char* version;       // the plugin's own version
  const char* description;   // one line
  const ConfigKey* config_keys;
  size_t config_key_count;
  Plugin* (*create)() noexcept;
  void (*destroy)(Plugin*) noexcept;
};

}  // namespace nanotdb

// ---- defining a plugin -----------------------------------------------------------------------
//
//   class MyPlugin {
//    public:
//     nanotdb::Status Register(nanotdb::PluginContext& ctx);  // optional
//     nanotdb::Status Start(nanotdb::PluginContext& ctx);
//     void Stop();                                            // optional
//   };
//   const nanotdb::ConfigKey kKeys[] = {{"db", nanotdb::ConfigType::kString, "\"m\"", "..."}};
//   NANOTDB_PLUGIN(MyPlugin, "my-plugin", "1.0.0", "what it does in one line", kKeys)
//
// At namespace scope, once per plugin, outside any namespace (name the class and the key array
// with their qualified names). The key array may be omitted. The class is default-constructed
// by create(); its constructor, Register, Start and Stop may throw: the generated trampolines
// catch every exception and report it as Status::Internal("<call> threw: <what>"), so a
// throwing plugin is disabled, never the daemon aborted.

namespace nanotdb {

// The declared keys of a plugin: an array, or none.
struct ConfigKeyList {
  const ConfigKey* keys = nullptr;
  size_t count = 0;
  constexpr ConfigKeyList() = default;
  template <size_t N>
  constexpr ConfigKeyList(const ConfigKey (&array)[N]) : keys(array), count(N) {}  // NOLINT
};

namespace plugin_detail {

template <typename F>
Status Guard(const char* call, F&& fn) noexcept {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::Internal(std::string(call) + " threw: " + e.what());
  } catch (...) {
    return Status::Internal(std::string(call) + " threw a non-standard exception");
  }
}

// The Plugin the host drives, wrapping the author's class T.
template <typename T>
class Guarded final : public Plugin {
 public:
  Status Register(PluginContext& ctx) noexcept override {
    if constexpr (requires(T & t, PluginContext & c) { t.Register(c); }) {
      return Guard("Register", [&] { return impl_.Register(ctx); });
    } else {
      return Status::Ok();
    }
  }
  Status Start(PluginContext& ctx) noexcept override {
    ctx_ = &ctx;
    return Guard("Start", [&] { return impl_.Start(ctx); });
  }
  void Stop() noexcept override {
    if constexpr (requires(T & t) { t.Stop(); }) {
      Status st = Guard("Stop", [&] {
        impl_.Stop();
        return Status::Ok();
      });
      if (!st.ok() && ctx_ != nullptr) ctx_->Log(LogLevel::kError, st.message());
    }
  }

 private:
  T impl_;
  PluginContext* ctx_ = nullptr;
};

template <typename T>
Plugin* Create() noexcept {
  try {
    return new Guarded<T>();
  } catch (...) {
    return nullptr;  // the host reports "create() returned no instance"
  }
}
inline void Destroy(Plugin* plugin) noexcept { delete plugin; }

}  // namespace plugin_detail
}  // namespace nanotdb

// The entry symbol's name: nanotdb_plugin_v1 in a .so. Builds that compile several plugins into
// one executable (NANOTDB_STATIC_PLUGINS) give each its own name with -DNANOTDB_PLUGIN_ENTRY=.
#ifndef NANOTDB_PLUGIN_ENTRY
#define NANOTDB_PLUGIN_ENTRY nanotdb_plugin_v1
#endif

// The one exported symbol, for a hand-written descriptor (the fixtures that must be malformed
// use it; plugins use NANOTDB_PLUGIN).
#define NANOTDB_EXPORT_PLUGIN(descriptor)                                              \
  extern "C" __attribute__((visibility("default"))) const ::nanotdb::PluginDescriptor* \
  NANOTDB_PLUGIN_ENTRY() {                                                             \
    return &(descriptor);                                                              \
  }

#define NANOTDB_PLUGIN(cls, name, version, description, ...)        \
  namespace {                                                       \
  const ::nanotdb::ConfigKeyList nanotdb_plugin_keys_{__VA_ARGS__}; \
  const ::nanotdb::PluginDescriptor nanotdb_plugin_descriptor_ = {  \
      NANOTDB_PLUGIN_ABI_VERSION,                                   \
      sizeof(::nanotdb::PluginDescriptor),                          \
      NANOTDB_TOOLCHAIN_FINGERPRINT,                                \
      name,                                                         \
      version,                                                      \
      description,                                                  \
      nanotdb_plugin_keys_.keys,                                    \
      nanotdb_plugin_keys_.count,                                   \
      &::nanotdb::plugin_detail::Create<cls>,                       \
      &::nanotdb::plugin_detail::Destroy,                           \
  };                                                                \
  }                                                                 \
  NANOTDB_EXPORT_PLUGIN(nanotdb_plugin_descriptor_)
