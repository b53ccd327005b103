// Database: one database directory under the root — its catalog, manifest, WAL, open pages and
// partition data files — and the write and read paths over them.
//
// Thread safety: all public methods may be called concurrently. mu_ guards the catalog, pages,
// last values, WAL and writers; it is held for the in-memory work of a write and for flushes
// (flushes are rare: pages hold hours of data). Readers hold mu_ only to snapshot the open page
// and the file list, then read files under files_mu_ (shared) so a concurrent flush, which
// takes files_mu_ exclusively while it moves a page into its data file, can neither show a
// sample twice nor hide it.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/json_object.h"
#include "nanotdb/engine.h"
#include "nanotdb/services/partitions.h"
#include "storage/catalog.h"
#include "storage/data_file.h"
#include "storage/page.h"
#include "storage/reader_cache.h"
#include "storage/series_index.h"
#include "storage/wal.h"

namespace nanotdb {

class ReadAccelerator;

struct DatabaseContext {
  Env* env = nullptr;
  std::string root;
  LogFn log;
  NoticeFn notice;  // EngineOptions::notice; may be empty
  DurabilityOptions durability;
  ManifestSettings defaults;  // for a database created now
  bool read_only = false;
  bool bulk_load = false;
  int64_t max_future = 2 * kDay;  // EngineOptions::max_future
  size_t max_series = 0;          // series a database may hold; 0 = no limit
  // The engine's readers of data files (shared by its databases; outlives them). Every change
  // this database makes to a data file invalidates that file's reader.
  ReaderCache* readers = nullptr;
  // The read accelerator the engine consults for partitions with a metric file (owned by the
  // engine; the pointee by a plugin); nullptr or pointing to nullptr: none.
  const std::atomic<ReadAccelerator*>* accelerator = nullptr;
};

struct DbPoint;
// Why `p` would be refused by any database whatever it holds (a timestamp past
// now_wall + max_future, a series name that is not a valid key), or OK. The engine asks it
// before creating a database, so a write that stores nothing creates no directory.
Status CheckPointForAnyDatabase(const DbPoint& p, int64_t max_future, Timestamp now_wall);

// One point of a write, already routed to this database.
struct DbPoint {
  std::string_view metric;
  Timestamp ts;
  Value value;
  size_t index;  // position in the caller's batch, for error reports
};

class Database {
 public:
  // Opens an existing database (create = false) or creates it. Replays the WAL into open pages
  // and learns every metric's last sample from the data files.
  static Result<std::unique_ptr<Database>> Open(const DatabaseContext& ctx, std::string name,
                                                bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& name() const { return name_; }
  const std::string& dir() const { return dir_; }

  // Stores every valid point; invalid ones are appended to result->rejected. One WAL record
  // for the whole call. Non-OK only for failures not tied to one point (then nothing of this
  // call was stored; except a failed WAL fsync under fsync_policy = always, which runs after
  // the batch is in the open page, outside mu_, so concurrent writers share one fsync).
  Status Write(std::span<const DbPoint> points, BatchResult* result);

  // Flushes all pages when the oldest is older than page.max_age; deletes expired partitions
  // except those ending after what `hold` (may be empty) says is still needed. `hold` is
  // called with no lock of this database held, only when some partition has expired, and
  // again at most every kHoldRecheck while it keeps partitions; a hold keeping partitions is
  // logged when it starts and then hourly, naming the holder and since when it holds.
  Status Maintain(Timestamp now_wall, int64_t now_mono, const RetentionHoldFn& hold);
  static constexpr int64_t kHoldRecheck = 10 * kSecond;
  // Closes the WAL and data-file handles of a database that took no write for `idle_ns` and
  // holds nothing unflushed (no open page, an empty WAL), so idle databases hold no
  // descriptors; the next write reopens the WAL. Returns true when it closed something.
  bool CloseIfIdle(int64_t now_mono, int64_t idle_ns);
  // True while the WAL is closed by CloseIfIdle (for tests and the inspector).
  bool idle_closed() const;

  // A partition the disk budget may delete: sealed (no open page) and not the database's
  // newest.
  struct EvictionCandidate {
    std::string key;
    Timestamp start = 0, end = 0;  // the partition's range [start, end)
    uint64_t bytes = 0;
    double score = 0;  // its age over the retention window: the highest goes first
  };
  // Bytes of every file in the database's directory (data files, WAL, catalog, quarantined
  // regions, files plugins keep there); appends the partitions the disk budget may delete.
  uint64_t DiskUsage(Timestamp now_wall, std::vector<EvictionCandidate>* candidates) const;
  // Deletes partition `key` for the disk budget, as retention would; NotFound when it is gone
  // or no longer evictable (a write opened a page in it).
  Status EvictPartition(const std::string& key, const std::string& why);
  // Writes every open page to its data file, persists the catalog and empties the WAL.
  Status FlushAll();
  // Removes every sample and metric: drops the open pages and deletes every file of the
  // directory except manifest.toml (data files, WAL, catalog, and files other components keep
  // there), appending their paths to *removed; the database stays open, empty. Waits for
  // running reads. For derived databases that are rebuilt from scratch (rollup backfill).
  Status Clear(std::vector<std::string>* removed);

  std::vector<MetricInfo> ListMetrics() const;
  Result<MetricInfo> GetMetric(std::string_view metric) const;
  // Salvages: a block or frame that fails its checks is left out, added to *report (when
  // given) and the read goes on.
  Status ReadRange(std::string_view metric, Timestamp from, Timestamp to, uint32_t stride,
                   const std::function<bool(const Sample&)>& fn,
                   ReadReport* report = nullptr) const;
  Result<DatabaseSummary> Inspect() const;

  // Learns the last sample of metrics whose newest samples live only in metric files (their
  // data files were replaced), through the read accelerator; called when one is installed.
  void LearnLastFromMetricFiles();

  // Partition files for the metricfiles plugin (PartitionService, nanotdb/services/partitions.h).
  Result<std::vector<PartitionFiles>> ListPartitions() const;
  Status ReadRawPartition(std::string_view key, std::vector<RawSeries>* out, uint64_t* raw_bytes,
                          uint32_t* frames) const;
  Status WriteMetricFile(std::string_view key, std::string_view bytes);
  Status ReplaceRawData(std::string_view key, RawAction action, uint64_t expected_bytes);

  // Series selection over the label index (database_series.cpp). SelectSeries: the series
  // every matcher accepts, sorted by key, at most `limit` (0 = all). LabelNames / LabelValues:
  // sorted, over the series the matchers accept (all series when there is no matcher);
  // LabelValues("__name__") lists metric names.
  std::vector<SeriesInfo> SelectSeries(std::span<const CompiledSeriesMatcher> matchers,
                                       size_t limit) const;
  std::vector<std::string> LabelNames(std::span<const CompiledSeriesMatcher> matchers) const;
  std::vector<std::string> LabelValues(std::string_view label,
                                       std::span<const CompiledSeriesMatcher> matchers) const;
  ManifestSettings manifest() const { return manifest_; }

 private:
  Database(const DatabaseContext& ctx, std::string name);
  Status Load(bool create);
  Status ReplayBatch(const WalBatch& batch);
  // After a replay that met orphans_: keeps the whole log aside, reserves their ids in the
  // catalog under placeholder names (ids are never reused) and logs what was left out.
  Status SetOrphansAside(const std::string& wal_path);
  // The rejection of a point beyond now + max_future (`limit`).
  Status FutureError(const DbPoint& p, Timestamp limit) const;
  Status LearnLastValues();
  // Corruption when a data file holds a metric id the catalog (as the WAL completed it) lacks.
  Status CheckFilesNamed(const std::string& catalog_path, const std::string& recover_hint) const;
  // Renames catalog names that are older spellings of a series key to the canonical key where
  // that key is free; logs the names left as they are. Returns how many were renamed.
  size_t CanonicaliseSeriesNames();           // database_series.cpp
  OpenPage* PageFor(const std::string& key);  // creates the partition's page when missing
  // True when the open page of ts's partition holds this sample of `id` (mu_ held).
  bool InOpenPage(MetricId id, Timestamp ts, uint64_t bits) const;
  Status FlushAllLocked();
  Status OpenWalLocked(WalReadReport* report);  // wal_ from the WAL file, replayed (mu_ held)
  bool PageLimitsReached(int64_t now_mono) const;
  // True when some partition has expired (retention deletes or a hold keeps it).
  bool RetentionDueLocked(Timestamp now_wall) const;
  Status ApplyRetentionLocked(Timestamp now_wall, int64_t now_mono, const RetentionHold& hold);
  DataFileWriter* WriterFor(const std::string& key, Status* st);
  void AddSkipped(const std::string& key, const std::string& path, const DataFileReader& reader,
                  const std::vector<SkippedBlock>& blocks, Timestamp from, Timestamp to,
                  std::string_view metric, ReadReport* report) const;
  // Reads partition `key` through the read accelerator: true when it served the read; false
  // (reporting the partition's samples of `metric` as unreadable when it has no raw data file)
  // when it declined, failed or there is none.
  bool ReadAccelerated(const std::string& key, bool raw, std::string_view metric, MetricId id,
                       Timestamp from, Timestamp to, const std::function<bool(const Sample&)>& emit,
                       ReadReport* report) const;
  void UpdateSealedLocked();  // sealed_ from metric_files_ and partitions_
  // Removes the metric file and the renamed raw file of `key` (retention).
  Status RemoveDerivedLocked(const std::string& key);
  void Log(LogLevel level, const std::string& msg) const;
  // Hands an EngineNotice about this database to ctx_.notice (nothing when unset). `payload`
  // gets the field "db" first.
  // Bytes of a partition's data, metric and renamed raw files (those that exist).
  uint64_t PartitionBytesLocked(const std::string& key) const;
  void NoticeRetentionDeleted(const std::string& key, const std::string& file,
                              uint64_t bytes) const;
  void Notice(std::string name, std::optional<Value> value,
              const std::function<void(JsonObject&)>& fields) const;
  ManifestSettings EffectivePageLimits() const;

  const DatabaseContext ctx_;
  const std::string name_;
  const std::string dir_;
  ManifestSettings manifest_;  // immutable after Load

  mutable std::mutex mu_;
  Catalog catalog_;                 // guarded by mu_
  SeriesIndex index_;               // guarded by mu_; the catalog's names, in step with it
  std::unique_ptr<WalWriter> wal_;  // guarded by mu_; null when disabled
  bool wal_has_records_ = false;    // guarded by mu_; appended to since the last Reset
  bool idle_closed_ = false;        // guarded by mu_; wal_ closed by CloseIfIdle
  int64_t last_write_mono_ = 0;     // guarded by mu_; monotonic time of the last Write
  int wal_syncs_ = 0;               // guarded by mu_; group-commit fsyncs running outside mu_
  std::map<std::string, std::unique_ptr<OpenPage>> pages_;          // by partition key; mu_
  std::vector<std::optional<Sample>> last_;                         // by metric id; mu_
  std::set<std::string> partitions_;                                // keys with a data file; mu_
  std::map<std::string, std::unique_ptr<DataFileWriter>> writers_;  // mu_
  std::set<std::string> metric_files_;  // keys with a metric file; mu_ (and files_mu_ to change)
  // Partitions whose raw data file a metric file replaced, by start: they take no samples.
  struct SealedRange {
    Timestamp end;
    std::string key;
  };
  std::map<Timestamp, SealedRange> sealed_;  // mu_
  // While a retention hold keeps expired partitions (all guarded by mu_): the wall time it
  // started keeping them, when it was last logged (monotonic) and when to ask it again.
  std::optional<Timestamp> held_since_;
  std::optional<int64_t> hold_logged_mono_;
  int64_t hold_recheck_mono_ = INT64_MIN;

  // Newest durable sample per metric and how many samples share its timestamp; used only while
  // the WAL is replayed in Load.
  struct DurableMark {
    Timestamp ts;
    uint64_t count;
  };
  std::unordered_map<MetricId, DurableMark> durable_;
  // WAL samples of ids that neither the catalog, the WAL nor any data file's name records
  // define (both copies of their definition were damaged): left out of the replay, counted per
  // id; used only while the WAL is replayed in Load.
  struct Orphans {
    uint64_t samples = 0;
    Timestamp min_ts = 0, max_ts = 0;
  };
  std::map<MetricId, Orphans> orphans_;

  mutable std::shared_mutex files_mu_;  // shared: reading data files; exclusive: flushing
};

}  // namespace nanotdb
