// DatabaseService ("nanotdb.databases" v1): what plugins that derive databases from others
// (rollups) need beyond reading and writing samples: the manifest text with the sections
// plugins own, creating a database with chosen settings, making written samples durable and
// emptying a derived database before it is rebuilt. Implemented by the core over the storage
// engine. Thread-safe; nothing throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/options.h"
#include "nanotdb/status.h"

namespace nanotdb {

class DatabaseService {
 public:
  static constexpr const char* kServiceName = "nanotdb.databases";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~DatabaseService() = default;

  // The settings a new database gets (engine.toml's [manifest_defaults]).
  virtual ManifestSettings DefaultManifest() noexcept = 0;
  // Creates `db` with these settings; its manifest.toml starts with `comment` ('#' lines, may
  // be empty). False, changing nothing, when the database exists already.
  virtual Result<bool> CreateDatabase(std::string_view db, const ManifestSettings& settings,
                                      std::string_view comment) noexcept = 0;
  // The text of the database's manifest.toml (sections such as [rollups] included, for the
  // plugin owning them to parse). NotFound for an unknown database.
  virtual Result<std::string> ManifestText(std::string_view db) noexcept = 0;
  // Writes the open pages of `db` to its data files (fsynced as the durability profile says)
  // and empties its WAL: what was written before the call survives a crash after it.
  virtual Status Flush(std::string_view db) noexcept = 0;
  // Deletes every sample and metric of `db`: all its files except manifest.toml are removed
  // (their paths appended to *removed) and the database stays, empty. Refused for the
  // internal database. Only for databases that are rebuilt from others.
  virtual Status ClearDatabase(std::string_view db, std::vector<std::string>* removed) noexcept = 0;
};

}  // namespace nanotdb
