// QueryVmApi: the HTTP query API of NanoTDB in the VictoriaMetrics/Prometheus wire format.
//
// It turns requests into QueryService calls and answers with the {"status","data"} envelope:
//   /-/healthy, /-/ready                               liveness for Prometheus tools
//   /api/v1/query, /api/v1/query_range                 latest value; raw, step and aggregates
//   /api/v1/databases, /api/v1/metrics, /api/v1/aggregates   discovery (reference API)
//   /api/v1/labels, /api/v1/label/<name>/values, /api/v1/series, /api/v1/status/buildinfo,
//   /api/v1/metadata, /api/v1/query_exemplars, /api/v1/rules, /api/v1/alerts
//                                                      the Prometheus API subset Grafana uses
// (/health itself belongs to the core, so it answers even with this plugin disabled.)
// docs/http-api.md documents every parameter, answer and error text.
//
// Thread safety: the handlers only read the (thread-safe) QueryService and may run
// concurrently. Ownership: the QueryService is borrowed and must outlive this object; routes
// returned by Routes() capture `this`, so this object must outlive the HTTP server's use of them.
// Reading never creates a database.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nanotdb/services/http.h"
#include "nanotdb/services/metric_metadata.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/rollups.h"
#include "promql_eval.h"
#include "promql_parser.h"
#include "series_selector.h"

namespace nanotdb::queryvm {

struct QueryVmOptions {
  // A query_range answer with more points than this is refused (422) with a hint to use step;
  // PromQL also refuses a selector holding more than this many series x steps.
  uint64_t max_points = 1'000'000;
  // PromQL: most samples one query may read (422 beyond).
  uint64_t max_samples = 50'000'000;
  // PromQL: the deadline of one query in ns (503 beyond); the timeout= parameter may shorten
  // it. 0: none.
  int64_t query_timeout = 30 * int64_t{1'000'000'000};
  // The database of selectors that name none; empty: every database but internal.
  std::string default_db;
  promql::ParseLimits parse_limits;
  // The wall clock (ns); tests pin it. Empty: the system clock.
  std::function<Timestamp()> now;
  // Served by /api/v1/metadata when set (borrowed; published by ingest-prometheus), else `{}`.
  MetricMetadataService* metadata = nullptr;
  // Aggregate queries read rollups through it when set (borrowed; published by the rollup
  // plugin) and not turned off with rollup=off (rollup_read.h).
  RollupReadService* rollups = nullptr;
};

class QueryVmApi {
 public:
  QueryVmApi(QueryService& query, QueryVmOptions options);
  QueryVmApi(const QueryVmApi&) = delete;
  QueryVmApi& operator=(const QueryVmApi&) = delete;

  // Every route above, with its methods (GET, plus POST where Prometheus allows a form body)
  // and role read, bound to this object.
  std::vector<RouteSpec> Routes();

  void Query(const HttpRequest& req, HttpResponse& resp) const;
  void QueryRange(const HttpRequest& req, HttpResponse& resp) const;
  void Aggregates(const HttpRequest& req, HttpResponse& resp) const;
  void Databases(const HttpRequest& req, HttpResponse& resp) const;
  void Metrics(const HttpRequest& req, HttpResponse& resp) const;
  void Labels(const HttpRequest& req, HttpResponse& resp) const;
  void LabelValues(const HttpRequest& req, HttpResponse& resp) const;  // path carries <name>
  void Series(const HttpRequest& req, HttpResponse& resp) const;
  void BuildInfo(const HttpRequest& req, HttpResponse& resp) const;
  // `limit`, `limit_per_metric`, `metric` as in Prometheus.
  void Metadata(const HttpRequest& req, HttpResponse& resp) const;

 private:
  Timestamp Now() const;
  // A parsed query and where its selectors read: `db` + an exact catalog name is that one
  // series; anything else is PromQL over the catalog (with `db` as the default database).
  struct PreparedQuery {
    promql::NodePtr root;
    std::unique_ptr<promql::CatalogSeriesSource> catalog;
    std::unique_ptr<promql::SeriesSource> source;  // set for the exact-name case
  };
  Status PrepareQuery(const HttpRequest& req, const std::string& query, PreparedQuery* out) const;
  Status EvalOptionsFor(const HttpRequest& req, promql::EvalOptions* out) const;
  // The union of the series every match[] parameter selects (PromQL selector rules,
  // promql_series.h); *any_match false when there is none.
  Status ResolveMatches(const HttpRequest& req, bool* any_match,
                        std::vector<promql::StoredSeries>* out) const;

  QueryService& query_;
  QueryVmOptions options_;
};

}  // namespace nanotdb::queryvm
