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

#include "nanotdb/env.h"
#include "nanotdb/options.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

enum class LogLevel { kInfo = 0, kDebug = 1, kTrace = 2, kWarning = -1, kError = -2 };
using LogFn = std::function<void(LogLevel, std::string_view)>;

struct EngineOptions {
  std::string root;    // the data root (holds engine.toml and one directory per database)
  Env* env = nullptr;  // nullptr: Env::Default()
  LogFn log;           // may be empty
  DurabilityOptions durability;
  ManifestSettings manifest_defaults;  // copied into manifest.toml of new databases only
  // Read-only engines take no lock, create nothing, replay WALs into memory without truncating
  // them and refuse every write: safe to use while a server owns the root.
  bool read_only = false;
  // Offline bulk load (nanocli import): pages grow until a partition is written as one frame
  // where memory allows (up to 8M samples / 96 MiB), which compresses best.
  bool bulk_load = false;
};

// One sample to write. Views must stay valid for the duration of the call.
struct PointRef {
  std::string_view db;
  std::string_view metric;
  Timestamp ts = 0;
  Value value;
};

struct BatchResult {
  size_t accepted = 0;
  // Index into the input span and the reason, in input order.
  std::vector<std::pair<size_t, Status>> rejected;
};

struct MetricInfo {
  std::string name;
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;
  std::optional<Sample> last;  // newest sample, known right after open
};

// Per data file: what `inspect` and the engine inspector show.
struct FrameSummary {
  uint64_t offset = 0;
  uint32_t bytes = 0;      // on disk, header included
  uint32_t raw_bytes = 0;  // what the samples take uncompressed (12 bytes each)
  uint32_t samples = 0;
  uint32_t metrics = 0;
  Timestamp min_ts = 0, max_ts = 0;
  std::string codec;  // e.g. "zstd"
};
struct DataFileSummary {
  std::string name;  // "data-2026-05-24.dat"
  std::string partition;
  uint64_t bytes = 0;
  uint64_t samples = 0;
  Timestamp min_ts = 0, max_ts = 0;
  std::vector<FrameSummary> frames;
  std::string error;  // non-empty when a frame failed its checks; earlier frames are listed
};
struct WalSummary {
  std::string name;
  uint64_t bytes = 0;
  uint64_t records = 0;
  uint64_t samples = 0;
  Timestamp min_ts = 0, max_ts = 0;
  uint64_t valid_bytes = 0;  // the intact prefix
  uint64_t tail_bytes = 0;   // bytes after the last intact record
  std::string stop_reason;   // why reading stopped before the end ("" at a clean end)
};
struct DatabaseSummary {
  std::string name;
  std::string path;
  ManifestSettings manifest;
  size_t metrics = 0;
  std::vector<DataFileSummary> files;
  WalSummary wal;
  uint64_t open_page_samples = 0;  // in memory, protected by the WAL
  std::vector<std::string> open_partitions;
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

  // Flushes pages whose max_age passed and applies retention. Called by the daemon's timer and
  // safe to call at any time.
  Status Maintain();
  // Flushes every open page of every database (or one) and empties the WALs.
  Status Flush(std::string_view db = {});

  // --- read path --------------------------------------------------------------------------
  std::vector<std::string> ListDatabases(bool include_internal) const;
  bool DatabaseExists(std::string_view db) const;
  // NotFound when the database does not exist (reading never creates one).
  Result<std::vector<MetricInfo>> ListMetrics(std::string_view db) const;
  Result<MetricInfo> GetMetric(std::string_view db, std::string_view metric) const;

  // Calls fn for every sample of `metric` with from <= ts <= to in ascending time order
  // (samples with equal timestamps in arrival order), keeping every `stride`-th one (1 = all).
  // fn returns false to stop early. Reads one metric without decoding the others.
  Status ReadRange(std::string_view db, std::string_view metric, Timestamp from, Timestamp to,
                   uint32_t stride, const std::function<bool(const Sample&)>& fn) const;

  Result<DatabaseSummary> Inspect(std::string_view db) const;

  const std::string& root() const;
  const EngineOptions& options() const;
  Result<ManifestSettings> GetManifest(std::string_view db) const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nanotdb
