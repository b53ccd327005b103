// JSON documents of the engine inspector (/api/engine/*), built from what MetadataService and
// QueryService report. Every document is the Prometheus-style envelope
//   {"status":"success","data":{"resultType":"engine_...","result":...}}
// so the UI parses one shape for every API. Timestamps appear twice: as Unix ns integers
// ("min_ts") and as RFC 3339 UTC text ("min_utc"); 0 means unknown. Field names are documented
// in docs/dashboard.md. Pure functions: thread-safe, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanotdb/engine_types.h"
#include "nanotdb/services/metadata.h"
#include "nanotdb/services/stats.h"

namespace nanotdb::ui {

// One database of the overview; `summary` failed when the database could not be inspected
// (reported inline as "error", not as an HTTP error).
struct OverviewEntry {
  std::string name;
  Result<DatabaseSummary> summary;
};

// resultType "engine_overview": result = [per-database totals], settings_toml = effective config.
std::string OverviewJson(const std::vector<OverviewEntry>& dbs, const std::string& settings_toml);

// resultType "engine_database": summary with every data file and its frames, WAL state and the
// metric list (name, id, type, last timestamp and value).
std::string DatabaseJson(const DatabaseSummary& summary, const std::vector<MetricInfo>& metrics);

// resultType "engine_runtime": process figures and loaded plugins; each plugin lists what it
// reports about itself (`stats`: name, labels object, value, counter, help), empty when none.
std::string RuntimeJson(const RuntimeInfo& runtime, const std::vector<PluginStats>& stats = {});

// {"status":"error","errorType":<type>,"error":<message>}; type is bad_data, not_found,
// execution or unavailable.
std::string ErrorJson(std::string_view type, std::string_view message);

}  // namespace nanotdb::ui
