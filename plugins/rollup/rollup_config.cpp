#include "rollup_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "nanotdb/series.h"
#include "nanotdb/time_util.h"
#include "nanotdb/types.h"

namespace nanotdb::rollup {
namespace {

const char* kAllFive = "min,max,sum,avg,count";

class Parser {
 public:
  Parser(std::string_view source, std::string_view db, std::vector<std::string>* warnings)
      : source_(source), db_(db), warnings_(warnings) {}

  Result<RollupConfig> Parse(const toml::table& root) {
    RollupConfig cfg;
    const toml::node* section = root.get("rollups");
    if (section == nullptr) return cfg;
    const toml::table* t = section->as_table();
    if (t == nullptr) return Error(*section, "rollups", "expected a [rollups] table");

    int64_t default_grace = kDefaultGrace;
    bool has_default_interval = false;
    int64_t default_interval = 0;
    std::string default_destination;
    std::vector<Aggregate> default_aggs;
    std::vector<std::string> global_excludes;
    const toml::array* jobs = nullptr;
    for (auto&& [key, node] : *t) {
      const std::string k(key.str());
      const std::string name = "rollups." + k;
      if (k == "enabled") {
        const auto* v = node.as_boolean();
        if (v == nullptr) return Error(node, name, "expected true or false");
        cfg.enabled = v->get();
      } else if (k == "checkpoint_file") {
        NANOTDB_ASSIGN_OR_RETURN(cfg.checkpoint_file, String(node, name));
        NANOTDB_RETURN_IF_ERROR(CheckpointName(node, name, cfg.checkpoint_file));
      } else if (k == "default_grace") {
        NANOTDB_ASSIGN_OR_RETURN(std::string text, String(node, name));
        if (!text.empty()) {
          NANOTDB_ASSIGN_OR_RETURN(default_grace, Duration(node, name, text, 0));
        }
      } else if (k == "default_interval") {
        NANOTDB_ASSIGN_OR_RETURN(std::string text, String(node, name));
        if (!text.empty()) {
          NANOTDB_ASSIGN_OR_RETURN(default_interval, Duration(node, name, text, 1));
          has_default_interval = true;
        }
      } else if (k == "default_destination_db") {
        NANOTDB_ASSIGN_OR_RETURN(default_destination, String(node, name));
      } else if (k == "default_aggregates") {
        NANOTDB_ASSIGN_OR_RETURN(std::vector<std::string> list, StringList(node, name));
        if (!list.empty()) NANOTDB_RETURN_IF_ERROR(Aggregates(node, name, list, &default_aggs));
      } else if (k == "global_exclude_patterns") {
        NANOTDB_ASSIGN_OR_RETURN(global_excludes, StringList(node, name));
        NANOTDB_RETURN_IF_ERROR(Globs(node, name, global_excludes));
      } else if (k == "jobs") {
        jobs = node.as_array();
        if (jobs == nullptr) return Error(node, name, "expected [[rollups.jobs]] tables");
      } else {
        Warn(node, "unknown key " + name + " (ignored)");
      }
    }
    if (!cfg.enabled) return cfg;  // jobs of a disabled section are not looked at
    if (jobs == nullptr) return cfg;

    std::set<std::string> ids;
    std::vector<const toml::node*> nodes;   // per job, for messages
    std::vector<bool> explicit_aggregates;  // per job: it sets `aggregates` itself
    for (size_t i = 0; i < jobs->size(); ++i) {
      const toml::node& node = *jobs->get(i);
      const toml::table* jt = node.as_table();
      std::string where = "rollups.jobs[" + std::to_string(i) + "]";
      if (jt == nullptr) return Error(node, where, "expected a [[rollups.jobs]] table");
      RollupJob job;
      job.line = node.source().begin.line;
      job.grace = default_grace;
      job.destination_db = default_destination;
      job.exclude_patterns = global_excludes;
      bool has_interval = has_default_interval;
      job.interval = default_interval;
      job.aggregates = default_aggs;
      if (const toml::node* id = jt->get("id")) {
        NANOTDB_ASSIGN_OR_RETURN(job.id, String(*id, where + ": id"));
      }
      if (job.id.empty()) return Error(node, where, "id: missing (every job needs a unique id)");
      where += " (id \"" + job.id + "\")";
      if (!ids.insert(job.id).second) {
        return Error(node, where,
                     "id: \"" + job.id +
                         "\" is used by an earlier job; ids must "
                         "be unique within the database (they key the checkpoints)");
      }
      if (job.id.find(',') != std::string::npos || job.id.find("::") != std::string::npos ||
          job.id.find('\n') != std::string::npos) {
        return Error(node, where, "id: may not contain ',', \"::\" or a newline");
      }
      bool has_excludes = false;
      for (auto&& [key, value] : *jt) {
        const std::string k(key.str());
        const std::string name = where + ": " + k;
        if (k == "id") continue;
        if (k == "source_metric") {
          NANOTDB_ASSIGN_OR_RETURN(job.source_metric, String(value, name));
          if (job.source_metric.empty()) return Error(value, name, "must not be empty");
          NANOTDB_ASSIGN_OR_RETURN(job.source_metric, SourceMetric(value, name, job.source_metric));
        } else if (k == "source_job") {
          NANOTDB_ASSIGN_OR_RETURN(job.source_job, String(value, name));
          if (job.source_job.empty()) return Error(value, name, "must not be empty");
        } else if (k == "destination_retention_days") {
          const auto* v = value.as_integer();
          if (v == nullptr || v->get() < 1 || v->get() > 1'000'000) {
            return Error(value, name,
                         "expected a whole number of days from 1 (leave it out to keep "
                         "everything)");
          }
          job.destination_retention_days = static_cast<int>(v->get());
        } else if (k == "source_pattern") {
          NANOTDB_ASSIGN_OR_RETURN(job.source_pattern, String(value, name));
          if (job.source_pattern.empty()) return Error(value, name, "must not be empty");
          NANOTDB_RETURN_IF_ERROR(Globs(value, name, {job.source_pattern}));
        } else if (k == "exclude_patterns") {
          NANOTDB_ASSIGN_OR_RETURN(std::vector<std::string> list, StringList(value, name));
          NANOTDB_RETURN_IF_ERROR(Globs(value, name, list));
          job.exclude_patterns.insert(job.exclude_patterns.end(), list.begin(), list.end());
          has_excludes = !list.empty();
        } else if (k == "interval") {
          NANOTDB_ASSIGN_OR_RETURN(std::string text, String(value, name));
          if (!text.empty()) {
            NANOTDB_ASSIGN_OR_RETURN(job.interval, Duration(value, name, text, 1));
            has_interval = true;
          }
        } else if (k == "aggregates") {
          NANOTDB_ASSIGN_OR_RETURN(std::vector<std::string> list, StringList(value, name));
          if (!list.empty())
            NANOTDB_RETURN_IF_ERROR(Aggregates(value, name, list, &job.aggregates));
        } else if (k == "destination_db") {
          NANOTDB_ASSIGN_OR_RETURN(job.destination_db, String(value, name));
        } else if (k == "destination_metric_prefix") {
          NANOTDB_ASSIGN_OR_RETURN(job.destination_metric_prefix, String(value, name));
          if (!job.destination_metric_prefix.empty()) {
            Status st = ValidateMetricName(job.destination_metric_prefix);
            if (!st.ok()) return Error(value, name, st.message());
          }
        } else if (k == "grace") {
          NANOTDB_ASSIGN_OR_RETURN(std::string text, String(value, name));
          if (!text.empty()) {
            NANOTDB_ASSIGN_OR_RETURN(job.grace, Duration(value, name, text, 0));
          }
        } else {
          Warn(value, "unknown key " + name + " (ignored)");
        }
      }
      const int sources =
          !job.source_metric.empty() + !job.source_pattern.empty() + !job.source_job.empty();
      if (sources != 1) {
        return Error(node, where,
                     "set exactly one of source_metric (one metric), source_pattern (a glob) "
                     "and source_job (a cascade of another job)");
      }
      if (job.source_pattern.empty() && has_excludes) {
        return Error(node, where, "exclude_patterns: only applies to source_pattern jobs");
      }
      if (!job.source_job.empty() && !job.destination_metric_prefix.empty()) {
        return Error(node, where,
                     "destination_metric_prefix: a cascade names its outputs as its source job "
                     "does");
      }
      explicit_aggregates.push_back(jt->contains("aggregates"));
      if (!job.source_pattern.empty() && !job.destination_metric_prefix.empty()) {
        return Error(node, where,
                     "destination_metric_prefix: only applies to source_metric jobs (a "
                     "source_pattern job names each output after its source metric)");
      }
      if (!has_interval) {
        return Error(node, where, "interval: missing (set interval or rollups.default_interval)");
      }
      if (job.destination_db.empty()) {
        return Error(node, where,
                     "destination_db: missing (set destination_db or "
                     "rollups.default_destination_db)");
      }
      if (Status st = ValidateDatabaseName(job.destination_db); !st.ok()) {
        return Error(node, where, "destination_db: " + st.message());
      }
      if (job.destination_db == db_) {
        return Error(node, where,
                     "destination_db: \"" + job.destination_db +
                         "\" is this database itself; rollups go into another database");
      }
      if (job.destination_db == kInternalDatabase) {
        return Error(node, where, "destination_db: \"internal\" is reserved for self-stats");
      }
      if (job.aggregates.empty()) {
        Status st = ParseAggregateList(kAllFive, &job.aggregates);
        if (!st.ok()) return st;
      }
      cfg.jobs.push_back(std::move(job));
      nodes.push_back(&node);
    }
    NANOTDB_RETURN_IF_ERROR(ResolveCascades(&cfg, nodes, explicit_aggregates));
    return cfg;
  }

