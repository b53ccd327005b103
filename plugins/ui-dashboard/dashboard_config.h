// dashboard.json: validation and normalisation of the dashboard layout the UI renders.
//
// The schema (docs/dashboard.md) is a title, an optional default database, groups that list
// widget ids, and a map of widgets (number, numbers, line_chart, aggregate_band) each holding
// series. ValidateDashboard checks every rule and reports every problem at once, each naming the
// widget, the series and the field, so a refused save can be fixed in one pass. On success it
// returns the normalised document: aliases folded (database → db, query / measurement+field →
// metric, flat scale/offset/unit/decimals/format → transform), chart series windows set to the
// widget interval, empty transform/threshold objects dropped, keys in a canonical order.
//
// Pure functions: thread-safe, no I/O, no exceptions escape.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nanotdb::ui {

struct DashboardValidation {
  std::vector<std::string> errors;  // empty when the document is valid
  std::string normalized_json;      // pretty-printed (2 spaces) when valid, else ""
  bool ok() const { return errors.empty(); }
};

DashboardValidation ValidateDashboard(std::string_view json_text);

// A dashboard duration: a positive integer and one unit s, m, h, d or w (case-insensitive):
// "90s", "24h", "7d". "1h30m", "1.5h" and "500ms" are refused. Sets *ns on success.
bool ParseDashboardDuration(std::string_view text, int64_t* ns);

// Aggregates a dashboard series may ask for (the set of nanotdb/query.h), sorted.
const std::vector<std::string>& DashboardAggregates();

}  // namespace nanotdb::ui
