#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "nanotdb/query.h"
#include "nanotdb/stale_marker.h"

namespace nanotdb {
namespace {

// Running state of one bucket; every aggregate is computed in one pass. Quantiles and the
// trimmed mean need the bucket's values, which are kept only when one of them is asked for.
struct Accumulator {
  bool keep_values = false;
  std::vector<double> values;
  uint64_t count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double first = 0, last = 0;

  void Add(double v) {
    if (count == 0) first = v;
    last = v;
    ++count;
    sum += v;
    min = std::min(min, v);
    max = std::max(max, v);
    if (keep_values) values.push_back(v);
  }
  void Reset() {
    values.clear();  // keeps its capacity for the next bucket
    count = 0;
    sum = 0;
    min = std::numeric_limits<double>::infinity();
    max = -std::numeric_limits<double>::infinity();
    first = last = 0;
  }
  double Get(Aggregate a) {
    switch (a) {
      case Aggregate::kMin:
        return min;
      case Aggregate::kMax:
        return max;
      case Aggregate::kSum:
        return sum;
      case Aggregate::kAvg:
        return sum / static_cast<double>(count);
      case Aggregate::kCount:
        return static_cast<double>(count);
      case Aggregate::kFirst:
        return first;
      case Aggregate::kLast:
        return last;
      case Aggregate::kMedian:
      case Aggregate::kP95:
      case Aggregate::kP99:
      case Aggregate::kTrimmedAvg:
        return ComputeAggregate(a, values);
    }
    return 0;
  }
};

Timestamp FloorTo(Timestamp ts, int64_t window) {
  Timestamp q = ts / window;
  if (ts % window != 0 && ts < 0) --q;
  return q * window;
}

}  // namespace

Status AggregateRange(const Engine& engine, std::string_view db, std::string_view metric,
                      Timestamp from, Timestamp to, int64_t window,
                      const std::vector<Aggregate>& aggs, std::vector<Bucket>* out,
                      ReadReport* report) {
  out->clear();
  if (window <= 0) return Status::InvalidArgument("window must be a positive duration");
  if (aggs.empty()) return Status::InvalidArgument("at least one aggregate is required");
  if (to < from) return Status::InvalidArgument("end must be >= start");
  NANOTDB_ASSIGN_OR_RETURN(MetricInfo info, engine.GetMetric(db, metric));
  Accumulator acc;
  acc.keep_values = std::any_of(aggs.begin(), aggs.end(), AggregateNeedsValues);
  Timestamp bucket = 0;
  auto close_bucket = [&] {
    if (acc.count == 0) return;
    Bucket b;
    b.start = std::max(bucket, from);
    // The last bucket of an open-ended range ends at its natural end.
    Timestamp natural_end = bucket > kMaxTimestamp - window ? kMaxTimestamp : bucket + window;
    b.end = std::min(natural_end, to);
    b.count = acc.count;
    b.values.reserve(aggs.size());
    for (Aggregate a : aggs) b.values.push_back(acc.Get(a));
    out->push_back(std::move(b));
    acc.Reset();
  };
  Status st = engine.ReadRange(
      db, metric, from, to, 1,
      [&](const Sample& s) {
        if (IsStaleMarker(info.type, s.bits))
          return true;  // not a value: a bucket of markers alone is empty
        Timestamp b = FloorTo(s.ts, window);
        if (acc.count > 0 && b != bucket) close_bucket();
        bucket = b;
        acc.Add(Value{info.type, s.bits}.AsDouble());
        return true;
      },
      report);
  NANOTDB_RETURN_IF_ERROR(st);
  close_bucket();
  return Status::Ok();
}

}  // namespace nanotdb
