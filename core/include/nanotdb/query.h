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
#include "nanotdb/query_types.h"

namespace nanotdb {

// Computes `aggs` over windows of `window` ns for samples in [from, to]. Only non-empty buckets
// are returned. window must be > 0. What the read skipped as damaged goes to *report.
Status AggregateRange(const Engine& engine, std::string_view db, std::string_view metric,
                      Timestamp from, Timestamp to, int64_t window,
                      const std::vector<Aggregate>& aggs, std::vector<Bucket>* out,
                      ReadReport* report = nullptr);

// Returns the names (sorted) of the metrics of `db` that match. InvalidArgument for a bad
// regex, naming the pattern and RE2's reason.
Result<std::vector<std::string>> SelectMetrics(const Engine& engine, std::string_view db,
                                               std::string_view selector, SelectorKind kind);
}  // namespace nanotdb
