#include "toml_config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "nanotdb/time_util.h"

namespace nanotdb::drip {
namespace {

const char* Expected(ConfigType t) {
  switch (t) {
    case ConfigType::kString:
      return "a string";
    case ConfigType::kInt:
      return "an integer";
    case ConfigType::kBool:
      return "true or false";
    case ConfigType::kDouble:
      return "a number";
    case ConfigType::kDuration:
      return "a duration string like \"10s\", \"1m30s\", \"500ms\"";
    case ConfigType::kStringList:
      return "a list of strings like [\"a\", \"b\"]";
  }
  return "?";
}

const char* TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "a list";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

std::string Where(const std::string& file, const toml::node& n) {
  return file + ":" + std::to_string(n.source().begin.line);
}

// Nullopt when `n` fits `t`, else what is wrong.
std::optional<std::string> CheckType(ConfigType t, const toml::node& n) {
  switch (t) {
    case ConfigType::kString:
      if (n.is_string()) return std::nullopt;
      break;
    case ConfigType::kInt:
      if (n.is_integer()) return std::nullopt;
      break;
    case ConfigType::kBool:
      if (n.is_boolean()) return std::nullopt;
      break;
    case ConfigType::kDouble:
      if (n.is_number()) return std::nullopt;
      break;
    case ConfigType::kDuration:
      if (n.is_string()) {
        Result<int64_t> d = ParseDuration(n.as_string()->get());
        if (d.ok()) return std::nullopt;
        return d.status().message();
      }
      break;
    case ConfigType::kStringList:
      if (const toml::array* a = n.as_array()) {
        if (std::all_of(a->begin(), a->end(), [](const toml::node& e) { return e.is_string(); })) {
          return std::nullopt;
        }
        return std::string("expected ") + Expected(t) + ", got a list with a non-string item";
      }
      break;
  }
  return std::string("expected ") + Expected(t) + ", got " + TypeName(n);
}

}  // namespace

Result<toml::table> ParseToml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.source().begin.line) + ":" +
                                   std::to_string(e.source().begin.column) + ": " +
                                   std::string(e.description()));
  }
}

Result<toml::table> ParseTomlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the file: " + std::strerror(errno));
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseToml(buf.str(), path);
}

Result<std::unique_ptr<TomlPluginConfig>> TomlPluginConfig::Create(
    const toml::table& table, const std::string& file, const std::string& section,
    std::span<const ConfigKey> schema, const std::vector<std::string>& sub_tables,
    std::vector<std::string>* warnings) {
  std::unique_ptr<TomlPluginConfig> cfg(new TomlPluginConfig());
  for (const ConfigKey& key : schema) {
    if (const toml::node* n = table.get(key.name)) {
      if (std::optional<std::string> problem = CheckType(key.type, *n)) {
        return Status::InvalidArgument(Where(file, *n) + ": " + section + "." + key.name + ": " +
                                       *problem);
      }
      cfg->values_.insert_or_assign(key.name, *n);
      continue;
    }
    Result<toml::table> d = ParseToml(std::string("v = ") + key.default_value, "schema");
    if (!d.ok() || d->get("v") == nullptr) {
      return Status::Internal(std::string("schema default of ") + key.name + " is not TOML");
    }
    cfg->values_.insert_or_assign(key.name, *d->get("v"));
  }
  for (const auto& [k, n] : table) {
    std::string name(k.str());
    bool declared = std::any_of(schema.begin(), schema.end(),
                                [&](const ConfigKey& c) { return name == c.name; });
    bool sub =
        n.is_table() && std::find(sub_tables.begin(), sub_tables.end(), name) != sub_tables.end();
    if (sub) {
      cfg->values_.insert_or_assign(name, n);
    } else if (!declared && warnings != nullptr) {
      warnings->push_back(Where(file, n) + ": unknown key " + section + "." + name +
                          " (ignored; see docs/drip.md for the accepted keys)");
    }
  }
  return cfg;
}

std::string TomlPluginConfig::GetString(std::string_view key) const noexcept {
  return values_[key].value_or(std::string());
}
int64_t TomlPluginConfig::GetInt(std::string_view key) const noexcept {
  return values_[key].value_or(int64_t{0});
}
bool TomlPluginConfig::GetBool(std::string_view key) const noexcept {
  return values_[key].value_or(false);
}
double TomlPluginConfig::GetDouble(std::string_view key) const noexcept {
  return values_[key].value_or(0.0);
}
int64_t TomlPluginConfig::GetDuration(std::string_view key) const noexcept {
  std::optional<std::string> s = values_[key].value<std::string>();
  if (!s) return 0;
  Result<int64_t> d = ParseDuration(*s);
  return d.ok() ? *d : 0;
}
std::vector<std::string> TomlPluginConfig::GetStringList(std::string_view key) const noexcept {
  std::vector<std::string> out;
  if (const toml::array* a = values_[key].as_array()) {
    for (const toml::node& e : *a) {
      if (const auto* s = e.as_string()) out.push_back(s->get());
    }
  }
  return out;
}
std::string TomlPluginConfig::GetTableToml(std::string_view key) const noexcept {
  const toml::table* t = values_[key].as_table();
  if (t == nullptr) return {};
  try {
    std::ostringstream os;
    os << *t;
    return os.str();
  } catch (...) {
    return {};
  }
}

}  // namespace nanotdb::drip
