#include "forward_config.h"

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "nanotdb/config_table.h"
#include "nanotdb/query_types.h"
#include "nanotdb/time_util.h"

namespace nanotdb::forward {
namespace {

const std::set<std::string, std::less<>> kKeys = {
    "name",
    "url",
    "databases",
    "exclude_databases",
    "series",
    "exclude_series",
    "external_labels",
    "db_label",
    "metric_names",
    "bearer_token",
    "bearer_token_file",
    "basic_auth_user",
    "basic_auth_password",
    "basic_auth_password_file",
    "tls_ca_file",
    "tls_insecure_skip_verify",
    "timeout",
    "max_samples_per_send",
    "window",
    "interval",
    "min_backoff",
    "max_backoff",
    "backfill",
    "max_lag",
    "headers",
};

// A secret read from the file named by `key` (its trailing newlines dropped); *out is left as
// it is when the key is absent.
Status FileSecret(const ConfigTable& t, std::string_view key, std::string* out) {
  std::string path;
  NANOTDB_RETURN_IF_ERROR(t.String(key, &path));
  if (path.empty()) return Status::Ok();
  std::ifstream in(path, std::ios::binary);
  if (!in) return t.Error(key, "\"" + path + "\" cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) return t.Error(key, "\"" + path + "\" is empty");
  *out = std::move(s);
  return Status::Ok();
}

Result<EndpointConfig> ParseEndpoint(ConfigTable r, size_t index) {
  EndpointConfig e;
  r.set_where("endpoint " + std::to_string(index + 1));
  NANOTDB_RETURN_IF_ERROR(r.String("name", &e.name));
  if (e.name.empty()) return r.Error("name", "is required (it names the endpoint's cursor file)");
  for (char c : e.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return r.Error("name", "\"" + e.name + "\" may hold only letters, digits, '_' and '-'");
    }
  }
  r.set_where(r.where() + " (" + e.name + ")");
  const std::string& where = r.where();
  const toml::table& t = r.raw();
  for (auto&& [k, v] : t) {
    if (!kKeys.contains(k.str())) {
      return Status::InvalidArgument(where + ": unknown key \"" + std::string(k.str()) + "\"");
    }
  }
  NANOTDB_RETURN_IF_ERROR(r.String("url", &e.url));
  if (!e.url.starts_with("http://") && !e.url.starts_with("https://")) {
    return r.Error("url", "must start with http:// or https:// (got \"" + e.url + "\")");
  }
  NANOTDB_RETURN_IF_ERROR(r.Strings("databases", &e.databases));
  NANOTDB_RETURN_IF_ERROR(r.Strings("exclude_databases", &e.exclude_databases));
  NANOTDB_RETURN_IF_ERROR(r.Strings("series", &e.series));
  NANOTDB_RETURN_IF_ERROR(r.Strings("exclude_series", &e.exclude_series));
  if (const toml::node* n = t.get("external_labels")) {
    const toml::table* labels = n->as_table();
    if (labels == nullptr)
      return r.Error("external_labels", "must be a table such as { instance = \"pi\" }");
    for (auto&& [k, v] : *labels) {
      const auto* s = v.as_string();
      if (s == nullptr) return r.Error("external_labels", "values must be strings");
      e.external_labels.push_back(Label{std::string(k.str()), s->get()});
    }
    Status st = NormalizeLabels(&e.external_labels);
    if (!st.ok()) return r.Error("external_labels", st.message());
  }
  if (const toml::node* n = t.get("headers")) {
    const toml::table* headers = n->as_table();
    if (headers == nullptr) {
      return r.Error("headers", "must be a table such as { \"X-Scope-OrgID\" = \"fleet\" }");
    }
    for (auto&& [k, v] : *headers) {
      std::string name(k.str());
      const auto* s = v.as_string();
      if (s == nullptr) return r.Error("headers", "values must be strings");
      std::string lower;
      for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "content-type" || lower == "content-encoding" || lower == "authorization" ||
          lower == "content-length" || lower == "host" ||
          lower == "x-prometheus-remote-write-version") {
        return r.Error("headers", "may not set " + name + " (the protocol or auth settings do)");
      }
      if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos ||
          s->get().find_first_of("\r\n") != std::string::npos) {
        return r.Error("headers", "\"" + name + "\" is not a valid header");
      }
      e.headers.emplace_back(std::move(name), s->get());
    }
  }
  NANOTDB_RETURN_IF_ERROR(r.String("db_label", &e.db_label));
  if (!e.db_label.empty()) {
    Status st = ValidateLabelName(e.db_label);
    // "db" is reserved inside nanotdb, and is exactly what the receiver should call it.
    if (!st.ok() && e.db_label != kDatabaseLabel) return r.Error("db_label", st.message());
  }
  std::string names = "prometheus";
  NANOTDB_RETURN_IF_ERROR(r.String("metric_names", &names));
  if (names == "prometheus") {
    e.metric_names = MetricNames::kPrometheus;
  } else if (names == "keep") {
    e.metric_names = MetricNames::kKeep;
  } else {
    return r.Error("metric_names", "must be \"prometheus\" or \"keep\" (got \"" + names + "\")");
  }
  NANOTDB_RETURN_IF_ERROR(r.String("bearer_token", &e.bearer_token));
  NANOTDB_RETURN_IF_ERROR(FileSecret(r, "bearer_token_file", &e.bearer_token));
  NANOTDB_RETURN_IF_ERROR(r.String("basic_auth_user", &e.basic_user));
  NANOTDB_RETURN_IF_ERROR(r.String("basic_auth_password", &e.basic_password));
  NANOTDB_RETURN_IF_ERROR(FileSecret(r, "basic_auth_password_file", &e.basic_password));
  if (!e.bearer_token.empty() && !e.basic_user.empty()) {
    return Status::InvalidArgument(where +
                                   ": set either bearer_token or basic_auth_user, not both");
  }
  if (!e.basic_password.empty() && e.basic_user.empty()) {
    return r.Error("basic_auth_password", "needs basic_auth_user");
  }
  NANOTDB_RETURN_IF_ERROR(r.String("tls_ca_file", &e.tls_ca_file));
  NANOTDB_RETURN_IF_ERROR(r.Bool("tls_insecure_skip_verify", &e.tls_insecure_skip_verify));
  NANOTDB_RETURN_IF_ERROR(r.Duration("timeout", &e.timeout));
  NANOTDB_RETURN_IF_ERROR(r.Count("max_samples_per_send", &e.max_samples_per_send));
  NANOTDB_RETURN_IF_ERROR(r.Duration("window", &e.window));
  NANOTDB_RETURN_IF_ERROR(r.Duration("interval", &e.interval));
  NANOTDB_RETURN_IF_ERROR(r.Duration("min_backoff", &e.min_backoff));
  NANOTDB_RETURN_IF_ERROR(r.Duration("max_backoff", &e.max_backoff));
  if (e.max_backoff < e.min_backoff) return r.Error("max_backoff", "must be >= min_backoff");
  NANOTDB_RETURN_IF_ERROR(r.Duration("backfill", &e.backfill, /*zero_ok=*/true));
  NANOTDB_RETURN_IF_ERROR(r.Duration("max_lag", &e.max_lag, /*zero_ok=*/true));
  if (e.max_lag > 0 && e.backfill > e.max_lag) {
    return r.Error("backfill", "is longer than max_lag: what it reaches would be dropped at once");
  }
  return e;
}

}  // namespace

