#include "server/config.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "nanotdb/time_util.h"

namespace nanotdb::server {
namespace {

// Reads one table of the config, remembering which keys it consumed so the rest can be
// reported as unknown.
class Section {
 public:
  Section(const std::string& path, const toml::table& table, std::string prefix,
          std::vector<std::string>* warnings)
      : path_(path), table_(table), prefix_(std::move(prefix)), warnings_(warnings) {}

  std::string Dotted(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  std::string Where(const toml::node& node) const {
    return path_ + ":" + std::to_string(node.source().begin.line);
  }

  const toml::node* Find(std::string_view key) {
    known_.emplace_back(key);
    return table_.get(key);
  }

  Status WrongType(std::string_view key, const toml::node& node, const char* want) const {
    return Status::InvalidArgument(Where(node) + ": " + Dotted(key) + " must be " + want +
                                   ", got " + TomlNodeTypeName(node));
  }

  Status String(std::string_view key, std::string* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) return WrongType(key, *node, "a string");
    *out = node->as_string()->get();
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_boolean()) return WrongType(key, *node, "true or false");
    *out = node->as_boolean()->get();
    return Status::Ok();
  }

  Status Int(std::string_view key, int64_t min, int64_t max, int64_t* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_integer()) return WrongType(key, *node, "an integer");
    int64_t v = node->as_integer()->get();
    if (v < min || v > max) {
      return Status::InvalidArgument(Where(*node) + ": invalid " + Dotted(key) + " " +
                                     std::to_string(v) + ": accepted values are " +
                                     std::to_string(min) + " to " + std::to_string(max));
    }
    *out = v;
    return Status::Ok();
  }

  Status Duration(std::string_view key, int64_t min, int64_t* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) {
      return WrongType(key, *node, "a duration string such as \"30s\", \"2m\" or \"1h\"");
    }
    const std::string& text = node->as_string()->get();
    Result<int64_t> d = ParseDuration(text);
    if (!d.ok()) {
      return Status::InvalidArgument(Where(*node) + ": invalid " + Dotted(key) + " \"" + text +
                                     "\": accepted values are durations such as \"30s\", "
                                     "\"2m\", \"1h30m\" (units ns, us, ms, s, m, h, d, w)");
    }
    if (*d < min) {
      return Status::InvalidArgument(Where(*node) + ": invalid " + Dotted(key) + " \"" + text +
                                     "\": must be at least " + FormatDuration(min));
    }
    *out = *d;
    return Status::Ok();
  }

  // A string that must be one of `accepted`; *index receives its position.
  Status Enum(std::string_view key, std::initializer_list<std::string_view> accepted,
              size_t* index) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    std::string list;
    for (std::string_view a : accepted) {
      if (!list.empty()) list += ", ";
      list += "\"" + std::string(a) + "\"";
    }
    if (!node->is_string()) return WrongType(key, *node, ("one of " + list).c_str());
    const std::string& text = node->as_string()->get();
    size_t i = 0;
    for (std::string_view a : accepted) {
      if (text == a) {
        *index = i;
        return Status::Ok();
      }
      ++i;
    }
    return Status::InvalidArgument(Where(*node) + ": invalid " + Dotted(key) + " \"" + text +
                                   "\": accepted values are " + list);
  }

  // Reports every key of the table not read through this Section.
  void WarnUnknown() {
    for (auto&& [k, v] : table_) {
      if (std::find(known_.begin(), known_.end(), k.str()) != known_.end()) continue;
      warnings_->push_back(path_ + ":" + std::to_string(k.source().begin.line) +
                           ": unknown key \"" + Dotted(k.str()) + "\" (ignored)");
    }
  }

  const toml::table& table() const { return table_; }
  const std::string& path() const { return path_; }
  std::vector<std::string>* warnings() const { return warnings_; }

 private:
  const std::string& path_;
  const toml::table& table_;
  std::string prefix_;
  std::vector<std::string>* warnings_;
  std::vector<std::string> known_;
};

// Runs `fn(Section&)` over the sub-table `key` of `parent` when present.
template <typename Fn>
Status WithTable(Section& parent, std::string_view key, Fn fn) {
  const toml::node* node = parent.Find(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_table()) return parent.WrongType(key, *node, "a table");
  Section section(parent.path(), *node->as_table(), parent.Dotted(key), parent.warnings());
  NANOTDB_RETURN_IF_ERROR(fn(section));
  section.WarnUnknown();
  return Status::Ok();
}

