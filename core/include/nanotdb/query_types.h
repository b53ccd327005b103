// The vocabulary of queries shared by the core's query primitives (nanotdb/query.h) and the
// QueryService plugins call: aggregate functions and their names, aggregate buckets, and how a
// metric selector is read. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

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

// How a metric selector is interpreted.
enum class SelectorKind {
  kExact,     // the name itself
  kWildcard,  // shell glob: '*' any run of characters, '?' one character
  kRegex,     // RE2, unanchored (use ^...$ to anchor)
};

// Matches one name against a glob ('*', '?').
bool WildcardMatch(std::string_view pattern, std::string_view name);

}  // namespace nanotdb
