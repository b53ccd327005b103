// The endpoints of the forward-remote-write plugin, parsed from the
// [[plugins.forward-remote-write.endpoint]] tables of engine.toml (docs/forwarding.md lists
// every key with its default). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanotdb/series.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb::forward {

// How a nanotdb metric name becomes the receiver's __name__.
enum class MetricNames {
  kPrometheus,  // every character outside [A-Za-z0-9_:] becomes '_' ("cpu.usage" -> "cpu_usage")
  kKeep,        // as stored (VictoriaMetrics accepts any name; Prometheus 2.x refuses dots)
};

struct EndpointConfig {
  std::string name;  // [A-Za-z0-9_-]+: the cursor file's name and the stats' endpoint label
  std::string url;   // http:// or https://, path included (".../api/v1/write")

  // What is sent: databases matching `databases` (globs) and none of `exclude_databases`;
  // inside them, series matching one of `series` and none of `exclude_series`. A pattern with
  // '{' is matched against the whole series key (`cpu{core="0"}`), one without against the
  // metric name. The internal database is sent only when named without a wildcard.
  std::vector<std::string> databases = {"*"};
  std::vector<std::string> exclude_databases;
  std::vector<std::string> series = {"*"};
  std::vector<std::string> exclude_series;

  Labels external_labels;       // added to every series that lacks the label; sorted
  std::string db_label = "db";  // label naming the source database; "" = none
  MetricNames metric_names = MetricNames::kPrometheus;

  // Authentication: at most one of bearer and basic.
  std::string bearer_token;  // or read from bearer_token_file at start
  std::string basic_user;
  std::string basic_password;  // or read from basic_auth_password_file at start
  // Extra request headers, e.g. {"X-Scope-OrgID", "fleet"} for a multi-tenant Mimir.
  std::vector<std::pair<std::string, std::string>> headers;
  // TLS for https:// URLs: the CA bundle to trust ("" = the system's), or no verification.
  std::string tls_ca_file;
  bool tls_insecure_skip_verify = false;

  int64_t timeout = 30 * kNanosPerSecond;          // per request
  size_t max_samples_per_send = 5000;              // samples in one WriteRequest
  int64_t window = 10 * 60 * kNanosPerSecond;      // time span one round reads across series
  int64_t interval = 5 * kNanosPerSecond;          // how often to look for new samples
  int64_t min_backoff = kNanosPerSecond;           // first retry delay, doubled per failure
  int64_t max_backoff = 5 * 60 * kNanosPerSecond;  // ... up to this
  int64_t backfill = 0;  // a new endpoint starts this far before its first start; 0 = from then
  // Drop policy: pending samples older than this are dropped, counted, instead of sent;
  // 0 = never (then only the databases' retention bounds the backlog).
  int64_t max_lag = 7 * 24 * 3600 * kNanosPerSecond;
};

// Parses GetTableToml("endpoint") of the plugin's section ("endpoint = [{...}, ...]"); "" means
// no endpoint. Errors name the endpoint (its index and name) and the key. Reads the
// *_file secrets, so it does I/O.
Result<std::vector<EndpointConfig>> ParseEndpoints(std::string_view toml_text);

// The receiver's metric name for a stored one.
std::string RemoteMetricName(std::string_view metric, MetricNames mode);

// True when `pattern` (a glob; with '{' against the key, else against the metric) selects the
// series `key` of metric `metric`.
bool SeriesPatternMatches(std::string_view pattern, std::string_view key, std::string_view metric);

}  // namespace nanotdb::forward
