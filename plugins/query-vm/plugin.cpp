// The query-vm plugin: registers QueryVmApi's routes on the core's HTTP router.
#include "nanotdb/plugin.h"

#include <memory>

#include "nanotdb/services/http.h"
#include "nanotdb/services/metric_metadata.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/rollups.h"
#include "query_vm.h"

namespace nanotdb::queryvm {
namespace {

const ConfigKey kConfigKeys[] = {
    {"max_points", ConfigType::kInt, "1000000",
     "most points one query_range answer (or one PromQL selector, series x steps) may hold; "
     "larger answers get 422"},
    {"max_samples", ConfigType::kInt, "50000000",
     "most samples one PromQL query may read; beyond it the query stops with 422"},
    {"query_timeout", ConfigType::kDuration, "\"30s\"",
     "deadline of one PromQL query (503 beyond); a timeout= parameter may only shorten it"},
    {"default_db", ConfigType::kString, "\"\"",
     "database of PromQL selectors that name no db; empty: every database but internal"},
};

class QueryVmPlugin {
 public:
  Status Register(PluginContext&) { return Status::Ok(); }

  Status Start(PluginContext& ctx) {
    auto* query = ctx.Find<QueryService>();
    auto* http = ctx.Find<HttpService>();
    if (query == nullptr || http == nullptr) {
      return Status::NotFound(
          "query-vm needs the core services nanotdb.query v1 and nanotdb.http v1; this "
          "nanotdb does not provide them (rebuild the plugin against the running SDK)");
    }
    int64_t max_points = ctx.config().GetInt("max_points");
    if (max_points <= 0) {
      return Status::InvalidArgument("[plugins.query-vm] max_points must be > 0, got " +
                                     std::to_string(max_points));
    }
    int64_t max_samples = ctx.config().GetInt("max_samples");
    if (max_samples <= 0) {
      return Status::InvalidArgument("[plugins.query-vm] max_samples must be > 0, got " +
                                     std::to_string(max_samples));
    }
    QueryVmOptions options;
    options.max_points = static_cast<uint64_t>(max_points);
    options.max_samples = static_cast<uint64_t>(max_samples);
    options.query_timeout = ctx.config().GetDuration("query_timeout");
    options.default_db = ctx.config().GetString("default_db");
    if (!options.default_db.empty()) {
      NANOTDB_RETURN_IF_ERROR(
          ValidateDatabaseName(options.default_db).WithContext("[plugins.query-vm] default_db"));
    }
    // Optional: published by ingest-prometheus when it is enabled.
    options.metadata = ctx.Find<MetricMetadataService>();
    // Optional: published by the rollup plugin when it is enabled.
    options.rollups = ctx.Find<RollupReadService>();
    api_ = std::make_unique<QueryVmApi>(*query, std::move(options));
    for (RouteSpec& route : api_->Routes()) {
      std::string path = route.path;
      NANOTDB_RETURN_IF_ERROR(
          http->AddRoute(std::move(route)).WithContext("query-vm: route " + path));
    }
    return Status::Ok();
  }

  // The core stops the HTTP server before Stop, so no handler runs any more; api_ goes with
  // the plugin object.
  void Stop() {}

 private:
  std::unique_ptr<QueryVmApi> api_;
};

}  // namespace
}  // namespace nanotdb::queryvm

NANOTDB_PLUGIN(
    nanotdb::queryvm::QueryVmPlugin, "query-vm", "0.1.0",
    "VictoriaMetrics/Prometheus query API: query, query_range, discovery, Grafana endpoints",
    nanotdb::queryvm::kConfigKeys)
