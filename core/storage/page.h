// OpenPage: the in-memory page of one (database, partition): the samples written since the
// partition's last flush, as one column per metric, protected by the WAL until flushed.
//
// Not thread-safe: the owning Database guards it with its mutex.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "nanotdb/types.h"
#include "storage/frame.h"

namespace nanotdb {

class OpenPage {
 public:
  OpenPage(std::string partition, int64_t created_mono)
      : partition_(std::move(partition)), created_mono_(created_mono) {}

  const std::string& partition() const { return partition_; }
  int64_t created_mono() const { return created_mono_; }
  uint64_t samples() const { return samples_; }
  // Memory estimate used for page.max_bytes: 12 bytes per sample.
  uint64_t bytes() const { return samples_ * sizeof(Sample); }
  bool empty() const { return samples_ == 0; }

  // Appends a sample; the caller guarantees ts >= the metric's previous sample.
  void Add(MetricId id, ValueType type, const Sample& s);

  // The columns, ordered by metric id, for EncodeFrame. Views stay valid until the next Add.
  std::vector<ColumnInput> Columns() const;

  // True when the page holds a sample of `id` with the same timestamp and value bits.
  bool Contains(MetricId id, const Sample& s) const;

  // Appends samples of `id` with from <= ts <= to.
  void Collect(MetricId id, Timestamp from, Timestamp to, std::vector<Sample>* out) const;

 private:
  struct Column {
    MetricId id;
    ValueType type;
    std::vector<Sample> samples;
  };
  std::string partition_;
  int64_t created_mono_;
  uint64_t samples_ = 0;
  std::vector<Column> columns_;
  std::unordered_map<MetricId, size_t> index_;  // metric id -> position in columns_
};

}  // namespace nanotdb
