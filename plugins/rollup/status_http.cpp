#include "status_http.h"

#include <charconv>

#include "nanotdb/time_util.h"
#include "nanotdb/vm_json.h"
#include "rollup_config.h"

namespace nanotdb::rollup {
namespace {

void AppendList(std::string* out, const std::vector<std::string>& items) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out->push_back(',');
    vm::AppendJsonString(out, items[i]);
  }
  out->push_back(']');
}

void AppendField(std::string* out, std::string_view name, std::string_view value) {
  vm::AppendJsonString(out, name);
  out->push_back(':');
  vm::AppendJsonString(out, value);
}

std::string Milliseconds(double ms) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, ms, std::chars_format::fixed, 3);
  return std::string(buf, res.ptr);
}

// One database's [rollups]: its manifest error, or its jobs. False when it defines none.
bool AppendSource(std::string* out, const std::string& db, QueryService& query,
                  DatabaseService& databases) {
  Result<std::string> text = databases.ManifestText(db);
  if (!text.ok()) return false;
  Result<RollupConfig> cfg = ParseRollupConfig(*text, db + "/manifest.toml", db, nullptr);
  if (cfg.ok() && (!cfg->enabled || cfg->jobs.empty())) return false;
  *out += "{";
  AppendField(out, "db", db);
  if (!cfg.ok()) {
    *out += ",";
    AppendField(out, "error", cfg.status().message() + " (the jobs of " + db + " do not run)");
    *out += "}";
    return true;
  }
  std::vector<MetricInfo> metrics;
  if (Result<std::vector<MetricInfo>> m = query.ListMetrics(db); m.ok()) metrics = std::move(*m);
  *out += ",\"jobs\":[";
  for (size_t j = 0; j < cfg->jobs.size(); ++j) {
    const RollupJob& job = cfg->jobs[j];
    if (j) *out += ",";
    *out += "{";
    AppendField(out, "id", job.id);
    *out += ",";
    if (!job.source_metric.empty()) {
      AppendField(out, "source_metric", job.source_metric);
    } else if (!job.source_pattern.empty()) {
      AppendField(out, "source_pattern", job.source_pattern);
    } else {
      AppendField(out, "source_job", job.source_job);
    }
    *out += ",";
    AppendField(out, "destination_db", job.destination_db);
    *out += ",";
    AppendField(out, "interval", FormatDuration(job.interval));
    *out += ",\"destination_exists\":";
    *out += query.DatabaseExists(job.destination_db) ? "true" : "false";
    size_t series = 0;
    for (const MetricInfo& m : metrics) {
      series += (job.parent < 0 ? JobTakes(job, m.name) : CascadeTakes(*cfg, job, m.name)) ? 1 : 0;
    }
    *out += ",\"series\":" + std::to_string(series) + "}";
  }
  *out += "]}";
  return true;
}

}  // namespace

std::string RollupStatusJson(const Roller& roller, QueryService& query,
                             DatabaseService& databases) {
  const PassReport pass = roller.LastPass();
  std::string out = "{\"passes\":" + std::to_string(pass.passes) + ",\"last_pass\":";
  if (pass.passes == 0) {
    out += "null";
  } else {
    out += "{";
    AppendField(&out, "finished", FormatRfc3339(pass.finished));
    out += ",\"duration_ms\":" + Milliseconds(pass.duration_ms);
    out += ",\"jobs\":" + std::to_string(pass.stats.jobs);
    out += ",\"periods\":" + std::to_string(pass.stats.periods);
    out += ",\"points_written\":" + std::to_string(pass.stats.points_written);
    out += ",\"errors\":";
    AppendList(&out, pass.stats.errors);
    out += "}";
  }
  out += ",\"sources\":[";
  bool first = true;
  for (const std::string& db : query.ListDatabases(false)) {
    std::string source;
    if (!AppendSource(&source, db, query, databases)) continue;
    if (!first) out += ",";
    first = false;
    out += source;
  }
  out += "]}";
  return out;
}

RouteSpec StatusRoute(const Roller& roller, QueryService& query, DatabaseService& databases) {
  RouteSpec route;
  route.path = "/api/v1/rollup/status";
  route.methods = {"GET"};
  route.role = Role::kRead;
  route.handler = [&roller, &query, &databases](const HttpRequest&, HttpResponse& resp) {
    std::string data = "{\"resultType\":\"rollup_status\",\"result\":";
    data += RollupStatusJson(roller, query, databases);
    data += '}';
    vm::RespondSuccess(resp, data);
  };
  return route;
}

}  // namespace nanotdb::rollup