 private:
  // Links each cascade to its parent and root, and checks what a cascade can be: an interval
  // that is a multiple of its parent's, aggregates the parent's give exactly, another
  // destination than its parent's, no cycle.
  Status ResolveCascades(RollupConfig* cfg, const std::vector<const toml::node*>& nodes,
                         const std::vector<bool>& explicit_aggregates) const {
    std::vector<RollupJob>& jobs = cfg->jobs;
    auto where = [&](size_t i) {
      return "rollups.jobs[" + std::to_string(i) + "] (id \"" + jobs[i].id + "\")";
    };
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (jobs[i].source_job.empty()) {
        jobs[i].root = static_cast<int>(i);
        continue;
      }
      auto it = std::find_if(jobs.begin(), jobs.end(),
                             [&](const RollupJob& j) { return j.id == jobs[i].source_job; });
      if (it == jobs.end()) {
        return Error(*nodes[i], where(i),
                     "source_job: no job with id \"" + jobs[i].source_job + "\" in this manifest");
      }
      if (it - jobs.begin() == static_cast<ptrdiff_t>(i)) {
        return Error(*nodes[i], where(i), "source_job: a job cannot be a cascade of itself");
      }
      jobs[i].parent = static_cast<int>(it - jobs.begin());
    }
    for (size_t i = 0; i < jobs.size(); ++i) {
      // Walk up to the root; more steps than jobs means a cycle.
      int at = static_cast<int>(i);
      int depth = 0;
      while (jobs[at].parent >= 0) {
        at = jobs[at].parent;
        if (++depth > static_cast<int>(jobs.size())) {
          return Error(*nodes[i], where(i),
                       "source_job: the cascades form a cycle (\"" + jobs[i].id + "\" -> \"" +
                           jobs[i].source_job + "\" -> ... back to \"" + jobs[i].id + "\")");
        }
      }
      jobs[i].root = at;
      jobs[i].depth = depth;
    }
    for (size_t i = 0; i < jobs.size(); ++i) {
      RollupJob& job = jobs[i];
      if (job.parent < 0) continue;
      const RollupJob& parent = jobs[job.parent];
      if (job.interval <= parent.interval || job.interval % parent.interval != 0) {
        return Error(*nodes[i], where(i),
                     "interval: " + FormatDuration(job.interval) + " is not a multiple of job \"" +
                         parent.id + "\"'s " + FormatDuration(parent.interval) +
                         " (a cascade period is made of whole periods of its source job)");
      }
      if (job.destination_db == parent.destination_db) {
        return Error(*nodes[i], where(i),
                     "destination_db: \"" + job.destination_db + "\" is job \"" + parent.id +
                         "\"'s destination too; a cascade's outputs have its source job's names, "
                         "so they go into another database");
      }
      if (!explicit_aggregates[i]) {
        // Every aggregate of the parent that composes exactly.
        job.aggregates.clear();
        for (Aggregate a : parent.aggregates) {
          if (!CascadeInputs(a, parent.aggregates).empty()) job.aggregates.push_back(a);
        }
        if (job.aggregates.empty()) {
          return Error(*nodes[i], where(i),
                       "aggregates: none of job \"" + parent.id +
                           "\"'s aggregates can be rolled up further exactly (min, max, sum, "
                           "count, first, last can; avg needs sum and count)");
        }
        continue;
      }
      for (Aggregate a : job.aggregates) {
        if (!CascadeInputs(a, parent.aggregates).empty()) continue;
        return Error(*nodes[i], where(i),
                     "aggregates: \"" + std::string(AggregateName(a)) +
                         "\" cannot be computed from job \"" + parent.id +
                         "\"'s outputs (a cascade computes min, max, sum, count, first and last "
                         "from the same aggregate of its source job, avg from its sum and count)");
      }
    }
    return Status::Ok();
  }

