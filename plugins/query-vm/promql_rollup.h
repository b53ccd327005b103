// PromQL range queries answered from rollups (docs/rollups.md, "Queries read rollups"): a
// query that is exactly `F_over_time(<selector>[W])`, F one of avg, min, max, sum, count, at a
// step where every window is made of whole rollup periods. Prometheus evaluates it at
// t = start + k*step over the samples in [t - W, t]; here that is the periods of [t - W, t)
// (from RollupReadService, which stitches raw samples for what is not rolled up) plus the raw
// samples stamped exactly t, so the answer is the evaluator's own up to float rounding. Rollups
// answer the steps whose window reaches back before a series' first raw sample (what
// retention deleted): the samples on each window's end cost a raw read per step, no faster
// than the evaluator where raw samples are all there, so the later steps are the evaluator's.
// Anything else (another shape, offset or @, a start or step off the period grid, a series no
// rollup answers, a range inside the raw samples) is left to the evaluator. Pure over the
// borrowed services; thread-safe.
#pragma once

#include <functional>
#include <vector>

#include "nanotdb/services/rollups.h"
#include "promql_ast.h"
#include "promql_eval.h"
#include "promql_series.h"
#include "rollup_read.h"

namespace nanotdb::queryvm {

// Evaluates the query over raw samples for the grid steps start..end (the evaluator's Run).
using EvaluateFn = std::function<Result<promql::QueryResult>(Timestamp start, Timestamp end)>;

// Sets *answered and fills *out (steps, vector) and *answers when the query is answered from
// rollups; leaves them untouched otherwise. Unsupported when the answer would hold more than
// max_points series x steps (as the evaluator refuses it).
Status TryRollupRangeQuery(const promql::Node& root, promql::SeriesSource& source,
                           RollupReadService& rollups, Timestamp start, Timestamp end, int64_t step,
                           uint64_t max_points, const EvaluateFn& evaluate,
                           promql::QueryResult* out, std::vector<RollupAnswer>* answers,
                           bool* answered);

}  // namespace nanotdb::queryvm
