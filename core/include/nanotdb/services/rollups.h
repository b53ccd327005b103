// RollupReadService ("nanotdb.rollup-read" v1): aggregate reads answered from rollups
// (docs/rollups.md, "Queries read rollups"). Published by the rollup plugin at Register; query
// APIs look it up and read raw data without it. Thread-safe; nothing throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/engine_types.h"
#include "nanotdb/query_types.h"

namespace nanotdb {

// One rollup level an answer read: the destination series holding each needed aggregate of
// the source, and the whole periods [from, to) taken from them.
struct RollupLevelUse {
  std::string db;                   // destination database
  std::vector<std::string> series;  // its series keys read, e.g. "room.temp.sum"
  int64_t interval = 0;             // period length, ns
  Timestamp from = 0, to = 0;       // first period start, last period end (exclusive)
};

struct RollupReadInfo {
  // True when some part of the answer came from rollups; false: *out was left empty and the
  // caller reads raw data (`reason` says why, for logs and tests).
  bool used = false;
  std::vector<RollupLevelUse> levels;  // coarsest interval first
  // Raw samples were read for [raw_from, query end] (the recent tail that is not rolled up yet)
  // and for periods cut by the query's start; kMaxTimestamp when no tail was read.
  Timestamp raw_tail_from = kMaxTimestamp;
  std::string reason;
};

class RollupReadService {
 public:
  static constexpr const char* kServiceName = "nanotdb.rollup-read";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~RollupReadService() = default;

  // The buckets QueryService::AggregateRangeReporting(db, series, from, to, window, aggs)
  // gives over raw data, computed from rollups of `series` where whole rollup periods lie inside
  // [from, to] and are already rolled up, and from raw samples elsewhere (periods cut by the
  // range, the not yet rolled up tail). A rollup level is used when `window` is a multiple of
  // its interval and it holds what every aggregate in `aggs` needs (min, max, sum, count, first,
  // last from the same aggregate; avg from sum and count; any aggregate from itself when
  // `window` equals the interval). When none is usable, info->used is false and *out is empty.
  virtual Status AggregateRange(std::string_view db, std::string_view series, Timestamp from,
                                Timestamp to, int64_t window, const std::vector<Aggregate>& aggs,
                                std::vector<Bucket>* out, ReadReport* report,
                                RollupReadInfo* info) noexcept = 0;
};

}  // namespace nanotdb
