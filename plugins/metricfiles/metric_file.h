// Metric files (metric-<part>.ntm): a sealed partition rewritten series by series. Each
// series' values are one contiguous, entropy-coded block (series_codec.h); each distinct
// timestamp vector is stored once as a time block that every series stamped with exactly
// those times references (a host collector stamps a whole cycle with one time); an index at
// the end names every series (id, type, name) with its count, time range and block places, so
// reading one series reads the footer, the index (once per open) and two blocks.
// Byte layout: docs/format/metric-file.md.
//
// Every block, the index, the header and the footer carry a CRC-32C; readers bound-check every
// length before use and return Corruption naming the file and the series, never a crash.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb::metricfiles {

// One series to write: samples sorted by ts (equal timestamps kept in their order).
struct SeriesInput {
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;  // kInt64 or kFloat64
  std::string name;
  std::vector<Sample> samples;
};

// What the file was built from: the raw data file's size and frame count at the build.
struct SourceInfo {
  uint64_t bytes = 0;
  uint32_t frames = 0;
};

// The whole file holding `series` (ids unique, each non-empty and sorted), in id order.
// InvalidArgument naming the series when one is empty or unsorted.
Result<std::string> EncodeMetricFile(std::span<const SeriesInput> series, const SourceInfo& source);

struct BlockPlace {
  uint64_t offset = 0;
  uint64_t bytes = 0;
  uint32_t crc = 0;
};

struct TimeBlockInfo {
  BlockPlace place;
  uint64_t count = 0;
  Timestamp first = 0, last = 0;
};

struct SeriesEntry {
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;
  std::string name;
  uint32_t time_block = 0;  // index into time_blocks()
  uint64_t count = 0;
  Timestamp first = 0, last = 0;  // of its time block
  BlockPlace values;
};

// Random access to the bytes of a metric file (a file, or memory in tests). Thread-safe.
class MetricFileSource {
 public:
  virtual ~MetricFileSource() = default;
  virtual uint64_t size() const = 0;
  virtual Status Read(uint64_t offset, uint64_t bytes, std::string* out) const = 0;
};
// A POSIX file opened read-only; NotFound when it does not exist.
Result<std::unique_ptr<MetricFileSource>> OpenFileSource(const std::string& path);
std::unique_ptr<MetricFileSource> MemorySource(std::string bytes);

// A metric file as it was when opened. All methods are thread-safe; decoded time blocks are
// kept (bounded by the file's own time blocks) since many series share them.
class MetricFileReader {
 public:
  // `name` is used in messages (the path).
  static Result<std::unique_ptr<MetricFileReader>> Open(std::unique_ptr<MetricFileSource> source,
                                                        std::string name);
  static Result<std::unique_ptr<MetricFileReader>> OpenPath(const std::string& path);

  MetricFileReader(const MetricFileReader&) = delete;
  MetricFileReader& operator=(const MetricFileReader&) = delete;

  const std::string& name() const { return name_; }
  uint16_t version() const { return version_; }
  const SourceInfo& source() const { return source_; }
  uint64_t file_bytes() const { return file_bytes_; }
  const std::vector<TimeBlockInfo>& time_blocks() const { return time_blocks_; }
  const std::vector<SeriesEntry>& series() const { return series_; }  // by id
  const SeriesEntry* Find(MetricId id) const;

  // Calls fn for the samples of `id` with from <= ts <= to in order, stopping when fn returns
  // false. NotFound when the file lacks the series; Corruption on a bad block.
  Status ReadSeries(MetricId id, Timestamp from, Timestamp to,
                    const std::function<bool(const Sample&)>& fn) const;
  // The checked bytes of a series' value block (inspection).
  Status ReadValueBlock(const SeriesEntry& s, std::string* out) const {
    return ReadBlock(s.values, out);
  }
  // The same samples appended to *out (no call per sample).
  Status ReadSeries(MetricId id, Timestamp from, Timestamp to, std::vector<Sample>* out) const;
  // Every sample of `id`.
  Status ReadAll(MetricId id, std::vector<Sample>* out) const;

 private:
  MetricFileReader() = default;
  // A series decoded whole: the samples with from <= ts <= to are [begin, end).
  struct Decoded {
    std::shared_ptr<const std::vector<Timestamp>> times;
    std::vector<uint64_t> values;
    size_t begin = 0, end = 0;
  };
  Status Decode(MetricId id, Timestamp from, Timestamp to, Decoded* d) const;
  Status ReadBlock(const BlockPlace& place, std::string* out) const;
  Result<std::shared_ptr<const std::vector<Timestamp>>> Times(uint32_t block) const;

  std::unique_ptr<MetricFileSource> source_file_;
  std::string name_;
  uint16_t version_ = 0;
  SourceInfo source_;
  uint64_t file_bytes_ = 0;
  std::vector<TimeBlockInfo> time_blocks_;
  std::vector<SeriesEntry> series_;
  std::unordered_map<MetricId, size_t> by_id_;
  mutable std::mutex times_mu_;  // guards times_
  mutable std::unordered_map<uint32_t, std::shared_ptr<const std::vector<Timestamp>>> times_;
};

}  // namespace nanotdb::metricfiles
