// Query primitives shared by query-vm, rollup, nanocli and the dashboard: metric selection,
// bucketed aggregates and latest values on top of Engine::ReadRange.
//
// All functions are thread-safe (they only read through the Engine) and return Status.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/engine.h"

namespace nanotdb {

enum class Aggregate { kMin, kMax, kSum, kAvg, kCount, kFirst, kLast };

const char* AggregateName(Aggregate a);
// Parses "min,max,avg" (duplicates dropped, order kept). Errors name the bad entry and list the
// supported ones.
Status ParseAggregateList(std::string_view csv, std::vector<Aggregate>* out);
std::vector<std::string> SupportedAggregateNames();  // sorted

// One aggregate bucket. Buckets are aligned to the Unix epoch: start = floor(ts/window)*window.
// The first and last bucket are clipped to the queried range; `end` is the stamp reported.
struct Bucket {
  Timestamp start = 0;
  Timestamp end = 0;
  uint64_t count = 0;
  std::vector<double> values;  // one per requested aggregate, in request order
};

// Computes `aggs` over windows of `window` ns for samples in [from, to]. Only non-empty buckets
// are returned. window must be > 0.
Status AggregateRange(const Engine& engine, std::string_view db, std::string_view metric,
                      Timestamp from, Timestamp to, int64_t window,
                      const std::vector<Aggregate>& aggs, std::vector<Bucket>* out);

// How a metric selector is interpreted.
enum class SelectorKind {
  kExact,     // the name itself
  kWildcard,  // shell glob: '*' any run of characters, '?' one character
  kRegex,     // RE2, unanchored (use ^...$ to anchor)
};

// Returns the names (sorted) of the metrics of `db` that match. InvalidArgument for a bad
// regex, naming the pattern and RE2's reason.
Result<std::vector<std::string>> SelectMetrics(const Engine& engine, std::string_view db,
                                               std::string_view selector, SelectorKind kind);
// Matches one name against a glob ('*', '?').
bool WildcardMatch(std::string_view pattern, std::string_view name);

}  // namespace nanotdb
