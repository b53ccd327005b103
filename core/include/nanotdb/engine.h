// Engine: the storage engine of one data root. Owns every database under the root, their WALs,
// open pages, catalogs, manifests and partition files, and is the only code that writes them.
//
// Thread safety: every public method may be called concurrently. Writes to one database are
// serialised; reads take a snapshot of the open pages and never block writes for long.
// Failure: methods return Status/Result and never throw. A failed write leaves stored data as
// it was; a database whose files fail to open is reported and left untouched on disk.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/engine_types.h"
#include "nanotdb/env.h"
#include "nanotdb/event_types.h"
#include "nanotdb/options.h"
#include "nanotdb/query_types.h"
#include "nanotdb/services/partitions.h"
#include "nanotdb/services/retention_hold.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

class ReadAccelerator;

// Something the engine did that nanotdb records as an internal event in the `internal`
// database (docs/events.md, "Internal events"): a WAL replayed or cut, a partition flushed,
// sealed or deleted. Delivered on the thread doing the work, often with a database lock held:
// the receiver only queues it — it must not block, and must not call back into the engine.
struct EngineNotice {
  std::string name;  // "nanotdb.wal.replayed", ...
  std::string db;    // the database it is about
  std::optional<Value> value;
  std::string payload;  // a compact JSON object naming the database and the details
};
using NoticeFn = std::function<void(EngineNotice)>;

struct EngineOptions {
  std::string root;    // the data root (holds engine.toml and one directory per database)
  Env* env = nullptr;  // nullptr: Env::Default()
  LogFn log;           // may be empty
  NoticeFn notice;     // may be empty; see EngineNotice
  DurabilityOptions durability;
  ManifestSettings manifest_defaults;  // copied into manifest.toml of new databases only
  // Read-only engines take no lock, create nothing, replay WALs into memory without truncating
  // them and refuse every write: safe to use while a server owns the root.
  bool read_only = false;
  // Offline bulk load (nanocli import): pages grow until a partition is written as one frame
  // where memory allows (up to 8M samples / 96 MiB), which compresses best.
  bool bulk_load = false;
  // A sample more than this far ahead of the wall clock is rejected ([ingest] max_future):
  // accepted, it would hold its metric's ordering watermark there, and every later sample up
  // to that time would be refused as out of order.
  int64_t max_future = 2 * kDay;
  // Series one database may hold; a write that would create one more is rejected for that
  // point (InvalidArgument naming the database and the limit). 0: no limit.
  size_t max_series_per_database = 0;
  // Data files kept open with their parsed frame index and name records, so a query reads only
  // the blocks it needs ([storage] reader_cache_files / reader_cache_bytes): at most this many
  // files and this much memory, least recently used dropped first. 0 files: every read opens
  // and scans the file.
  size_t reader_cache_files = 64;
  uint64_t reader_cache_bytes = 8ull << 20;
  // A database that took no write for this long and holds nothing unflushed closes its WAL
  // and data files (Maintain), so idle databases hold no descriptors; the next write reopens
  // them. 0: never.
  int64_t idle_close = 0;
  // Disk budget ([storage] max_disk_bytes): when the databases' files together take more,
  // Maintain deletes sealed partitions, the furthest through their retention window first
  // (age / retention_days; a database keeping data forever counts 100 years), never a
  // database's newest partition or one with unflushed samples. 0: no budget.
  uint64_t max_disk_bytes = 0;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(EngineOptions options);
  ~Engine();  // calls Close() and logs its failure
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Flushes every open page, empties every WAL, persists catalogs, releases the root lock.
  Status Close();

  // --- write path -------------------------------------------------------------------------
  // Writes one sample; creates the database and the metric on first use.
  Status Write(std::string_view db, std::string_view metric, Timestamp ts, Value value);
  // Writes many samples; every valid point is kept, every invalid one is reported. Points for
  // one database share one WAL record. Returns a non-OK status only for failures that are not
  // about one point (I/O error, read-only engine); points accepted before it stay accepted.
  Result<BatchResult> WriteBatch(std::span<const PointRef> points);

  // Flushes pages whose max_age passed, applies retention and the disk budget. Called by the
  // daemon's timer and safe to call at any time. `hold` (may be empty) says per database which
  // raw data is still needed: retention keeps every expired partition ending after
  // RetentionHold::from (logging the hold when it starts and hourly while it lasts); the disk
  // budget deletes held partitions too, as it would without the hold, and logs an error naming
  // what was lost and who needed it. `hold` is called on this thread with no engine or
  // database lock held, only for databases with partitions to delete.
  Status Maintain(const RetentionHoldFn& hold = {});
  // Flushes every open page of every database (or one) and empties the WALs.
  Status Flush(std::string_view db = {});

