// How query_range's aggregate mode reads rollups (docs/rollups.md, "Queries read rollups"):
// the `rollup` parameter, the choice between a rollup answer and a raw one, and how the answer
// says which rollup series it read. Pure functions over the borrowed services; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "nanotdb/services/http.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/rollups.h"

namespace nanotdb::queryvm {

// `rollup=auto` (default: read rollups where they answer the query exactly) or `rollup=off`
// (raw samples only). InvalidArgument for another value.
Status RollupParam(const HttpRequest& req, bool* allowed);

// The buckets of db/series: from `rollups` when it is set, `allowed` and a rollup answers
// (*used then says what was read), else from raw data with `query` (used->used false).
Status AggregateSeries(QueryService& query, RollupReadService* rollups, bool allowed,
                       std::string_view db, std::string_view series, Timestamp from, Timestamp to,
                       int64_t window, const std::vector<Aggregate>& aggs, std::vector<Bucket>* out,
                       ReadReport* report, RollupReadInfo* used);

// One series answered from rollups.
struct RollupAnswer {
  std::string db, series;  // the queried (source) series
  RollupReadInfo info;
};

// Appends `,"rollups":[...]` (inside the data object, after "result") naming, per series, the
// rollup series read, their interval and the periods taken from them, and where the raw tail
// starts. Nothing when `answers` is empty.
void AppendRollupData(std::string* out, const std::vector<RollupAnswer>& answers);
// Appends `,"infos":["..."]` (envelope level, Prometheus' info annotations) with one line per
// series: "<db>/<series>: read rollups ...". Nothing when `answers` is empty.
void AppendRollupInfos(std::string* out, const std::vector<RollupAnswer>& answers);

}  // namespace nanotdb::queryvm
