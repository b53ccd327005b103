// PluginFiles: the core's PluginFilesService (nanotdb/services/plugin_files.h), one instance per
// plugin, over the storage engine's Env and its atomic-write helper. The directory is
// <root>/.plugins/<plugin>/ (PluginFilesDir). Thread-safe; the Env must outlive it.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/env.h"
#include "nanotdb/services/plugin_files.h"

namespace nanotdb::server {

// "<root>/.plugins/<plugin>".
std::string PluginFilesDir(const std::string& root, std::string_view plugin);
// InvalidArgument naming `name` unless it is one or more '/'-separated parts of [A-Za-z0-9_.-]
// none of which is empty or starts with '.'.
Status ValidatePluginFileName(std::string_view name);

class PluginFiles final : public PluginFilesService {
 public:
  PluginFiles(Env* env, std::string root, std::string plugin);
  PluginFiles(const PluginFiles&) = delete;
  PluginFiles& operator=(const PluginFiles&) = delete;

  Status Write(std::string_view name, std::string_view contents) noexcept override;
  Result<std::string> Read(std::string_view name) noexcept override;
  bool Exists(std::string_view name) noexcept override;
  Result<std::vector<std::string>> List(std::string_view dir) noexcept override;
  Status Remove(std::string_view name) noexcept override;
  Status Rotate(std::string_view dir, size_t keep) noexcept override;
  std::string PathOf(std::string_view name) noexcept override;
  Result<bool> AdoptLegacyFile(std::string_view legacy, std::string_view name) noexcept override;
  Result<std::vector<std::string>> ListLegacyDir(std::string_view legacy_dir) noexcept override;

 private:
  Result<std::vector<std::string>> RegularFiles(const std::string& dir);
  Env* env_;
  const std::string root_;
  const std::string dir_;
  std::mutex mu_;  // serialises changes (write, remove, rotate, adopt) of this plugin's files
};

}  // namespace nanotdb::server
