// EngineConfig: the daemon's settings, parsed from engine.toml (documented key by key in
// docs/configuration.md; the commented default is etc/engine.toml).
//
// Parsing is pure: it reads text, never the file system. Unknown keys become warnings that
// name file:line and the key; invalid values fail with a message naming the key and the
// accepted values. [manifest_defaults] and [plugins.<name>] are kept as TOML tables: the
// storage engine (ApplyManifestTable) and the plugin loader (against the plugin's declared
// schema) validate them, because only they know their keys.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/engine.h"
#include "nanotdb/options.h"
#include "nanotdb/services/http.h"
#include "nanotdb/status.h"

namespace nanotdb::server {

// "a string", "an integer", ...: what a TOML value is, for error messages.
const char* TomlNodeTypeName(const toml::node& node);

inline constexpr std::string_view kDefaultListen = ":8428";
inline constexpr uint64_t kDefaultMaxBodyBytes = 64ull << 20;

// What one request may cost, checked before a handler runs (docs/security.md lists them).
struct RequestLimits {
  uint64_t max_body_bytes = kDefaultMaxBodyBytes;   // default per route, after decompression
  size_t max_params = 1000;                         // query string and form parameters together
  uint64_t max_inflight_body_bytes = 256ull << 20;  // all requests' bodies held at once
  // Host names (lower case, without port) write and admin requests may name in Host and
  // Origin, besides the machine's own (localhost, loopback, hostname, interface addresses,
  // added by the daemon). "*" turns the check off.
  std::vector<std::string> allowed_hosts;
};

struct LoggerConfig {
  std::string output = "console";  // "console" (stderr) or a file path (appended)
  LogLevel level = LogLevel::kInfo;
};

struct BasicUser {
  std::string name;
  std::string password;
  Role role = Role::kRead;
};

// [auth]: a role with a token (or a basic user of that role or above) requires credentials;
// a role with none is served to loopback clients only, except read, which is then open.
struct AuthConfig {
  std::string read_token;
  std::string write_token;
  std::string admin_token;
  std::vector<BasicUser> users;
};

// One [plugins.<name>] section, in file order. Its keys: EngineConfig::PluginTable(name).
struct PluginSection {
  std::string name;
  bool enabled = true;  // a section without `enabled` enables its plugin
  int line = 0;         // where the section starts in the config file
};

struct EngineConfig {
  std::string path;  // the config file
  std::string root;  // its directory: the data root

  std::string listen = std::string(kDefaultListen);
  std::string listen_host;  // "" = all interfaces
  uint16_t listen_port = 8428;

  RequestLimits limits;  // [http] max_body_bytes, max_params, max_inflight_body_bytes
  // Bounds each wait for request header bytes, the first one included: idle or slow
  // connections give their worker back quickly.
  int64_t header_timeout = 10 * kSecond;
  // Bounds the whole wait for one request's header, however slowly its bytes trickle in
  // (each byte within header_timeout): from the connection's start, or from the previous
  // answer on a keep-alive connection, to the end of the header.
  int64_t header_deadline = 30 * kSecond;
  int64_t read_timeout = 120 * kSecond;  // each wait for body bytes
  // Each open connection holds a server thread (Poco's model), so idle keep-alive connections
  // are closed quickly: a browser's six idle connections must not starve an ingest client.
  int64_t idle_timeout = 5 * kSecond;
  // [http] tls_cert, tls_key: PEM files (relative to the data root); both set = HTTPS only.
  std::string tls_cert;
  std::string tls_key;
  int max_threads = 64;
  int max_queued = 256;                  // accepted connections waiting for a worker
  int max_connections_per_address = 16;  // open connections of one client address

  DurabilityOptions durability;
  // [storage] max_databases: databases plugins and clients may create (0 = no limit).
  size_t max_databases = 1000;
  // [storage] max_series_per_database: series one database may hold; a point that would create
  // one more is rejected (0 = no limit).
  size_t max_series_per_database = 100000;
  // [storage] min_free_bytes: below this much free space on the data root's file system,
  // ingest is refused with 507 (0 = never).
  uint64_t min_free_bytes = 32ull << 20;
  // [storage] reader_cache_files / reader_cache_bytes: data files kept open with their frame
  // index (EngineOptions::reader_cache_files; 0 = none).
  size_t reader_cache_files = 64;
  uint64_t reader_cache_bytes = 8ull << 20;
  // [storage] idle_close: a database without writes for this long closes its files (0 = never).
  int64_t idle_close = 10 * kMinute;
  // [storage] max_disk_bytes: disk budget of the databases' files (0 = none); see
  // EngineOptions::max_disk_bytes.
  uint64_t max_disk_bytes = 0;

  // [ingest] max_future: samples more than this far ahead of the clock are rejected.
  int64_t max_future = 2 * kDay;

  bool stats_enabled = true;
  int64_t stats_interval = 30 * kSecond;

  // [internal_events]: lifecycle events written into the `internal` database (docs/events.md).
  bool internal_events_enabled = true;
  size_t internal_events_queue_depth = 4096;

  std::vector<LoggerConfig> loggers;  // at least one after parsing
  AuthConfig auth;

  std::string plugins_dir;  // "" = <exe dir>/../lib/nanotdb/plugins
  std::vector<PluginSection> plugins;

  std::vector<std::string> warnings;  // "<file>:<line>: unknown key \"http.foo\" (ignored)"
  toml::table document;               // the whole file as parsed, with source lines

  // [manifest_defaults] and [plugins.<name>] as written (nullptr when absent). The nodes
  // belong to `document` and keep their source lines for messages.
  const toml::table* ManifestDefaults() const;
  const toml::table* PluginTable(std::string_view name) const;
};

// Parses engine.toml text. `path` names the file in messages and sets `root` to its directory.
Result<EngineConfig> ParseEngineConfig(std::string_view text, const std::string& path);
// Reads and parses the file; NotFound names the path and suggests --init.
Result<EngineConfig> LoadEngineConfig(const std::string& path);

// Splits "host:port", ":port" or "[v6]:port". InvalidArgument names the text.
Status ParseListenAddress(std::string_view text, std::string* host, uint16_t* port);

const char* LogLevelName(LogLevel level);  // "info", "debug", "trace", "warning", "error"
const char* RoleName(Role role);           // "read", "write", "admin"

// The effective configuration as TOML with every token and password replaced by "<redacted>".
std::string RedactedConfigToml(const EngineConfig& config);

}  // namespace nanotdb::server