  // Creates database `db` with these settings; its manifest.toml is `comment` (lines starting
  // with '#', may be empty) followed by every key. Returns false, changing nothing, when the
  // database exists already.
  Result<bool> CreateDatabase(std::string_view db, const ManifestSettings& settings,
                              std::string_view comment);
  // The text of <db>/manifest.toml, with the sections plugins own ([rollups], ...). NotFound
  // for an unknown database.
  Result<std::string> ManifestText(std::string_view db) const;
  // Empties `db` (Database::Clear: every file but manifest.toml is deleted; the database stays
  // open). Appends the removed paths to *removed.
  Status ClearDatabase(std::string_view db, std::vector<std::string>* removed);

  // --- read path --------------------------------------------------------------------------
  std::vector<std::string> ListDatabases(bool include_internal) const;
  bool DatabaseExists(std::string_view db) const;
  // NotFound when the database does not exist (reading never creates one).
  Result<std::vector<MetricInfo>> ListMetrics(std::string_view db) const;
  Result<MetricInfo> GetMetric(std::string_view db, std::string_view metric) const;

  // Calls fn for every sample of `metric` with from <= ts <= to in ascending time order
  // (samples with equal timestamps in arrival order), keeping every `stride`-th one (1 = all).
  // fn returns false to stop early. Reads one metric without decoding the others.
  // Salvages: a block or frame that fails its checks costs only the samples it holds; the read
  // goes on and, when `report` is given, appends what was skipped to it.
  Status ReadRange(std::string_view db, std::string_view metric, Timestamp from, Timestamp to,
                   uint32_t stride, const std::function<bool(const Sample&)>& fn,
                   ReadReport* report = nullptr) const;

  Result<DatabaseSummary> Inspect(std::string_view db) const;

  // --- events (docs/events.md) ------------------------------------------------------------
  // Stores every valid event of `db` (creating the database on first use like a sample write),
  // reporting each invalid one by index. Under fsync_policy = always the events are fsynced
  // before it returns. Non-OK only for failures not tied to one event.
  Result<EventWriteResult> WriteEvents(std::string_view db, std::span<const Event> events);
  // Events of `db` matching q in time order (EventStore::Read); damaged blocks are skipped and
  // listed in *report. NotFound for an unknown database.
  Status ReadEvents(std::string_view db, const EventQuery& q,
                    const std::function<bool(const Event&)>& fn,
                    EventReadReport* report = nullptr) const;
  // Counts per name and per window (EventStore::Count).
  Status CountEvents(std::string_view db, const EventQuery& q, int64_t window,
                     std::vector<EventCount>* out, EventReadReport* report = nullptr) const;
  Result<std::vector<EventFileSummary>> InspectEvents(std::string_view db) const;

  // Series selection over the database's label index (matchers: nanotdb/query_types.h).
  // SelectSeries: the series every matcher accepts (all without matchers), sorted by key, at
  // most `limit` (0 = all). LabelNames / LabelValues: sorted, over the series the matchers
  // accept; LabelValues of "__name__" are metric names. NotFound for an unknown database,
  // InvalidArgument for a bad regex.
  Result<std::vector<SeriesInfo>> SelectSeries(std::string_view db,
                                               std::span<const SeriesMatcher> matchers,
                                               size_t limit = 0) const;
  Result<std::vector<std::string>> LabelNames(std::string_view db,
                                              std::span<const SeriesMatcher> matchers) const;
  Result<std::vector<std::string>> LabelValues(std::string_view db, std::string_view label,
                                               std::span<const SeriesMatcher> matchers) const;

  // --- metric files (nanotdb/services/partitions.h, read_accelerator.h) ------------------
  // The accelerator reads of partitions with a metric file consult first (nullptr: none;
  // such partitions are then read from their raw data file, or reported unreadable). The
  // pointee must stay alive until it is replaced or the engine closes.
  void SetReadAccelerator(ReadAccelerator* accelerator);
  Result<std::vector<PartitionFiles>> ListPartitions(std::string_view db) const;
  Status ReadRawPartition(std::string_view db, std::string_view key, std::vector<RawSeries>* out,
                          uint64_t* raw_bytes, uint32_t* frames) const;
  Status WriteMetricFile(std::string_view db, std::string_view key, std::string_view bytes);
  Status ReplaceRawData(std::string_view db, std::string_view key, RawAction action,
                        uint64_t expected_bytes);

  const std::string& root() const;
  const EngineOptions& options() const;
  ReaderCacheStats reader_cache_stats() const;
  Result<ManifestSettings> GetManifest(std::string_view db) const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nanotdb
