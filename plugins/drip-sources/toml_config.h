// TomlPluginConfig: a PluginConfig over one table of a TOML file, checked against a ConfigKey
// schema. The drip binary reads [collect] of drip.toml through it, so drip and the
// drip-sources plugin accept exactly the same keys with the same defaults.
//
// Immutable after Create; safe to read from several threads.
#pragma once

#include <toml++/toml.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nanotdb/plugin.h"
#include "nanotdb/status.h"

namespace nanotdb::drip {

// toml::parse without exceptions: the error reads "<source>:<line>:<column>: <problem>".
Result<toml::table> ParseToml(std::string_view text, const std::string& source);
// Reads and parses a file; NotFound / InvalidArgument name the path.
Result<toml::table> ParseTomlFile(const std::string& path);

class TomlPluginConfig final : public PluginConfig {
 public:
  // `table` is the [section] of `file` (both only name things in messages). Every schema key
  // gets its value or its default. A wrong type is an error naming file:line, the key and the
  // expected type; an undeclared key, or a sub-table not in `sub_tables`, is a warning.
  static Result<std::unique_ptr<TomlPluginConfig>> Create(
      const toml::table& table, const std::string& file, const std::string& section,
      std::span<const ConfigKey> schema, const std::vector<std::string>& sub_tables,
      std::vector<std::string>* warnings);

  std::string GetString(std::string_view key) const noexcept override;
  int64_t GetInt(std::string_view key) const noexcept override;
  bool GetBool(std::string_view key) const noexcept override;
  double GetDouble(std::string_view key) const noexcept override;
  int64_t GetDuration(std::string_view key) const noexcept override;
  std::vector<std::string> GetStringList(std::string_view key) const noexcept override;
  std::string GetTableToml(std::string_view key) const noexcept override;

 private:
  TomlPluginConfig() = default;
  toml::table values_;
};

}  // namespace nanotdb::drip