  Status Error(const toml::node& node, std::string_view name, const std::string& what) const {
    return Status::InvalidArgument(std::string(source_) + ":" +
                                   std::to_string(node.source().begin.line) + ": " +
                                   std::string(name) + ": " + what);
  }
  void Warn(const toml::node& node, const std::string& what) {
    if (warnings_ == nullptr) return;
    warnings_->push_back(std::string(source_) + ":" + std::to_string(node.source().begin.line) +
                         ": " + what);
  }
  // A bare metric name as is; a series key with labels in its canonical form (the catalog's).
  Result<std::string> SourceMetric(const toml::node& node, const std::string& name,
                                   const std::string& text) const {
    if (text.find('{') == std::string::npos) {
      Status st = ValidateMetricName(text);
      if (!st.ok()) return Error(node, name, st.message());
      return text;
    }
    Result<SeriesName> series = ParseSeriesKey(text);
    if (!series.ok()) return Error(node, name, series.status().message());
    Result<std::string> key = MakeSeriesKey(series->metric, series->labels);
    if (!key.ok()) return Error(node, name, key.status().message());
    return *key;
  }
  Result<std::string> String(const toml::node& node, const std::string& name) const {
    const auto* v = node.as_string();
    if (v == nullptr) return Error(node, name, "expected a string");
    return v->get();
  }
  Result<std::vector<std::string>> StringList(const toml::node& node,
                                              const std::string& name) const {
    const auto* a = node.as_array();
    if (a == nullptr) return Error(node, name, "expected a list of strings, e.g. [\"a\", \"b\"]");
    std::vector<std::string> out;
    for (const toml::node& item : *a) {
      const auto* v = item.as_string();
      if (v == nullptr) return Error(item, name, "expected a list of strings");
      out.push_back(v->get());
    }
    return out;
  }
  Result<int64_t> Duration(const toml::node& node, const std::string& name, const std::string& text,
                           int64_t min) const {
    Result<int64_t> d = ParseDuration(text);
    if (!d.ok()) return Error(node, name, d.status().message());
    if (*d < min) {
      return Error(node, name, "\"" + text + "\" must be " + (min > 0 ? "> 0" : ">= 0"));
    }
    return *d;
  }
  Status Aggregates(const toml::node& node, const std::string& name,
                    const std::vector<std::string>& list, std::vector<Aggregate>* out) const {
    std::string csv;
    for (const std::string& a : list) {
      if (a.find(',') != std::string::npos) {
        return Error(node, name, "unsupported aggregate \"" + a + "\"");
      }
      if (!csv.empty()) csv += ',';
      csv += a;
    }
    Status st = ParseAggregateList(csv, out);
    if (!st.ok()) return Error(node, name, st.message());
    return Status::Ok();
  }
  Status Globs(const toml::node& node, const std::string& name,
               const std::vector<std::string>& patterns) const {
    for (const std::string& p : patterns) {
      Status st = ValidateGlob(p);
      if (!st.ok()) return Error(node, name, st.message());
    }
    return Status::Ok();
  }
  Status CheckpointName(const toml::node& node, const std::string& name,
                        const std::string& file) const {
    bool ok = !file.empty() && file.front() != '.' && file.size() <= 255;
    for (char c : file) {
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
    }
    if (!ok) {
      return Error(node, name,
                   "\"" + file +
                       "\" is not a file name (letters, digits, '_', '-', '.'; not "
                       "starting with '.')");
    }
    return Status::Ok();
  }

