// RollupRetentionHold: the rollup plugin's RetentionHoldService. A source database's raw data
// is needed from the earliest period any of its rollup jobs has not rolled up yet: a series'
// checkpoint (the end of its last durable period), or the period of its first sample when it
// has none (never rolled up: imported history, a new series, a job whose outputs are refused).
// A [rollups] section that does not parse holds everything: its jobs do not run until fixed.
//
// Reads the manifest, the catalog and the checkpoint file each time (no state shared with the
// Roller, so it never waits for a running pass). Thread-safe; the services must outlive it.
#pragma once

#include <string_view>

#include "nanotdb/services/databases.h"
#include "nanotdb/services/plugin_files.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/retention_hold.h"

namespace nanotdb::rollup {

class RollupRetentionHold final : public RetentionHoldService {
 public:
  RollupRetentionHold(QueryService& query, DatabaseService& databases, PluginFilesService& files)
      : query_(query), databases_(databases), files_(files) {}
  RollupRetentionHold(const RollupRetentionHold&) = delete;
  RollupRetentionHold& operator=(const RollupRetentionHold&) = delete;

  RetentionHold HoldFor(std::string_view db) noexcept override;

 private:
  QueryService& query_;
  DatabaseService& databases_;
  PluginFilesService& files_;
};

}  // namespace nanotdb::rollup
