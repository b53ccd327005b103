// RollupReader: answers aggregate queries from rollups (RollupReadService, docs/rollups.md,
// "Queries read rollups"), so a chart over months reads a few points per period instead of
// every raw sample.
//
// How an answer is put together:
// - Levels: the jobs of the series' database that roll it up (source_metric or source_pattern
//   minus exclusions) give one level per (destination, interval), holding the raw aggregate
//   of each period for every aggregate of the job. A cascade (a job of a destination rolling up
//   one of those outputs, at a multiple of the interval) is a level too where the pair composes
//   exactly: min of mins, max of maxes, sum of sums, sum of counts, first of firsts, last of
//   lasts. Other cascaded outputs (the avg of hourly avgs) are not raw aggregates and are not
//   used.
// - A level is usable for a query when the window is a multiple of its interval and every
//   requested aggregate is derived from what it holds (avg = sum / count), or, when the window
//   equals the interval, read as is (median, p95, ...).
// - A level covers the periods up to the end of the last period its series hold (what is
//   stamped later is not rolled up yet). The range is filled coarsest level first with the
//   whole periods inside it that the level covers; what is left (periods cut by the range,
//   the recent tail) goes to the next finer level, and finally to raw samples. Every period
//   lies inside one bucket (the window is a multiple of the interval and both are aligned to
//   the epoch), so a bucket is combined from whole periods and raw samples with no overlap.
//
// Thread-safe (the parsed manifests are cached under a mutex). The services are borrowed and
// must outlive the reader.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/services/databases.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/rollups.h"
#include "rollup_config.h"

namespace nanotdb::rollup {

// One place where the raw aggregates of a series' periods are stored.
struct RollupLevel {
  std::string db;
  int64_t interval = 0;
  std::map<Aggregate, std::string> series;  // raw aggregate -> destination series key
};

class RollupReader final : public RollupReadService {
 public:
  RollupReader(QueryService& query, DatabaseService& databases);
  RollupReader(const RollupReader&) = delete;
  RollupReader& operator=(const RollupReader&) = delete;

  // The levels rolling up db/series, cascades included, sorted by interval (coarsest first).
  std::vector<RollupLevel> Levels(std::string_view db, std::string_view series);

  Status AggregateRange(std::string_view db, std::string_view series, Timestamp from, Timestamp to,
                        int64_t window, const std::vector<Aggregate>& aggs,
                        std::vector<Bucket>* out, ReadReport* report,
                        RollupReadInfo* info) noexcept override;

 private:
  struct CachedConfig {
    std::string text;
    RollupConfig config;
    bool valid = false;
  };
  // The enabled [rollups] of `db`; no jobs when it has none or its manifest has an error (the
  // plugin reports those).
  RollupConfig Config(const std::string& db);
  void AddLevels(const std::string& db, const std::string& series, const RollupLevel* finer,
                 int depth, std::vector<RollupLevel>* out);
  Status Compose(std::string_view db, std::string_view series, Timestamp from, Timestamp to,
                 int64_t window, const std::vector<Aggregate>& aggs, std::vector<Bucket>* out,
                 ReadReport* report, RollupReadInfo* info);

  QueryService& query_;
  DatabaseService& databases_;
  std::mutex mu_;
  std::map<std::string, CachedConfig, std::less<>> configs_;  // guarded by mu_
};

}  // namespace nanotdb::rollup
