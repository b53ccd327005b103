// ReadAccelerator ("nanotdb.read-accelerator" v1): a faster source for the samples of sealed
// partitions, published by a plugin (metricfiles) and consulted by the core's read path before
// a partition's raw data file. The core names the accelerator's file (metric-<key>.ntm in the
// database directory) and asks it only for partitions where that file exists; whatever the
// accelerator declines or fails at, the core reads from data-<key>.dat as without it.
//
// At most one accelerator is used (the first published). Called concurrently from any reading
// thread; must not throw (noexcept) and must not call back into the engine.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

struct AcceleratedRead {
  std::string_view db;
  std::string_view partition;  // the key: "2026-01-01"
  std::string_view path;       // <root>/<db>/metric-<key>.ntm (exists when asked)
  uint64_t raw_bytes = 0;      // size of data-<key>.dat now; 0 when the partition has none
  MetricId id = 0;             // the metric (ids are never reused within a database)
  Timestamp from = 0, to = 0;  // inclusive
};

class ReadAccelerator {
 public:
  static constexpr const char* kServiceName = "nanotdb.read-accelerator";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~ReadAccelerator() = default;

  // Either serves the read — calls fn for every sample of r.id with r.from <= ts <= r.to that
  // the partition holds, in ascending time (equal timestamps in arrival order), until fn
  // returns false — and returns true; or returns false without calling fn, and the core reads
  // the raw data file. It may serve only when its file holds exactly the partition's raw data:
  // built from a data file of r.raw_bytes bytes, or the raw file is gone (r.raw_bytes = 0).
  // A metric the file does not hold is served as empty. An error (damaged file) is returned
  // only before fn was called; the core then falls back to the raw data file when it exists
  // and otherwise reports the partition's samples of this metric as unreadable.
  virtual Result<bool> Read(const AcceleratedRead& r,
                            const std::function<bool(const Sample&)>& fn) noexcept = 0;
};

}  // namespace nanotdb
