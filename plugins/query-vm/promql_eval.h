// Evaluation of a parsed PromQL expression (promql_ast.h) over a SeriesSource, with
// Prometheus 2.x semantics:
// - a query is evaluated at start, start + step, ... up to and including end (once);
// - an instant vector selector takes, per series, the latest sample in [t - lookback, t]
//   (lookback 5 minutes); a sample that is Prometheus' stale marker ends the series there;
// - a range selector x[r] takes the samples in [t - r, t]; offset moves t back, @ pins it;
// - rate/increase/delta extrapolate the way Prometheus does; functions, aggregations and
//   binary operators (with on/ignoring, group_left/group_right and bool) follow its rules,
//   including which of them drop the metric name.
//
// Limits, all of them checked before the work they bound: samples read from storage and samples
// visited by range-function windows (each max_samples; the windows are counted before any
// function runs), series x steps held for one selector (max_points), and the deadline
// (checked between series and every million samples visited).
// Errors: InvalidArgument for bad queries (400 bad_data), Unsupported when a limit is hit or the
// data cannot be combined, e.g. duplicate series in a one-to-one match (422 execution), Busy
// when the deadline passed (503 timeout); a storage failure is passed through.
//
// An Evaluator evaluates one query at a time; create one per request.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nanotdb/series.h"
#include "promql_ast.h"
#include "promql_series.h"

namespace nanotdb::queryvm::promql {

struct EvalOptions {
  int64_t lookback = 5 * 60 * int64_t{1'000'000'000};
  uint64_t max_samples = 50'000'000;
  uint64_t max_points = 1'000'000;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::string timeout_text;  // "30s": named in the timeout error
  // Resolution of subqueries without a step (`x[1h:]`), in instant and range queries alike
  // (Prometheus: the global evaluation interval, 1m by default; not the query's step).
  int64_t default_subquery_step = 60 * int64_t{1'000'000'000};
};

// Values at the query's steps: one entry per step, `has` says whether the series has a value.
struct StepSeries {
  Labels labels;
  std::vector<double> v;
  std::vector<uint8_t> has;
  bool float32 = false;  // values are float32 samples as stored (formatted as float32)
};

struct RawSeries {
  Labels labels;
  std::vector<std::pair<Timestamp, double>> points;
  bool float32 = false;
};

struct QueryResult {
  ValueKind kind = ValueKind::kVector;
  std::vector<Timestamp> steps;
  std::vector<double> scalar;      // kScalar: one per step
  std::vector<StepSeries> vector;  // kVector: in answer order
  std::vector<RawSeries> matrix;   // kMatrix: an instant query of a range vector
  std::string str;                 // kString
};

class Evaluator {
 public:
  Evaluator(SeriesSource& source, EvalOptions options);
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // An instant query at `time` (step = 0, start = end = time) or a range query.
  Result<QueryResult> Run(const Node& root, Timestamp start, Timestamp end, int64_t step);

  uint64_t samples_read() const { return samples_; }

 private:
  struct Grid;
  struct Val;
  Result<Val> Eval(const Node& n, const Grid& g);
  Result<std::vector<RawSeries>> EvalRange(const Node& n, const Grid& g, int64_t* range,
                                           std::vector<Timestamp>* eval_times);
  Result<std::vector<RawSeries>> ReadSelector(const Node& n, Timestamp from, Timestamp to);
  Result<Val> EvalSelector(const Node& n, const Grid& g, bool timestamps);
  Result<Val> EvalCall(const Node& n, const Grid& g);
  Result<Val> EvalRangeFunction(const Node& n, const Grid& g);
  Result<Val> EvalAggregate(const Node& n, const Grid& g);
  Result<Val> EvalBinary(const Node& n, const Grid& g);
  std::vector<Timestamp> EvalTimes(const Node& n, const Grid& g) const;
  Status CheckDeadline() const;
  Status CheckPoints(size_t series, size_t steps) const;

  SeriesSource& source_;
  EvalOptions options_;
  Timestamp query_start_ = 0;
  Timestamp query_end_ = 0;
  uint64_t samples_ = 0;
  uint64_t touched_ = 0;  // samples visited by range windows
};

// Prometheus' text of a value: "1", "0.5", "1e+21" style is never used; "NaN", "+Inf", "-Inf".
void AppendPromValue(std::string* out, double v, bool float32);
// The same text written at p (at least vm::kMaxValueChars bytes); returns its end.
char* WritePromValue(char* p, double v, bool float32);

}  // namespace nanotdb::queryvm::promql