Result<std::vector<EndpointConfig>> ParseEndpoints(std::string_view toml_text) {
  std::vector<EndpointConfig> out;
  if (toml_text.empty()) return out;
  NANOTDB_ASSIGN_OR_RETURN(ConfigTable root, ConfigTable::Parse(toml_text, "endpoint"));
  NANOTDB_ASSIGN_OR_RETURN(std::vector<ConfigTable> tables,
                           root.Tables("endpoint", "[[plugins.forward-remote-write.endpoint]]"));
  std::set<std::string> names;
  for (size_t i = 0; i < tables.size(); ++i) {
    NANOTDB_ASSIGN_OR_RETURN(EndpointConfig e, ParseEndpoint(tables[i], i));
    if (!names.insert(e.name).second) {
      return Status::InvalidArgument("endpoint " + std::to_string(i + 1) + ": name \"" + e.name +
                                     "\" is used by an earlier endpoint");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string RemoteMetricName(std::string_view metric, MetricNames mode) {
  std::string out(metric);
  if (mode == MetricNames::kKeep) return out;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':') c = '_';
  }
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(0, "_");
  return out;
}

bool SeriesPatternMatches(std::string_view pattern, std::string_view key, std::string_view metric) {
  return WildcardMatch(pattern, pattern.find('{') != std::string_view::npos ? key : metric);
}

}  // namespace nanotdb::forward