Status ParseLevel(Section& s, LogLevel* level) {
  size_t i = 0;
  NANOTDB_RETURN_IF_ERROR(s.Enum("level", {"info", "debug", "trace"}, &i));
  static constexpr LogLevel kLevels[] = {LogLevel::kInfo, LogLevel::kDebug, LogLevel::kTrace};
  *level = kLevels[i];
  return Status::Ok();
}

Status ParseLogging(Section& s, EngineConfig* c) {
  const toml::node* node = s.Find("logger");
  if (node == nullptr) return Status::Ok();
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return s.WrongType("logger", *node, "an array of tables ([[logging.logger]])");
  }
  if (array->empty()) {
    return Status::InvalidArgument(s.Where(*node) +
                                   ": logging.logger needs at least one [[logging.logger]] entry");
  }
  bool console_seen = false;
  for (const toml::node& entry : *array) {
    if (!entry.is_table()) {
      return s.WrongType("logger", entry, "an array of tables ([[logging.logger]])");
    }
    Section ls(s.path(), *entry.as_table(), "logging.logger", s.warnings());
    LoggerConfig logger;
    NANOTDB_RETURN_IF_ERROR(ls.String("output", &logger.output));
    if (logger.output.empty()) {
      return Status::InvalidArgument(ls.Where(entry) +
                                     ": logging.logger.output must be \"console\" or a file path");
    }
    if (logger.output == "console") {
      if (console_seen) {
        return Status::InvalidArgument(ls.Where(entry) +
                                       ": only one logging.logger may have output = \"console\"");
      }
      console_seen = true;
    }
    NANOTDB_RETURN_IF_ERROR(ParseLevel(ls, &logger.level));
    ls.WarnUnknown();
    c->loggers.push_back(std::move(logger));
  }
  return Status::Ok();
}

Status ParseRole(Section& s, Role* role) {
  size_t i = 0;
  NANOTDB_RETURN_IF_ERROR(s.Enum("role", {"read", "write", "admin"}, &i));
  static constexpr Role kRoles[] = {Role::kRead, Role::kWrite, Role::kAdmin};
  *role = kRoles[i];
  return Status::Ok();
}

Status ParseAuth(Section& s, EngineConfig* c) {
  NANOTDB_RETURN_IF_ERROR(s.String("read_token", &c->auth.read_token));
  NANOTDB_RETURN_IF_ERROR(s.String("write_token", &c->auth.write_token));
  NANOTDB_RETURN_IF_ERROR(s.String("admin_token", &c->auth.admin_token));
  const toml::node* node = s.Find("user");
  if (node == nullptr) return Status::Ok();
  const toml::array* array = node->as_array();
  if (array == nullptr) return s.WrongType("user", *node, "an array of tables ([[auth.user]])");
  for (const toml::node& entry : *array) {
    if (!entry.is_table()) {
      return s.WrongType("user", entry, "an array of tables ([[auth.user]])");
    }
    Section us(s.path(), *entry.as_table(), "auth.user", s.warnings());
    BasicUser user;
    NANOTDB_RETURN_IF_ERROR(us.String("name", &user.name));
    NANOTDB_RETURN_IF_ERROR(us.String("password", &user.password));
    NANOTDB_RETURN_IF_ERROR(ParseRole(us, &user.role));
    if (user.name.empty() || user.name.find(':') != std::string::npos || user.password.empty()) {
      return Status::InvalidArgument(us.Where(entry) +
                                     ": auth.user needs a name without ':' and a non-empty "
                                     "password");
    }
    us.WarnUnknown();
    c->auth.users.push_back(std::move(user));
  }
  return Status::Ok();
}

Status ParsePlugins(Section& s, EngineConfig* c) {
  NANOTDB_RETURN_IF_ERROR(s.String("dir", &c->plugins_dir));
  for (auto&& [k, v] : s.table()) {
    if (k.str() == "dir") continue;
    if (!v.is_table()) continue;  // reported as unknown below
    s.Find(k.str());
    PluginSection section;
    section.name = std::string(k.str());
    section.line = static_cast<int>(k.source().begin.line);
    if (const toml::node* enabled = v.as_table()->get("enabled")) {
      if (!enabled->is_boolean()) {
        return Status::InvalidArgument(s.Where(*enabled) + ": plugins." + section.name +
                                       ".enabled must be true or false, got " +
                                       TomlNodeTypeName(*enabled));
      }
      section.enabled = enabled->as_boolean()->get();
    }
    c->plugins.push_back(std::move(section));
  }
  // toml::table iterates in key order; plugins start in the order the file lists them.
  std::stable_sort(c->plugins.begin(), c->plugins.end(),
                   [](const PluginSection& a, const PluginSection& b) { return a.line < b.line; });
  return Status::Ok();
}

