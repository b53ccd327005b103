// Scrape jobs: the [[plugins.ingest-prometheus.scrape]] tables of engine.toml.
//
//   [[plugins.ingest-prometheus.scrape]]
//   job_name = "node"                    required, unique; the `job` label
//   targets = ["127.0.0.1:9100"]         required: host:port, each is one `instance`
//   interval = "30s"                     how often (default: the plugin's scrape_interval)
//   timeout = "10s"                      whole-scrape limit, at most interval (default: the
//                                        plugin's scrape_timeout, capped at interval)
//   metrics_path = "/metrics"
//   db = "node"                          database (default: the plugin's db)
//   bearer_token = "..."                 sent as "Authorization: Bearer ..." (Home Assistant)
//   [plugins.ingest-prometheus.scrape.labels]
//   site = "attic"                       extra labels on every sample of the job
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/series.h"
#include "nanotdb/status.h"

namespace nanotdb::prom {

struct ScrapeTarget {
  std::string host;
  uint16_t port = 0;
  std::string instance;  // "host:port" as written
};

struct ScrapeJob {
  std::string job_name;
  std::vector<ScrapeTarget> targets;
  int64_t interval_ns = 0;
  int64_t timeout_ns = 0;
  std::string metrics_path = "/metrics";
  std::string db;
  std::string bearer_token;  // "" = no Authorization header
  Labels labels;             // extra labels, normalised (sorted)
};

struct ScrapeDefaults {
  std::string db;
  int64_t interval_ns = 0;
  int64_t timeout_ns = 0;
};

// Parses "host:port" or "[v6]:port". InvalidArgument names the problem.
Result<ScrapeTarget> ParseScrapeTarget(std::string_view text);

// Parses the TOML text PluginConfig::GetTableToml("scrape") returns (a `scrape` array of
// tables; "" means no jobs). Errors are InvalidArgument naming the job and key, e.g.
// `scrape[1] (job "node"): targets[0] "localhost": expected host:port`.
Result<std::vector<ScrapeJob>> ParseScrapeJobs(std::string_view toml_text,
                                               const ScrapeDefaults& defaults);

}  // namespace nanotdb::prom
