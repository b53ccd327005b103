#include "cli_common.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "accelerator.h"
#include "server/config.h"
#include "storage/manifest.h"

namespace nanotdb::cli {

void PrintCommandHelp(const CommandSpec& spec, std::ostream& out) {
  out << "usage: nanocli " << spec.synopsis << "\n\n" << spec.summary << "\n";
  if (!spec.details.empty()) out << "\n" << spec.details << "\n";
  if (spec.flags.empty()) return;
  out << "\nflags:\n";
  size_t width = 0;
  std::vector<std::string> heads;
  for (const FlagSpec& f : spec.flags) {
    std::string head = "--" + f.name;
    if (!f.value_name.empty()) head += " " + f.value_name;
    width = std::max(width, head.size());
    heads.push_back(std::move(head));
  }
  heads.push_back("--help");
  width = std::max(width, heads.back().size());
  for (size_t i = 0; i < heads.size(); ++i) {
    const std::string& help = i < spec.flags.size() ? spec.flags[i].help : "print this help";
    out << "  " << heads[i] << std::string(width - heads[i].size() + 2, ' ') << help << "\n";
  }
}

std::string Flags::Get(std::string_view name, std::string_view fallback) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? std::string(fallback) : it->second;
}

bool Flags::GetBool(std::string_view name) const {
  auto it = values_.find(std::string(name));
  return it != values_.end() && it->second != "false";
}

std::optional<int> ParseFlags(const CommandSpec& spec, std::span<const std::string> args,
                              Flags* flags) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h" || a == "-help") {
      PrintCommandHelp(spec, std::cout);
      return kExitOk;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      for (++i; i < args.size(); ++i) flags->positional_.push_back(args[i]);
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      flags->positional_.push_back(a);
      continue;
    }
    std::string_view body = std::string_view(a).substr(a[1] == '-' ? 2 : 1);
    std::optional<std::string> inline_value;
    if (size_t eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    auto spec_it = std::find_if(spec.flags.begin(), spec.flags.end(),
                                [&](const FlagSpec& f) { return f.name == body; });
    if (spec_it == spec.flags.end()) {
      return UsageError(spec, "unknown flag \"" + a + "\"");
    }
    std::string value;
    if (spec_it->value_name.empty()) {
      value = inline_value.value_or("true");
      if (value != "true" && value != "false") {
        return UsageError(
            spec, "flag --" + spec_it->name + " takes true or false, got \"" + value + "\"");
      }
    } else if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return UsageError(spec,
                        "flag --" + spec_it->name + " needs a value (" + spec_it->value_name + ")");
    }
    flags->values_[spec_it->name] = std::move(value);
  }
  if (flags->positional_.size() > spec.max_positional) {
    return UsageError(spec,
                      "unexpected argument \"" + flags->positional_[spec.max_positional] + "\"");
  }
  return std::nullopt;
}

int UsageError(const CommandSpec& spec, std::string_view message) {
  std::cerr << "error: " << message << "\nusage: nanocli " << spec.synopsis << "\nrun 'nanocli "
            << spec.name << " --help' for details\n";
  return kExitUsage;
}

int Fail(std::string_view message) {
  std::cerr << "error: " << message << "\n";
  return kExitFailed;
}

Result<std::string> RequireRoot(const Flags& flags) {
  std::string root = flags.Get("root");
  if (root.empty()) {
    return Status::InvalidArgument("--root DIR is required (the data root of a nanotdb server)");
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return Status::InvalidArgument("data root \"" + root +
                                   "\" is not an existing directory; check --root");
  }
  return root;
}

Result<std::string> RequireDatabase(const Flags& flags) {
  if (!flags.Has("db")) return Status::InvalidArgument("--db NAME is required");
  std::string db = flags.Get("db");
  NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(db).WithContext("--db"));
  return db;
}

Status CheckDatabaseExists(const Engine& engine, const std::string& db) {
  if (engine.DatabaseExists(db)) return Status::Ok();
  std::string known;
  for (const std::string& name : engine.ListDatabases(true)) {
    known += known.empty() ? "" : ", ";
    known += name;
  }
  return Status::NotFound(
      "database \"" + db + "\" not found under " + engine.root() +
      (known.empty() ? " (the root holds no database yet)" : " (databases: " + known + ")"));
}

Result<std::unique_ptr<Engine>> OpenEngine(const std::string& root, OpenMode mode) {
  EngineOptions options;
  options.root = root;
  options.read_only = mode.read_only;
  options.bulk_load = mode.bulk_load;
  options.log = [](LogLevel level, std::string_view msg) {
    if (level == LogLevel::kWarning) {
      std::cerr << "warning: " << msg << "\n";
    } else if (level == LogLevel::kError) {
      std::cerr << "error: " << msg << "\n";
    }
  };
  // The server's settings apply offline too: [wal]/[durability] and [manifest_defaults] (for
  // databases an import creates). Without engine.toml the built-in defaults are used.
  std::string config_path = (std::filesystem::path(root) / "engine.toml").string();
  std::error_code ec;
  if (std::filesystem::exists(config_path, ec)) {
    NANOTDB_ASSIGN_OR_RETURN(server::EngineConfig config, server::LoadEngineConfig(config_path));
    std::vector<std::string> warnings = config.warnings;
    options.durability = config.durability;
    if (const toml::table* defaults = config.ManifestDefaults()) {
      NANOTDB_RETURN_IF_ERROR(
          ApplyManifestTable(*defaults, config_path, &options.manifest_defaults, &warnings));
    }
    for (const std::string& w : warnings) options.log(LogLevel::kWarning, w);
  }
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(std::move(options)));
  // nanocli reads metric files whatever engine.toml enables: the data they hold stays readable
  // offline with the plugin off (docs/metricfiles.md).
  static metricfiles::MetricFileAccelerator accelerator;
  engine->SetReadAccelerator(&accelerator);
  return engine;
}

Timestamp NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace nanotdb::cli
