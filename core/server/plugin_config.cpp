#include "server/plugin_config.h"

#include <sstream>

#include "nanotdb/time_util.h"
#include "server/config.h"

namespace nanotdb::server {
namespace {

const char* Expected(ConfigType type) {
  switch (type) {
    case ConfigType::kString:
      return "a string";
    case ConfigType::kInt:
      return "an integer";
    case ConfigType::kBool:
      return "true or false";
    case ConfigType::kDouble:
      return "a number";
    case ConfigType::kDuration:
      return "a duration string such as \"10s\" or \"5m\"";
    case ConfigType::kStringList:
      return "an array of strings";
  }
  return "a value";
}

std::string Render(const toml::table& table) {
  std::ostringstream out;
  out << toml::toml_formatter(table);
  return out.str();
}

bool IsArrayOfTables(const toml::node& node) {
  const toml::array* array = node.as_array();
  return array != nullptr && !array->empty() && array->is_array_of_tables();
}

}  // namespace

Result<std::unique_ptr<PluginConfigImpl>> PluginConfigImpl::Build(
    const PluginDescriptor& descriptor, const toml::table* section, const std::string& config_path,
    std::vector<std::string>* warnings) {
  std::unique_ptr<PluginConfigImpl> config(new PluginConfigImpl());
  const std::string plugin = descriptor.name;
  const std::string prefix = "plugins." + plugin + ".";

  // Converts `node` to the declared type; false when the type does not fit.
  auto convert = [](const toml::node& node, ConfigType type, ConfigValue* out) -> bool {
    switch (type) {
      case ConfigType::kString:
        if (!node.is_string()) return false;
        *out = node.as_string()->get();
        return true;
      case ConfigType::kInt:
        if (!node.is_integer()) return false;
        *out = node.as_integer()->get();
        return true;
      case ConfigType::kBool:
        if (!node.is_boolean()) return false;
        *out = node.as_boolean()->get();
        return true;
      case ConfigType::kDouble:
        if (node.is_integer()) {
          *out = static_cast<double>(node.as_integer()->get());
          return true;
        }
        if (!node.is_floating_point()) return false;
        *out = node.as_floating_point()->get();
        return true;
      case ConfigType::kDuration: {
        if (!node.is_string()) return false;
        Result<int64_t> ns = ParseDuration(node.as_string()->get());
        if (!ns.ok()) return false;
        *out = DurationNs{*ns};
        return true;
      }
      case ConfigType::kStringList: {
        const toml::array* array = node.as_array();
        if (array == nullptr) return false;
        std::vector<std::string> list;
        for (const toml::node& item : *array) {
          if (!item.is_string()) return false;
          list.push_back(item.as_string()->get());
        }
        *out = std::move(list);
        return true;
      }
    }
    return false;
  };

  for (size_t i = 0; i < descriptor.config_key_count; ++i) {
    const ConfigKey& key = descriptor.config_keys[i];
    ConfigValue value;
    const toml::node* given = section != nullptr ? section->get(key.name) : nullptr;
    if (given != nullptr) {
      if (!convert(*given, key.type, &value)) {
        std::string got = TomlNodeTypeName(*given);
        if (key.type == ConfigType::kDuration && given->is_string()) {
          got = "\"" + given->as_string()->get() + "\"";
        }
        return Status::InvalidArgument(
            config_path + ":" + std::to_string(given->source().begin.line) + ": " + prefix +
            key.name + " must be " + Expected(key.type) + ", got " + got + " (" + key.help + ")");
      }
    } else {
      bool ok = false;
      try {
        toml::table parsed = toml::parse(std::string("v = ") + key.default_value);
        ok = convert(*parsed.get("v"), key.type, &value);
      } catch (const toml::parse_error&) {
      }
      if (!ok) {
        return Status::Internal("plugin " + plugin + " declares key \"" + key.name +
                                "\" with default " + key.default_value + " that is not " +
                                Expected(key.type) + " (a bug in the plugin)");
      }
    }
    config->values_[key.name] = std::move(value);
  }

  if (section == nullptr) return config;
  for (auto&& [k, node] : *section) {
    std::string name(k.str());
    if (name == "enabled" || config->values_.count(name) != 0) continue;
    if (const toml::table* table = node.as_table()) {
      config->tables_[name] = Render(*table);
    } else if (IsArrayOfTables(node)) {
      toml::table wrapper;
      wrapper.insert(name, node);
      config->tables_[name] = Render(wrapper);
    } else {
      warnings->push_back(config_path + ":" + std::to_string(k.source().begin.line) +
                          ": unknown key \"" + prefix + name + "\" (ignored; plugin " + plugin +
                          " does not declare it)");
    }
  }
  return config;
}

template <typename T>
const T* PluginConfigImpl::Lookup(std::string_view key) const noexcept {
  auto it = values_.find(key);
  if (it == values_.end()) return nullptr;
  return std::get_if<T>(&it->second);
}

std::string PluginConfigImpl::GetString(std::string_view key) const noexcept {
  const std::string* v = Lookup<std::string>(key);
  return v != nullptr ? *v : std::string();
}

int64_t PluginConfigImpl::GetInt(std::string_view key) const noexcept {
  const int64_t* v = Lookup<int64_t>(key);
  return v != nullptr ? *v : 0;
}

bool PluginConfigImpl::GetBool(std::string_view key) const noexcept {
  const bool* v = Lookup<bool>(key);
  return v != nullptr && *v;
}

double PluginConfigImpl::GetDouble(std::string_view key) const noexcept {
  const double* v = Lookup<double>(key);
  return v != nullptr ? *v : 0.0;
}

int64_t PluginConfigImpl::GetDuration(std::string_view key) const noexcept {
  const DurationNs* v = Lookup<DurationNs>(key);
  return v != nullptr ? v->ns : 0;
}

std::vector<std::string> PluginConfigImpl::GetStringList(std::string_view key) const noexcept {
  const std::vector<std::string>* v = Lookup<std::vector<std::string>>(key);
  return v != nullptr ? *v : std::vector<std::string>();
}

std::string PluginConfigImpl::GetTableToml(std::string_view key) const noexcept {
  auto it = tables_.find(key);
  return it == tables_.end() ? std::string() : it->second;
}

}  // namespace nanotdb::server
