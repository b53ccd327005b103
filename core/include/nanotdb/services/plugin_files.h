// PluginFilesService ("nanotdb.plugin-files" v1): the files a plugin keeps for itself (a
// dashboard layout, its backups, checkpoints), stored by the core under
// <root>/.plugins/<plugin name>/. No database can take that directory (database names cannot
// start with '.'), and a plugin never needs a path of its own under the root.
//
// Each plugin gets its own instance (ctx.Find<PluginFilesService>()), bound to its directory.
// Names are relative to it: one or more '/'-separated parts of letters, digits, '_', '-' and
// '.', none starting with '.' ("dashboard.json", "backups/dashboard.20260601T101112Z.json");
// anything else is InvalidArgument naming the name. Directories are created as needed.
// Thread-safe; every call is a few file operations, so keep them off hot paths. Nothing throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb {

class PluginFilesService {
 public:
  static constexpr const char* kServiceName = "nanotdb.plugin-files";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~PluginFilesService() = default;

  // Replaces `name` atomically: a crash leaves the old or the new contents, never a mix
  // (temp file, fsync, rename, fsync directory).
  virtual Status Write(std::string_view name, std::string_view contents) noexcept = 0;
  // NotFound when there is no such file.
  virtual Result<std::string> Read(std::string_view name) noexcept = 0;
  virtual bool Exists(std::string_view name) noexcept = 0;
  // Names of the regular files in `dir` ("" = the plugin's directory), sorted; empty when the
  // directory does not exist.
  virtual Result<std::vector<std::string>> List(std::string_view dir) noexcept = 0;
  // Removes `name`; OK when it did not exist.
  virtual Status Remove(std::string_view name) noexcept = 0;
  // Keeps the `keep` last files of `dir` in name order (name them so that order is age order,
  // e.g. with a UTC stamp) and removes the others.
  virtual Status Rotate(std::string_view dir, size_t keep) noexcept = 0;
  // The absolute path of `name`, for messages and for operators.
  virtual std::string PathOf(std::string_view name) noexcept = 0;

  // Migration of files a plugin kept directly under the root before this service existed.
  // Moves the regular file <root>/<legacy> (a name as above, relative to the root) to `name`.
  // Returns false, changing nothing, when <root>/<legacy> is not a regular file or `name`
  // already exists. A legacy directory left empty by the move is removed.
  virtual Result<bool> AdoptLegacyFile(std::string_view legacy, std::string_view name) noexcept = 0;
  // Regular files of <root>/<legacy_dir> ("" = the root itself), sorted; empty when it does
  // not exist.
  virtual Result<std::vector<std::string>> ListLegacyDir(std::string_view legacy_dir) noexcept = 0;
};

}  // namespace nanotdb
