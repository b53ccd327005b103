// PluginConfigImpl: a plugin's [plugins.<name>] section validated against the ConfigKey schema
// the plugin declared, with defaults filled in (see nanotdb/plugin.h).
//
// Validation rules: a declared key with a value of the wrong type is an error naming
// file:line, the key and the expected type; an undeclared scalar key is a warning naming
// file:line (and ignored); sub-tables and arrays of tables are not declared: they are passed
// through to GetTableToml. `enabled` belongs to the core. Immutable after Build; thread-safe.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nanotdb/plugin.h"

namespace nanotdb::server {

class PluginConfigImpl final : public PluginConfig {
 public:
  // `section` may be null (no [plugins.<name>] in the file): every key takes its default.
  // `config_path` names the file in messages. A default that does not parse as its declared
  // type is reported as a bug of the plugin.
  static Result<std::unique_ptr<PluginConfigImpl>> Build(const PluginDescriptor& descriptor,
                                                         const toml::table* section,
                                                         const std::string& config_path,
                                                         std::vector<std::string>* warnings);

  std::string GetString(std::string_view key) const noexcept override;
  int64_t GetInt(std::string_view key) const noexcept override;
  bool GetBool(std::string_view key) const noexcept override;
  double GetDouble(std::string_view key) const noexcept override;
  int64_t GetDuration(std::string_view key) const noexcept override;
  std::vector<std::string> GetStringList(std::string_view key) const noexcept override;
  // A sub-table renders as its own contents (keys, then its sub-tables as relative [headers]);
  // an array of tables renders as [[key]] entries. "" when absent.
  std::string GetTableToml(std::string_view key) const noexcept override;

 private:
  struct DurationNs {
    int64_t ns;
  };
  using ConfigValue =
      std::variant<std::string, int64_t, bool, double, DurationNs, std::vector<std::string>>;
  PluginConfigImpl() = default;

  template <typename T>
  const T* Lookup(std::string_view key) const noexcept;

  std::map<std::string, ConfigValue, std::less<>> values_;
  std::map<std::string, std::string, std::less<>> tables_;
};

}  // namespace nanotdb::server
