// The data the storage engine hands out and takes in: samples to write, what a batch write
// accepted, metrics, and the summaries `inspect` and the engine inspector show. Plain values
// shared by the Engine (nanotdb/engine.h, core only) and the service interfaces plugins use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanotdb/options.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

enum class LogLevel { kInfo = 0, kDebug = 1, kTrace = 2, kWarning = -1, kError = -2 };
using LogFn = std::function<void(LogLevel, std::string_view)>;

// One sample to write. Views must stay valid for the duration of the call.
struct PointRef {
  std::string_view db;
  std::string_view metric;
  Timestamp ts = 0;
  Value value;
};

struct BatchResult {
  size_t accepted = 0;  // samples stored by this call
  // Samples identical (same timestamp, same value bits) to one their metric already holds:
  // a resent batch is stored once. Neither accepted nor rejected.
  size_t duplicates = 0;
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
// One sample of a WAL as the inspector previews it.
struct WalSamplePreview {
  uint64_t record = 0;  // 0-based index of its record in the file
  std::string metric;   // its series key; "#<id>" when neither the WAL nor the catalog names it
  Timestamp ts = 0;
  Value value;  // as it will be replayed (int64 or float64)
};
inline constexpr size_t kWalPreviewSamples = 12;  // first and last shown by the inspector
struct WalSummary {
  std::string name;
  uint64_t bytes = 0;
  uint64_t records = 0;
  uint64_t samples = 0;
  Timestamp min_ts = 0, max_ts = 0;
  uint64_t valid_bytes = 0;  // the intact prefix
  uint64_t tail_bytes = 0;   // bytes after the last intact record
  std::string stop_reason;   // why reading stopped before the end ("" at a clean end)
  // The first and the last kWalPreviewSamples samples of the intact records (`last` holds only
  // those not already in `first`), in file order.
  std::vector<WalSamplePreview> first, last;
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

// What a read left out because the bytes holding it failed their checks (a block CRC, a
// damaged frame header). The read itself succeeds with everything else.
struct SkippedData {
  std::string file;      // path of the data file
  uint64_t offset = 0;   // the frame's first byte, or the damaged region's
  uint64_t bytes = 0;    // length of a damaged region; 0 for a block of an intact frame
  std::string metric;    // the metric being read
  Timestamp min_ts = 0;  // the time range whose samples may be missing
  Timestamp max_ts = 0;
  uint64_t samples = 0;  // samples lost as the frame directory counts them; 0 = unknown
  std::string reason;

  // One line, e.g. `data-2026-05-24.dat offset 16: metric "cpu" lost 8640 samples
  // 2026-05-24T00:00:00Z .. 2026-05-24T23:59:50Z (metric id 3 value block: block checksum
  // mismatch ...)`.
  std::string Describe() const;
};

// Filled by reads that take one: every region skipped, in read order, each listed once.
struct ReadReport {
  std::vector<SkippedData> skipped;
  bool empty() const { return skipped.empty(); }
  // Adds `d` unless an entry for the same file, offset and metric is already there.
  void Add(SkippedData d);
};

// What the engine's cache of open data files (their frame index and name records) holds and
// has done since the engine opened.
struct ReaderCacheStats {
  uint64_t hits = 0;           // reads that found the file's reader kept
  uint64_t misses = 0;         // reads that opened the file (first use, changed, or evicted)
  uint64_t stale = 0;          // of the misses: a kept reader whose file had changed on disk
  uint64_t evictions = 0;      // readers dropped to stay within the bounds
  uint64_t invalidations = 0;  // readers dropped because the engine changed their file
  size_t files = 0;            // readers kept now (each holds one open file)
  uint64_t bytes = 0;          // their memory
};

}  // namespace nanotdb
