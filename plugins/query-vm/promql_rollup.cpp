#include "promql_rollup.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

namespace nanotdb::queryvm {
namespace {

using promql::Node;

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;  // Prometheus' staleness marker

const Node& Unparen(const Node& n) {
  const Node* p = &n;
  while (p->kind == Node::Kind::kParen) p = p->args[0].get();
  return *p;
}

// The aggregates each function needs, in the order Combine reads them.
std::optional<std::vector<Aggregate>> NeededAggregates(std::string_view f) {
  if (f == "avg_over_time") return std::vector<Aggregate>{Aggregate::kSum, Aggregate::kCount};
  if (f == "sum_over_time") return std::vector<Aggregate>{Aggregate::kSum};
  if (f == "count_over_time") return std::vector<Aggregate>{Aggregate::kCount};
  if (f == "min_over_time") return std::vector<Aggregate>{Aggregate::kMin};
  if (f == "max_over_time") return std::vector<Aggregate>{Aggregate::kMax};
  return std::nullopt;
}

Timestamp Mod(Timestamp a, int64_t m) {
  const Timestamp r = a % m;
  return r < 0 ? r + m : r;
}

// One window's running state.
struct Window {
  bool any = false;
  double sum = 0, count = 0;
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  // The evaluator's min/max: the first value, then any better one (NaN is replaced).
  void Min(double x) {
    if (!any || x < min || std::isnan(min)) min = x;
  }
  void Max(double x) {
    if (!any || x > max || std::isnan(max)) max = x;
  }
};

}  // namespace

Status TryRollupRangeQuery(const promql::Node& root, promql::SeriesSource& source,
                           RollupReadService& rollups, Timestamp start, Timestamp end, int64_t step,
                           uint64_t max_points, const EvaluateFn& evaluate,
                           promql::QueryResult* out, std::vector<RollupAnswer>* answers,
                           bool* answered) {
  *answered = false;
  const Node& call = Unparen(root);
  if (call.kind != Node::Kind::kCall || call.args.size() != 1 || step <= 0) return Status::Ok();
  const std::string& f = call.text;
  std::optional<std::vector<Aggregate>> aggs = NeededAggregates(f);
  if (!aggs) return Status::Ok();
  const Node& sel = Unparen(*call.args[0]);
  if (sel.kind != Node::Kind::kMatrixSelector || sel.offset != 0 ||
      sel.at != promql::AtKind::kNone || sel.range <= 0) {
    return Status::Ok();
  }
  const int64_t range = sel.range;
  // Buckets of width g tile every window [t - range, t) when t and range are multiples of g.
  const int64_t g = std::gcd(range, step);
  if (Mod(start, g) != 0 || end < start) return Status::Ok();
  const size_t steps = static_cast<size_t>((end - start) / step) + 1;
  const Timestamp last = start + static_cast<int64_t>(steps - 1) * step;

  std::vector<promql::StoredSeries> series;
  NANOTDB_RETURN_IF_ERROR(source.Select(sel.matchers, &series));
  if (series.empty()) return Status::Ok();
  if (series.size() * steps > max_points) return Status::Ok();  // the evaluator refuses it

  // Raw samples exist from each series' first one on. Steps whose window lies inside them are
  // left to the evaluator, which reads them as fast as this would (every window needs the raw
  // samples stamped exactly on its end); rollups answer the steps before: what retention
  // deleted, or what a series never had.
  std::vector<std::optional<Timestamp>> first_raw(series.size());
  std::optional<Timestamp> raw_from;  // the latest first sample
  for (size_t k = 0; k < series.size(); ++k) {
    NANOTDB_RETURN_IF_ERROR(
        source.Read(series[k], kMinTimestamp, kMaxTimestamp, [&](Timestamp ts, double) {
          first_raw[k] = ts;
          return false;
        }));
    if (first_raw[k]) raw_from = std::max(raw_from.value_or(kMinTimestamp), *first_raw[k]);
  }
  size_t split = steps;  // first step left to the evaluator
  if (raw_from) {
    const Timestamp need = *raw_from - start + range;  // t - range >= raw_from
    split = need <= 0 ? 0 : std::min<size_t>(steps, static_cast<size_t>((need + step - 1) / step));
  }
  if (split == 0) return Status::Ok();
  const Timestamp rolled_last = start + static_cast<int64_t>(split - 1) * step;

  std::vector<promql::StepSeries> result;
  std::vector<RollupAnswer> used;
  for (size_t k = 0; k < series.size(); ++k) {
    const promql::StoredSeries& s = series[k];
    std::vector<Bucket> buckets;
    RollupReadInfo info;
    NANOTDB_RETURN_IF_ERROR(rollups.AggregateRange(s.db, s.key, start - range, rolled_last - 1, g,
                                                   *aggs, &buckets, nullptr, &info));
    if (!info.used) return Status::Ok();  // one series the rollups cannot answer: all raw
    promql::StepSeries out_series;
    for (const Label& l : s.labels) {
      if (l.name != kMetricNameLabel) out_series.labels.push_back(l);
    }
    out_series.v.assign(steps, 0);
    out_series.has.assign(steps, 0);
    size_t lo = 0;
    for (size_t i = 0; i < split; ++i) {
      const Timestamp t = start + static_cast<int64_t>(i) * step;
      Window w;
      while (lo < buckets.size() && buckets[lo].start < t - range) ++lo;
      for (size_t b = lo; b < buckets.size() && buckets[b].start < t; ++b) {
        const std::vector<double>& v = buckets[b].values;
        if (f == "avg_over_time") {
          w.sum += v[0];
          w.count += v[1];
        } else if (f == "sum_over_time") {
          w.sum += v[0];
        } else if (f == "count_over_time") {
          w.count += v[0];
        } else if (f == "min_over_time") {
          w.Min(v[0]);
        } else {
          w.Max(v[0]);
        }
        w.any = true;
      }
      // [t - range, t] holds the samples stamped t; the bucket starting at t does not.
      if (first_raw[k] && t >= *first_raw[k]) {
        NANOTDB_RETURN_IF_ERROR(source.Read(s, t, t, [&](Timestamp, double x) {
          if (std::bit_cast<uint64_t>(x) == kStaleNaNBits) return true;
          w.sum += x;
          w.count += 1;
          w.Min(x);
          w.Max(x);
          w.any = true;
          return true;
        }));
      }
      if (!w.any) continue;
      double v;
      if (f == "avg_over_time") {
        v = w.sum / w.count;
      } else if (f == "sum_over_time") {
        v = w.sum;
      } else if (f == "count_over_time") {
        v = w.count;
      } else if (f == "min_over_time") {
        v = w.min;
      } else {
        v = w.max;
      }
      out_series.v[i] = v;
      out_series.has[i] = 1;
    }
    result.push_back(std::move(out_series));
    used.push_back({s.db, s.key, std::move(info)});
  }
  if (split < steps) {
    // The steps inside the raw samples, from the evaluator, joined by labels.
    NANOTDB_ASSIGN_OR_RETURN(promql::QueryResult tail,
                             evaluate(start + static_cast<int64_t>(split) * step, last));
    if (tail.kind != promql::ValueKind::kVector) return Status::Ok();
    for (promql::StepSeries& e : tail.vector) {
      auto it = std::find_if(result.begin(), result.end(),
                             [&](const promql::StepSeries& x) { return x.labels == e.labels; });
      if (it == result.end()) {
        promql::StepSeries fresh;
        fresh.labels = e.labels;
        fresh.v.assign(steps, 0);
        fresh.has.assign(steps, 0);
        result.push_back(std::move(fresh));
        it = result.end() - 1;
      }
      for (size_t j = 0; j < e.v.size() && split + j < steps; ++j) {
        it->v[split + j] = e.v[j];
        it->has[split + j] = e.has[j];
      }
    }
  }
  // Without their names two series may look the same: the evaluator reports that.
  std::sort(
      result.begin(), result.end(),
      [](const promql::StepSeries& a, const promql::StepSeries& b) { return a.labels < b.labels; });
  for (size_t i = 1; i < result.size(); ++i) {
    if (result[i - 1].labels == result[i].labels) return Status::Ok();
  }
  out->kind = promql::ValueKind::kVector;
  out->steps.clear();
  for (size_t i = 0; i < steps; ++i) out->steps.push_back(start + static_cast<int64_t>(i) * step);
  out->vector = std::move(result);
  *answers = std::move(used);
  *answered = true;
  return Status::Ok();
}

}  // namespace nanotdb::queryvm
