// PartitionService ("nanotdb.partitions" v1): what the metricfiles plugin needs of a
// database's partitions to replace sealed ones by metric files: which partitions exist and
// what files they have, every sample of a partition's raw data file, writing its metric file
// durably, and moving the raw data file aside once the metric file is proven equal. The core
// owns every file; the plugin hands it bytes and decisions. Thread-safe; nothing throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

struct PartitionFiles {
  std::string key;               // "2026-01-01"
  Timestamp start = 0, end = 0;  // [start, end) of the partition
  bool open = false;             // has an open page (samples not in data files yet)
  bool raw = false;              // data-<key>.dat exists
  uint64_t raw_bytes = 0;
  bool metric = false;  // metric-<key>.ntm exists
  uint64_t metric_bytes = 0;
  std::string raw_path, metric_path;  // for messages (the files may not exist)
};

// One metric's samples in a raw data file, in file order (ascending time).
struct RawSeries {
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;  // int64 or float64 (older 4-byte columns widened)
  std::string name;
  std::vector<Sample> samples;
};

enum class RawAction { kKeep, kRename, kDelete };
const char* RawActionName(RawAction a);  // "keep" / "rename" / "delete"
bool ParseRawAction(std::string_view text, RawAction* out);

class PartitionService {
 public:
  static constexpr const char* kServiceName = "nanotdb.partitions";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~PartitionService() = default;

  // Every partition of `db` with a data file, a metric file or an open page, by key.
  // NotFound for an unknown database.
  virtual Result<std::vector<PartitionFiles>> ListPartitions(std::string_view db) noexcept = 0;
  // Every sample of data-<key>.dat, one entry per metric in id order; *raw_bytes and *frames
  // say what was read. Refuses (Busy) a partition with an open page, Corruption when any part
  // of the file is damaged (a metric file is never built from salvaged data).
  virtual Status ReadRawPartition(std::string_view db, std::string_view key,
                                  std::vector<RawSeries>* out, uint64_t* raw_bytes,
                                  uint32_t* frames) noexcept = 0;
  // Replaces metric-<key>.ntm with `bytes` atomically (temp file, fsync, rename, fsync dir).
  virtual Status WriteMetricFile(std::string_view db, std::string_view key,
                                 std::string_view bytes) noexcept = 0;
  // Keeps, renames to raw-<key>.dat or deletes data-<key>.dat, once the caller proved its
  // metric file equal to it. Refused (Busy) when the data file is no longer `expected_bytes`
  // long or the partition has an open page; then nothing changes. After a rename or delete
  // the partition is read only from its metric file and refuses new samples.
  virtual Status ReplaceRawData(std::string_view db, std::string_view key, RawAction action,
                                uint64_t expected_bytes) noexcept = 0;
};

}  // namespace nanotdb
