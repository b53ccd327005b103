// The vocabulary of queries shared by the core's query primitives (nanotdb/query.h) and the
// QueryService plugins call: aggregate functions and their names, aggregate buckets, and how a
// metric selector is read. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/series.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

// Aggregate functions over the samples of one bucket (docs/http-api.md, "Aggregates"):
//   min max sum avg count first last: as named (count is the number of samples);
//   median: the 0.5 quantile, also accepted as "p50"; p95, p99: the 0.95 and 0.99 quantiles.
//     Quantile q of n sorted values: position (n-1)*q, interpolated linearly between the two
//     neighbouring ranks (numpy's default "linear" method); one value is its own quantile.
//   trimmed_avg (alias "trimmed_average"): the mean after dropping k values from each end of
//     the sorted values, k = max(1, floor(n/20)) (5% per tail, at least one) when n >= 3;
//     for n <= 2 nothing is dropped.
// NaN samples sort after every number for median/p95/p99/trimmed_avg.
enum class Aggregate {
  kMin,
  kMax,
  kSum,
  kAvg,
  kCount,
  kFirst,
  kLast,
  kMedian,
  kP95,
  kP99,
  kTrimmedAvg
};

// The canonical name ("median" for kMedian, "trimmed_avg" for kTrimmedAvg).
const char* AggregateName(Aggregate a);
// Parses "min,max,avg" (duplicates dropped, order kept; aliases count as their aggregate).
// Errors name the bad entry and list the supported ones.
Status ParseAggregateList(std::string_view csv, std::vector<Aggregate>* out);
std::vector<std::string> SupportedAggregateNames();  // sorted, aliases included
// True for aggregates that need every value of a bucket (quantiles, trimmed mean), not only a
// running sum.
bool AggregateNeedsValues(Aggregate a);
// Computes `a` over `values` in time order (first/last take the ends). Quantiles and the
// trimmed mean sort `values` in place. NaN for an empty `values`.
double ComputeAggregate(Aggregate a, std::vector<double>& values);

// One aggregate bucket. Buckets are aligned to the Unix epoch: a bucket is the period
// [floor(ts/window)*window, +window). The first and last bucket are clipped to the queried
// range: `start` = max(period start, range start), `end` = min(period end, range end).
// Everything that reports a bucket (query_range, nanocli query, rollups) stamps it with
// `start` — the period start, or the range start for a first bucket that begins mid-period.
struct Bucket {
  Timestamp start = 0;
  Timestamp end = 0;
  uint64_t count = 0;
  std::vector<double> values;  // one per requested aggregate, in request order
};

// How a metric selector is interpreted.
enum class SelectorKind {
  kExact,     // the name itself
  kWildcard,  // shell glob: '*' any run of characters, '?' one character
  kRegex,     // RE2, unanchored (use ^...$ to anchor)
};

// Matches one name against a glob ('*', '?').
bool WildcardMatch(std::string_view pattern, std::string_view name);

// One label matcher of a series selection, with Prometheus semantics: a series without the
// label has the value "" for it (so `a=""` selects the series without `a`, `a!=""` those with
// it); regexes are RE2, anchored at both ends (`a=~"x|y"` is `^(?:x|y)$`). The name
// "__name__" matches the metric part of the series key. The database is not a label here:
// selections are made per database.
struct SeriesMatcher {
  enum class Op { kEqual, kNotEqual, kRegex, kNotRegex };
  std::string name;
  Op op = Op::kEqual;
  std::string value;
};

// One series of a database as a selection returns it.
struct SeriesInfo {
  std::string key;     // the catalog's name: the canonical series key (nanotdb/series.h)
  std::string metric;  // the metric part of the key; a name that does not parse as a key
                       // (older data) is all metric, with no labels
  Labels labels;       // sorted by name; neither __name__ nor db
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;
  std::optional<Sample> last;  // newest sample
};

}  // namespace nanotdb
