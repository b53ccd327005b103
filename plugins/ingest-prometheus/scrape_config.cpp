#include "scrape_config.h"

#include <set>

#include "nanotdb/config_table.h"
#include "nanotdb/time_util.h"

namespace nanotdb::prom {

Result<ScrapeTarget> ParseScrapeTarget(std::string_view text) {
  NANOTDB_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(text, "127.0.0.1:9100"));
  return ScrapeTarget{std::move(hp.host), hp.port, std::string(text)};
}

Result<std::vector<ScrapeJob>> ParseScrapeJobs(std::string_view toml_text,
                                               const ScrapeDefaults& defaults) {
  std::vector<ScrapeJob> jobs;
  if (toml_text.empty()) return jobs;
  NANOTDB_ASSIGN_OR_RETURN(ConfigTable root, ConfigTable::Parse(toml_text, "scrape"));
  NANOTDB_ASSIGN_OR_RETURN(std::vector<ConfigTable> tables,
                           root.Tables("scrape", "[[plugins.ingest-prometheus.scrape]]"));
  std::set<std::string> names;
  for (ConfigTable& t : tables) {
    ScrapeJob job;
    NANOTDB_RETURN_IF_ERROR(t.String("job_name", &job.job_name));
    if (job.job_name.empty()) {
      return Status::InvalidArgument(t.where() + ": job_name is required (the `job` label)");
    }
    t.set_where(t.where() + " (job \"" + job.job_name + "\")");
    const std::string& where = t.where();
    if (!names.insert(job.job_name).second) {
      return Status::InvalidArgument(where + ": job_name used twice");
    }
    NANOTDB_RETURN_IF_ERROR(t.Known({"job_name", "targets", "interval", "timeout", "metrics_path",
                                     "db", "bearer_token", "labels"}));
    std::vector<std::string> targets;
    NANOTDB_RETURN_IF_ERROR(t.Strings("targets", &targets));
    if (targets.empty()) {
      return Status::InvalidArgument(where +
                                     ": targets is required: a list of \"host:port\" strings");
    }
    for (size_t k = 0; k < targets.size(); ++k) {
      Result<ScrapeTarget> target = ParseScrapeTarget(targets[k]);
      if (!target.ok()) {
        return target.status().WithContext(where + ": targets[" + std::to_string(k) + "]");
      }
      job.targets.push_back(std::move(target).value());
    }
    job.interval_ns = defaults.interval_ns;
    NANOTDB_RETURN_IF_ERROR(t.Duration("interval", &job.interval_ns));
    job.timeout_ns = defaults.timeout_ns;
    NANOTDB_RETURN_IF_ERROR(t.Duration("timeout", &job.timeout_ns));
    if (job.timeout_ns > job.interval_ns) {
      if (t.Has("timeout")) {
        return Status::InvalidArgument(where + ": timeout (" + FormatDuration(job.timeout_ns) +
                                       ") must not exceed interval (" +
                                       FormatDuration(job.interval_ns) + ")");
      }
      job.timeout_ns = job.interval_ns;
    }
    NANOTDB_RETURN_IF_ERROR(t.String("metrics_path", &job.metrics_path));
    if (job.metrics_path.empty() || job.metrics_path[0] != '/') {
      return Status::InvalidArgument(where + ": metrics_path must start with '/', got \"" +
                                     job.metrics_path + "\"");
    }
    job.db = defaults.db;
    NANOTDB_RETURN_IF_ERROR(t.String("db", &job.db));
    NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(job.db).WithContext(where + ": db"));
    NANOTDB_RETURN_IF_ERROR(t.String("bearer_token", &job.bearer_token));
    if (job.bearer_token.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument(where + ": bearer_token must be one line");
    }
    std::vector<std::pair<std::string, std::string>> labels;
    NANOTDB_RETURN_IF_ERROR(t.StringPairs("labels", &labels));
    for (auto& [name, value] : labels) {
      if (name == "job" || name == "instance") {
        return Status::InvalidArgument(where + ": labels." + name +
                                       " is set by the scraper (job_name, targets)");
      }
      job.labels.push_back({std::move(name), std::move(value)});
    }
    NANOTDB_RETURN_IF_ERROR(NormalizeLabels(&job.labels).WithContext(where + ": labels"));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace nanotdb::prom
