#include "scrape_config.h"

#include <toml++/toml.h>

#include <charconv>
#include <set>

#include "nanotdb/time_util.h"

namespace nanotdb::prom {
namespace {

Result<int64_t> DurationKey(const toml::table& t, std::string_view key, int64_t fallback,
                            const std::string& where) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return fallback;
  const auto* s = node->as_string();
  if (s == nullptr) {
    return Status::InvalidArgument(where + ": " + std::string(key) +
                                   " must be a duration string such as \"30s\"");
  }
  Result<int64_t> d = ParseDuration(s->get());
  if (!d.ok()) return d.status().WithContext(where + ": " + std::string(key));
  if (*d <= 0) return Status::InvalidArgument(where + ": " + std::string(key) + " must be > 0");
  return *d;
}

Result<std::string> StringKey(const toml::table& t, std::string_view key, std::string fallback,
                              const std::string& where) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return fallback;
  const auto* s = node->as_string();
  if (s == nullptr) {
    return Status::InvalidArgument(where + ": " + std::string(key) + " must be a string");
  }
  return s->get();
}

}  // namespace

Result<ScrapeTarget> ParseScrapeTarget(std::string_view text) {
  const Status bad = Status::InvalidArgument("\"" + std::string(text) +
                                             "\": expected host:port (such as 127.0.0.1:9100)");
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return bad;
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return bad;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad;  // an IPv6 address needs brackets
  }
  if (host.find_first_of("/ \t") != std::string_view::npos) return bad;
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto res = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (res.ec != std::errc() || res.ptr != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return Status::InvalidArgument("\"" + std::string(text) + "\": port must be 1..65535");
  }
  return ScrapeTarget{std::string(host), static_cast<uint16_t>(port), std::string(text)};
}

Result<std::vector<ScrapeJob>> ParseScrapeJobs(std::string_view toml_text,
                                               const ScrapeDefaults& defaults) {
  std::vector<ScrapeJob> jobs;
  if (toml_text.empty()) return jobs;
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string("scrape: ") + std::string(e.description()));
  }
  const toml::array* list = root["scrape"].as_array();
  if (list == nullptr) {
    return Status::InvalidArgument(
        "scrape: expected [[plugins.ingest-prometheus.scrape]] tables (an array of tables)");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string where = "scrape[" + std::to_string(i) + "]";
    const toml::table* t = (*list)[i].as_table();
    if (t == nullptr) return Status::InvalidArgument(where + ": expected a table");
    ScrapeJob job;
    NANOTDB_ASSIGN_OR_RETURN(job.job_name, StringKey(*t, "job_name", "", where));
    if (job.job_name.empty()) {
      return Status::InvalidArgument(where + ": job_name is required (the `job` label)");
    }
    where += " (job \"" + job.job_name + "\")";
    if (!names.insert(job.job_name).second) {
      return Status::InvalidArgument(where + ": job_name used twice");
    }
    for (const auto& [key, node] : *t) {
      static const std::set<std::string, std::less<>> kKnown = {
          "job_name",     "targets", "interval",     "timeout",
          "metrics_path", "db",      "bearer_token", "labels"};
      if (!kKnown.count(key.str())) {
        return Status::InvalidArgument(where + ": unknown key \"" + std::string(key.str()) +
                                       "\" (known: job_name, targets, interval, timeout, "
                                       "metrics_path, db, bearer_token, labels)");
      }
    }
    const toml::array* targets = t->get_as<toml::array>("targets");
    if (targets == nullptr || targets->empty()) {
      return Status::InvalidArgument(where +
                                     ": targets is required: a list of \"host:port\" strings");
    }
    for (size_t k = 0; k < targets->size(); ++k) {
      const auto* s = (*targets)[k].as_string();
      std::string at = where + ": targets[" + std::to_string(k) + "]";
      if (s == nullptr) return Status::InvalidArgument(at + ": expected a \"host:port\" string");
      Result<ScrapeTarget> target = ParseScrapeTarget(s->get());
      if (!target.ok()) return target.status().WithContext(at);
      job.targets.push_back(std::move(target).value());
    }
    NANOTDB_ASSIGN_OR_RETURN(job.interval_ns,
                             DurationKey(*t, "interval", defaults.interval_ns, where));
    const bool explicit_timeout = t->get("timeout") != nullptr;
    NANOTDB_ASSIGN_OR_RETURN(job.timeout_ns,
                             DurationKey(*t, "timeout", defaults.timeout_ns, where));
    if (job.timeout_ns > job.interval_ns) {
      if (explicit_timeout) {
        return Status::InvalidArgument(where + ": timeout (" + FormatDuration(job.timeout_ns) +
                                       ") must not exceed interval (" +
                                       FormatDuration(job.interval_ns) + ")");
      }
      job.timeout_ns = job.interval_ns;
    }
    NANOTDB_ASSIGN_OR_RETURN(job.metrics_path, StringKey(*t, "metrics_path", "/metrics", where));
    if (job.metrics_path.empty() || job.metrics_path[0] != '/') {
      return Status::InvalidArgument(where + ": metrics_path must start with '/', got \"" +
                                     job.metrics_path + "\"");
    }
    NANOTDB_ASSIGN_OR_RETURN(job.db, StringKey(*t, "db", defaults.db, where));
    NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(job.db).WithContext(where + ": db"));
    NANOTDB_ASSIGN_OR_RETURN(job.bearer_token, StringKey(*t, "bearer_token", "", where));
    if (job.bearer_token.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument(where + ": bearer_token must be one line");
    }
    if (const toml::node* labels = t->get("labels")) {
      const toml::table* lt = labels->as_table();
      if (lt == nullptr) {
        return Status::InvalidArgument(where + ": labels must be a table of name = \"value\"");
      }
      for (const auto& [key, node] : *lt) {
        const auto* s = node.as_string();
        std::string name(key.str());
        if (s == nullptr) {
          return Status::InvalidArgument(where + ": labels." + name + " must be a string");
        }
        if (name == "job" || name == "instance") {
          return Status::InvalidArgument(where + ": labels." + name +
                                         " is set by the scraper (job_name, targets)");
        }
        job.labels.push_back({name, s->get()});
      }
      NANOTDB_RETURN_IF_ERROR(NormalizeLabels(&job.labels).WithContext(where + ": labels"));
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace nanotdb::prom