Status ParseDocument(const toml::table& doc, EngineConfig* c) {
  Section top(c->path, doc, "", &c->warnings);
  NANOTDB_RETURN_IF_ERROR(WithTable(top, "engine", [&](Section& s) {
    NANOTDB_RETURN_IF_ERROR(s.String("listen", &c->listen));
    if (c->listen.empty()) c->listen = std::string(kDefaultListen);
    Status st = ParseListenAddress(c->listen, &c->listen_host, &c->listen_port);
    if (!st.ok()) {
      const toml::node* node = s.table().get("listen");
      return Status::InvalidArgument(s.Where(*node) + ": invalid engine.listen \"" + c->listen +
                                     "\": accepted values are \"host:port\", \":port\" or "
                                     "\"[ipv6]:port\" with a port from 0 to 65535");
    }
    return Status::Ok();
  }));
  NANOTDB_RETURN_IF_ERROR(WithTable(top, "http", [&](Section& s) {
    int64_t max_body = static_cast<int64_t>(c->limits.max_body_bytes);
    NANOTDB_RETURN_IF_ERROR(s.Int("max_body_bytes", 1024, int64_t{1} << 40, &max_body));
    c->limits.max_body_bytes = static_cast<uint64_t>(max_body);
    int64_t max_params = static_cast<int64_t>(c->limits.max_params);
    NANOTDB_RETURN_IF_ERROR(s.Int("max_params", 16, 1000000, &max_params));
    c->limits.max_params = static_cast<size_t>(max_params);
    int64_t inflight = static_cast<int64_t>(c->limits.max_inflight_body_bytes);
    NANOTDB_RETURN_IF_ERROR(s.Int("max_inflight_body_bytes", 1 << 20, int64_t{1} << 42, &inflight));
    c->limits.max_inflight_body_bytes = static_cast<uint64_t>(inflight);
    if (c->limits.max_inflight_body_bytes < c->limits.max_body_bytes) {
      return Status::InvalidArgument(
          c->path + ": http.max_inflight_body_bytes (" + std::to_string(inflight) +
          ") must be at least http.max_body_bytes (" + std::to_string(max_body) +
          "), or no request of the largest size could ever be served");
    }
    NANOTDB_RETURN_IF_ERROR(s.Duration("header_timeout", kSecond / 10, &c->header_timeout));
    NANOTDB_RETURN_IF_ERROR(s.Duration("header_deadline", kSecond / 10, &c->header_deadline));
    NANOTDB_RETURN_IF_ERROR(s.Duration("read_timeout", kSecond, &c->read_timeout));
    NANOTDB_RETURN_IF_ERROR(s.Duration("idle_timeout", kSecond, &c->idle_timeout));
    NANOTDB_RETURN_IF_ERROR(s.String("tls_cert", &c->tls_cert));
    NANOTDB_RETURN_IF_ERROR(s.String("tls_key", &c->tls_key));
    if (c->tls_cert.empty() != c->tls_key.empty()) {
      return Status::InvalidArgument(c->path +
                                     ": set both http.tls_cert and http.tls_key (PEM files) to "
                                     "serve HTTPS, or neither");
    }
    for (std::string* file : {&c->tls_cert, &c->tls_key}) {
      if (!file->empty() && std::filesystem::path(*file).is_relative()) {
        *file = (std::filesystem::path(c->root) / *file).string();
      }
    }
    if (const toml::node* hosts = s.Find("allowed_hosts")) {
      const toml::array* array = hosts->as_array();
      if (array == nullptr) return s.WrongType("allowed_hosts", *hosts, "an array of strings");
      for (const toml::node& h : *array) {
        if (!h.is_string() || h.as_string()->get().empty()) {
          return s.WrongType("allowed_hosts", h, "an array of non-empty strings");
        }
        std::string name = h.as_string()->get();
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        c->limits.allowed_hosts.push_back(std::move(name));
      }
    }
    int64_t threads = c->max_threads;
    NANOTDB_RETURN_IF_ERROR(s.Int("max_threads", 1, 1024, &threads));
    c->max_threads = static_cast<int>(threads);
    int64_t queued = c->max_queued;
    NANOTDB_RETURN_IF_ERROR(s.Int("max_queued", 1, 65536, &queued));
    c->max_queued = static_cast<int>(queued);
    int64_t per_address = c->max_connections_per_address;
    NANOTDB_RETURN_IF_ERROR(s.Int("max_connections_per_address", 1, 65536, &per_address));
    c->max_connections_per_address = static_cast<int>(per_address);
    return Status::Ok();
  }));
  NANOTDB_RETURN_IF_ERROR(WithTable(top, "wal", [&](Section& s) {
    size_t i = 0;
    NANOTDB_RETURN_IF_ERROR(s.Enum("fsync_policy", {"segment", "always"}, &i));
    c->durability.fsync_policy = i == 0 ? FsyncPolicy::kSegment : FsyncPolicy::kAlways;
    int64_t size = static_cast<int64_t>(c->durability.wal_max_segment_size);
    NANOTDB_RETURN_IF_ERROR(s.Int("max_segment_size", 4096, int64_t{1} << 40, &size));
    c->durability.wal_max_segment_size = static_cast<uint64_t>(size);
    return Status::Ok();
  }));
  NANOTDB_RETURN_IF_ERROR(WithTable(top, "durability", [&](Section& s) {
    size_t i = 0;
    NANOTDB_RETURN_IF_ERROR(s.Enum("profile", {"strict", "balanced", "throughput"}, &i));
    static constexpr DurabilityProfile kProfiles[] = {
        DurabilityProfile::kStrict, DurabilityProfile::kBalanced, DurabilityProfile::kThroughput};
    c->durability.profile = kProfiles[i];
    return Status::Ok();
  }));
  NANOTDB_RETURN_IF_ERROR(WithTable(top, "storage", [&](Section& s) {
    int64_t max = static_cast<int64_t>(c->max_databases);
    NANOTDB_RETURN_IF_ERROR(s.Int("max_databases", 0, 1000000, &max));
    c->max_databases = static_cast<size_t>(max);
    int64_t max_series = static_cast<int64_t>(c->max_series_per_database);
    NANOTDB_RETURN_IF_ERROR(s.Int("max_series_per_database", 0, 1000000, &max_series));
    c->max_series_per_database = static_cast<size_t>(max_series);
    int64_t min_free = static_cast<int64_t>(c->min_free_bytes);
    NANOTDB_RETURN_IF_ERROR(s.Int("min_free_bytes", 0, int64_t{1} << 60, &min_free));
    c->min_free_bytes = static_cast<uint64_t>(min_free);
    int64_t cache_files = static_cast<int64_t>(c->reader_cache_files);
    NANOTDB_RETURN_IF_ERROR(s.Int("reader_cache_files", 0, 65536, &cache_files));
    c->reader_cache_files = static_cast<size_t>(cache_files);
    int64_t cache_bytes = static_cast<int64_t>(c->reader_cache_bytes);
    NANOTDB_RETURN_IF_ERROR(s.Int("reader_cache_bytes", 0, int64_t{1} << 40, &cache_bytes));
    c->reader_cache_bytes = static_cast<uint64_t>(cache_bytes);
    NANOTDB_RETURN_IF_ERROR(s.Duration("idle_close", 0, &c->idle_close));
    int64_t max_disk = static_cast<int64_t>(c->max_disk_bytes);
    NANOTDB_RETURN_IF_ERROR(s.Int("max_disk_bytes", 0, int64_t{1} << 60, &max_disk));
    c->max_disk_bytes = static_cast<uint64_t>(max_disk);
    return Status::Ok();
  }));
  NANOTDB_RETURN_IF_ERROR(WithTable(top, "ingest", [&](Section& s) {
    NANOTDB_RETURN_IF_ERROR(s.Duration("max_future", kSecond, &c->max_future));
    if (c->max_future > 36500 * kDay) {
      return Status::InvalidArgument(c->path + ": invalid ingest.max_future \"" +
                                     FormatDuration(c->max_future) + "\": must be at most 36500d");
    }
    return Status::Ok();
  }));
  NANOTDB_RETURN_IF_ERROR(WithTable(top, "stats", [&](Section& s) {
    NANOTDB_RETURN_IF_ERROR(s.Bool("enabled", &c->stats_enabled));
    return s.Duration("interval", kSecond, &c->stats_interval);
  }));
  NANOTDB_RETURN_IF_ERROR(WithTable(top, "internal_events", [&](Section& s) {
    NANOTDB_RETURN_IF_ERROR(s.Bool("enabled", &c->internal_events_enabled));
    int64_t depth = static_cast<int64_t>(c->internal_events_queue_depth);
    NANOTDB_RETURN_IF_ERROR(s.Int("queue_depth", 16, 1 << 20, &depth));
    c->internal_events_queue_depth = static_cast<size_t>(depth);
    return Status::Ok();
  }));
  NANOTDB_RETURN_IF_ERROR(
      WithTable(top, "logging", [&](Section& s) { return ParseLogging(s, c); }));
  NANOTDB_RETURN_IF_ERROR(WithTable(top, "auth", [&](Section& s) { return ParseAuth(s, c); }));
  if (const toml::node* node = top.Find("manifest_defaults")) {
    if (!node->is_table()) return top.WrongType("manifest_defaults", *node, "a table");
  }
  NANOTDB_RETURN_IF_ERROR(
      WithTable(top, "plugins", [&](Section& s) { return ParsePlugins(s, c); }));
  top.WarnUnknown();
  if (c->loggers.empty()) c->loggers.push_back(LoggerConfig{});
  return Status::Ok();
}

