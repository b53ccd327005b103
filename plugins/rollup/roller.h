// Roller: runs the rollup jobs of every database (docs/rollups.md) through the core's
// services — reads sources with QueryService (open pages included, so live data is rolled up
// without waiting for a partition to be flushed or sealed), writes destinations with
// WriterService, creates, flushes and clears destinations with DatabaseService and keeps
// checkpoints with PluginFilesService (<root>/.plugins/rollup/<source db>/<checkpoint_file>).
//
// Semantics:
// - A period is [k*interval, (k+1)*interval) (epoch-aligned); its outputs are stamped with the
//   period start. A period is rolled up once it is complete: its end <= now - grace, or the
//   source metric has a sample at or after its end (a metric's samples never go back in time).
// - Exactly once: outputs are written in period order; after a batch the destinations are
//   flushed, then the checkpoints are replaced atomically. After a crash the jobs resume at
//   their checkpoint and skip every output whose destination series already holds a sample at
//   or after its stamp, so no bucket is written twice and none is skipped.
// - Periods without source samples write nothing and count as done.
//
// Thread-safe: RunOnce and Backfill serialise on one mutex (a backfill waits for a running
// pass and the other way round). The services must outlive the Roller.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoints.h"
#include "nanotdb/engine_types.h"
#include "nanotdb/services/databases.h"
#include "nanotdb/services/internal_events.h"
#include "nanotdb/services/plugin_files.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/writer.h"
#include "rollup_config.h"

namespace nanotdb::rollup {

struct RollupServices {
  QueryService* query = nullptr;
  WriterService* writer = nullptr;
  DatabaseService* databases = nullptr;
  PluginFilesService* files = nullptr;
  // nanotdb.rollup.window.done after each durable commit (docs/events.md); may be null.
  InternalEventService* events = nullptr;
  LogFn log;                       // may be empty
  std::function<Timestamp()> now;  // wall clock, ns
};

struct PassStats {
  uint64_t jobs = 0;            // expanded jobs that had data
  uint64_t periods = 0;         // periods completed (with or without samples)
  uint64_t points_written = 0;  // destination samples
  std::vector<std::string> errors;
};

struct BackfillReport {
  std::vector<std::string> requested_sources;
  std::vector<std::string> source_databases;       // in the order they were rolled up
  std::vector<std::string> destination_databases;  // sorted; emptied, then rebuilt
  std::vector<std::string> cleared_files;          // absolute paths
  std::vector<std::string> cleared_checkpoint_files;
  PassStats stats;
  double duration_ms = 0;
};

// What the live passes did, for GET /api/v1/rollup/status.
struct PassReport {
  uint64_t passes = 0;     // live passes since the Roller was made
  Timestamp finished = 0;  // wall clock at the end of the last one; 0 = none yet
  double duration_ms = 0;
  PassStats stats;  // of the last one
};

// Called while a backfill runs: the source database, jobs done of jobs, points written so far.
using ProgressFn =
    std::function<void(std::string_view db, size_t done, size_t jobs, uint64_t points)>;

class Roller {
 public:
  explicit Roller(RollupServices services);
  Roller(const Roller&) = delete;
  Roller& operator=(const Roller&) = delete;

  // One live pass: every database with [rollups] enabled, sources before the destinations
  // that roll up further (cascades), each job up to its last complete period. Errors are
  // logged (each distinct one once) and returned in the stats.
  PassStats RunOnce();

  // The last live pass. Any thread; does not wait for a running pass or backfill.
  PassReport LastPass() const;

  // Recomputes from scratch: the requested sources (all databases with rollup jobs when
  // empty) and, transitively, the destinations that define rollups themselves. Every
  // destination is emptied (DatabaseService::ClearDatabase) and every source's checkpoints are
  // removed before the jobs run; the results are flushed before this returns. NotFound for an
  // unknown requested database, InvalidArgument for one without jobs, a manifest error or a
  // cycle of rollups; Internal when some job failed (the report's errors say which).
  Result<BackfillReport> Backfill(const std::vector<std::string>& requested,
                                  const ProgressFn& progress);

  // Makes a running pass stop at its next period chunk (what it computed is still written,
  // flushed and checkpointed), and every later pass return at once: for shutdown, so a long
  // catch-up does not hold the daemon up. Any thread.
  void Cancel() { cancelled_.store(true); }

 private:
  struct Expanded;
  struct Batch;
  struct Window;
  Result<RollupConfig> LoadConfig(const std::string& db);
  // Runs the jobs of one source; errors go to stats->errors.
  void RunSource(const std::string& db, const RollupConfig& cfg, PassStats* stats,
                 const ProgressFn& progress);
  // Creates the destination of `job` when missing (rollup-tuned manifest, the job's
  // destination_retention_days); warns once when an existing one keeps other retention.
  Status EnsureDestination(const std::string& source, const RollupJob& job);
  void CheckDestinationRetention(const std::string& source, const RollupJob& job);
  // The periods [start, end) of cascade `e` from its parent's outputs: one bucket per period
  // the parent wrote, values per job aggregate (CascadeInputs).
  Status CascadeBuckets(const Expanded& e, const RollupJob& parent, Timestamp start, Timestamp end,
                        std::vector<Bucket>* out);
  bool Commit(const std::string& db, const RollupConfig& cfg, Batch* batch, PassStats* stats);
  void EmitWindows(const std::string& db, const std::map<std::string, Window>& windows,
                   const std::map<std::string, int64_t>& progress,
                   const std::set<std::string>& failed);
  // Sources ordered so that a database comes after every source writing into it; false
  // with the cycle described in *cycle when there is none.
  static bool Order(const std::map<std::string, RollupConfig>& configs,
                    std::vector<std::string>* order, std::string* cycle);
  void Log(LogLevel level, const std::string& message) const;
  void ReportOnce(const std::string& key, const std::string& message,
                  LogLevel level = LogLevel::kError);

  RollupServices s_;
  std::atomic<bool> cancelled_{false};
  std::mutex run_mu_;                            // one pass or backfill at a time
  std::map<std::string, std::string> reported_;  // guarded by run_mu_: last error per key
  mutable std::mutex status_mu_;                 // guards last_pass_ (held only to copy it)
  PassReport last_pass_;
};

}  // namespace nanotdb::rollup