  std::string_view source_;
  std::string_view db_;
  std::vector<std::string>* warnings_;
};

// One character against a [...] set starting after '['; sets *end past the ']'.
bool MatchSet(std::string_view p, size_t* pos, char c) {
  size_t i = *pos;
  bool negate = i < p.size() && (p[i] == '!' || p[i] == '^');
  if (negate) ++i;
  bool found = false;
  bool first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    char lo = p[i];
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      char hi = p[i + 2];
      if (lo <= c && c <= hi) found = true;
      i += 3;
    } else {
      if (lo == c) found = true;
      ++i;
    }
  }
  *pos = i + 1;  // past ']'
  return found != negate;
}

}  // namespace

Status ValidateGlob(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '[') continue;
    size_t j = i + 1;
    if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) ++j;
    if (j < pattern.size() && pattern[j] == ']') ++j;  // a leading ']' is literal
    while (j < pattern.size() && pattern[j] != ']') ++j;
    if (j >= pattern.size()) {
      return Status::InvalidArgument("pattern \"" + std::string(pattern) + "\": '[' at offset " +
                                     std::to_string(i) + " is not closed by ']'");
    }
    i = j;
  }
  return Status::Ok();
}

bool GlobMatch(std::string_view p, std::string_view name) {
  // Iterative with one backtrack point for the last '*': linear in practice.
  size_t pi = 0, ni = 0, star = std::string_view::npos, mark = 0;
  while (ni < name.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ni;
      continue;
    }
    if (pi < p.size()) {
      if (p[pi] == '?') {
        ++pi;
        ++ni;
        continue;
      }
      if (p[pi] == '[') {
        size_t next = pi + 1;
        if (MatchSet(p, &next, name[ni])) {
          pi = next;
          ++ni;
          continue;
        }
      } else if (p[pi] == name[ni]) {
        ++pi;
        ++ni;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    pi = star + 1;
    ni = ++mark;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

Result<RollupConfig> ParseRollupConfig(std::string_view manifest_text, std::string_view source,
                                       std::string_view db, std::vector<std::string>* warnings) {
  toml::table root;
  try {
    root = toml::parse(manifest_text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(source) + ":" +
                                   std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  return Parser(source, db, warnings).Parse(root);
}

std::vector<std::pair<Aggregate, Aggregate>> CascadeInputs(
    Aggregate a, const std::vector<Aggregate>& parent_aggregates) {
  auto has = [&](Aggregate x) {
    return std::find(parent_aggregates.begin(), parent_aggregates.end(), x) !=
           parent_aggregates.end();
  };
  using A = Aggregate;
  switch (a) {
    case A::kMin:
    case A::kMax:
    case A::kSum:
    case A::kFirst:
    case A::kLast:
      if (has(a)) return {{a, a}};
      return {};
    case A::kCount:
      if (has(A::kCount)) return {{A::kCount, A::kSum}};
      return {};
    case A::kAvg:
      if (has(A::kSum) && has(A::kCount)) return {{A::kSum, A::kSum}, {A::kCount, A::kSum}};
      return {};
    default:
      return {};
  }
}

bool CascadeTakes(const RollupConfig& cfg, const RollupJob& job, std::string_view series_key,
                  std::string* checkpoint_key) {
  if (job.root < 0 || static_cast<size_t>(job.root) >= cfg.jobs.size()) return false;
  const RollupJob& root = cfg.jobs[job.root];
  std::string key;
  if (!JobTakes(root, series_key, &key)) return false;
  if (checkpoint_key != nullptr) *checkpoint_key = job.id + key.substr(root.id.size());
  return true;
}

bool JobTakes(const RollupJob& job, std::string_view series_key, std::string* checkpoint_key) {
  if (!job.source_job.empty()) return false;
  const std::string_view name = SeriesMetricName(series_key);
  if (!job.source_metric.empty()) {
    const bool bare = job.source_metric.find('{') == std::string::npos;
    if (bare ? name != job.source_metric : series_key != job.source_metric) return false;
    // The series named exactly keeps the "<id>" key it always had; the labelled series of a
    // bare name get one each.
    if (checkpoint_key != nullptr) {
      *checkpoint_key =
          series_key == job.source_metric ? job.id : job.id + "::" + std::string(series_key);
    }
    return true;
  }
  if (!GlobMatch(job.source_pattern, name)) return false;
  for (const std::string& x : job.exclude_patterns) {
    if (GlobMatch(x, name)) return false;
  }
  if (checkpoint_key != nullptr) *checkpoint_key = job.id + "::" + std::string(series_key);
  return true;
}

}  // namespace nanotdb::rollup