void RedactTable(toml::table& table, const char* key) {
  if (table.contains(key)) table.insert_or_assign(key, "<redacted>");
}

// Plugins' settings may hold credentials for other systems (forward-remote-write's
// bearer_token, basic_auth_password): every string key ending in "token" or "password", at any
// depth, is hidden. Keys naming files ("..._file") stay visible.
void RedactSecrets(toml::node& node) {
  if (toml::table* t = node.as_table()) {
    for (auto&& [k, v] : *t) {
      std::string_view key = k.str();
      if (auto* s = v.as_string(); s && (key.ends_with("token") || key.ends_with("password"))) {
        *s = "<redacted>";
      } else {
        RedactSecrets(v);
      }
    }
  } else if (toml::array* a = node.as_array()) {
    for (toml::node& e : *a) RedactSecrets(e);
  }
}

}  // namespace

const char* TomlNodeTypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
    default:
      return "nothing";
  }
}

const toml::table* EngineConfig::ManifestDefaults() const {
  return document["manifest_defaults"].as_table();
}

const toml::table* EngineConfig::PluginTable(std::string_view name) const {
  return document["plugins"][name].as_table();
}

Status ParseListenAddress(std::string_view text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("listen address \"" + std::string(text) + "\" has no \":port\"");
  }
  std::string_view h = text.substr(0, colon);
  std::string_view p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string_view::npos) {
    return Status::InvalidArgument("listen address \"" + std::string(text) +
                                   "\": write IPv6 hosts in brackets, e.g. \"[::1]:8428\"");
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || value > 65535) {
    return Status::InvalidArgument("listen address \"" + std::string(text) +
                                   "\" has an invalid port (0 to 65535)");
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

Result<EngineConfig> ParseEngineConfig(std::string_view text, const std::string& path) {
  EngineConfig config;
  config.path = path;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  config.root = parent.empty() ? "." : parent.string();
  try {
    config.document = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.source().begin.line) + ":" +
                                   std::to_string(e.source().begin.column) + ": " +
                                   std::string(e.description()));
  }
  NANOTDB_RETURN_IF_ERROR(ParseDocument(config.document, &config));
  return config;
}

Result<EngineConfig> LoadEngineConfig(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(path + " is a directory; --config names the file, e.g. " +
                                   (std::filesystem::path(path) / "engine.toml").string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot read config file " + path +
                            " (create a commented default with: nanotdb --init --config " + path +
                            ")");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseEngineConfig(text.str(), path);
}

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kRead:
      return "read";
    case Role::kWrite:
      return "write";
    case Role::kAdmin:
      return "admin";
  }
  return "read";
}

std::string RedactedConfigToml(const EngineConfig& config) {
  toml::table doc = config.document;
  if (toml::table* auth = doc["auth"].as_table()) {
    RedactTable(*auth, "read_token");
    RedactTable(*auth, "write_token");
    RedactTable(*auth, "admin_token");
    if (toml::array* users = (*auth)["user"].as_array()) {
      for (toml::node& u : *users) {
        if (toml::table* t = u.as_table()) RedactTable(*t, "password");
      }
    }
  }
  if (toml::node* plugins = doc.get("plugins")) RedactSecrets(*plugins);
  std::ostringstream out;
  out << toml::toml_formatter(doc);
  return out.str();
}

}  // namespace nanotdb::server
