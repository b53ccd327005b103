#include "promql_series.h"

#include <algorithm>
#include <utility>

namespace nanotdb::queryvm::promql {
namespace {

bool IsNameWithDb(const LabelMatcher& m) {
  return m.label == kNameLabel && m.value.find('/') != std::string::npos;
}

bool NamesDb(const LabelMatcher& m) { return m.label == kDbLabel || IsNameWithDb(m); }

SeriesMatcher::Op CoreOp(LabelMatcher::Op op) {
  switch (op) {
    case LabelMatcher::Op::kEqual:
      return SeriesMatcher::Op::kEqual;
    case LabelMatcher::Op::kNotEqual:
      return SeriesMatcher::Op::kNotEqual;
    case LabelMatcher::Op::kRegex:
      return SeriesMatcher::Op::kRegex;
    case LabelMatcher::Op::kNotRegex:
      return SeriesMatcher::Op::kNotRegex;
  }
  return SeriesMatcher::Op::kEqual;
}

// The databases a selector covers: the one an equality names (db="x" or __name__="x/..."),
// else default_db unless a matcher names databases, else every database but internal; then
// only those every db matcher accepts.
std::vector<std::string> CoveredDatabases(QueryService& query, const std::string& default_db,
                                          const std::vector<LabelMatcher>& matchers) {
  std::vector<std::string> dbs;
  const bool names_db = std::any_of(matchers.begin(), matchers.end(), NamesDb);
  std::optional<std::string> named;
  for (const LabelMatcher& m : matchers) {
    if (m.op != LabelMatcher::Op::kEqual) continue;
    if (m.label == kDbLabel) named = m.value;
    if (IsNameWithDb(m)) named = m.value.substr(0, m.value.find('/'));
  }
  if (named) {
    dbs.push_back(*named);
  } else if (!names_db && !default_db.empty()) {
    dbs.push_back(default_db);
  } else {
    dbs = query.ListDatabases(/*include_internal=*/false);
  }
  std::erase_if(dbs, [&](const std::string& db) {
    if (!ValidateDatabaseName(db).ok()) return true;
    for (const LabelMatcher& m : matchers) {
      if (m.label == kDbLabel && !m.Matches(db)) return true;
    }
    return false;
  });
  return dbs;
}

}  // namespace

std::string_view LabelValue(const Labels& labels, std::string_view name) {
  auto it = std::lower_bound(labels.begin(), labels.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it == labels.end() || it->name != name) return {};
  return it->value;
}

Status SelectStoredSeries(QueryService& query, const std::string& default_db,
                          const std::vector<LabelMatcher>& matchers,
                          std::vector<StoredSeries>* out) {
  const size_t first = out->size();
  for (const std::string& db : CoveredDatabases(query, default_db, matchers)) {
    // The label index selects by everything but the database; a __name__ matcher that spells
    // "<db>/<metric>" is an equality on the metric here, or (regexes) checked on each result.
    std::vector<SeriesMatcher> core;
    std::vector<const LabelMatcher*> by_full_name;
    bool none = false;
    for (const LabelMatcher& m : matchers) {
      if (m.label == kDbLabel) continue;
      if (IsNameWithDb(m)) {
        if (m.op == LabelMatcher::Op::kEqual) {
          size_t slash = m.value.find('/');
          if (m.value.compare(0, slash, db) != 0 || slash != db.size()) none = true;
          core.push_back(
              {std::string(kNameLabel), SeriesMatcher::Op::kEqual, m.value.substr(slash + 1)});
        } else {
          by_full_name.push_back(&m);
        }
        continue;
      }
      core.push_back({m.label, CoreOp(m.op), m.value});
    }
    if (none) continue;
    Result<std::vector<SeriesInfo>> found = query.SelectSeries(db, core, 0);
    if (!found.ok()) {
      if (found.status().IsNotFound()) continue;
      return found.status();
    }
    for (SeriesInfo& info : *found) {
      if (!by_full_name.empty()) {
        const std::string full = db + "/" + info.metric;
        if (!std::all_of(by_full_name.begin(), by_full_name.end(),
                         [&](const LabelMatcher* m) { return m->Matches(full); })) {
          continue;
        }
      }
      StoredSeries s;
      s.db = db;
      s.key = std::move(info.key);
      s.type = info.type;
      s.last = info.last;
      s.labels = std::move(info.labels);
      s.labels.push_back({std::string(kNameLabel), std::move(info.metric)});
      s.labels.push_back({std::string(kDbLabel), db});
      std::sort(s.labels.begin(), s.labels.end());
      out->push_back(std::move(s));
    }
  }
  std::sort(out->begin() + static_cast<ptrdiff_t>(first), out->end(),
            [](const StoredSeries& a, const StoredSeries& b) { return a.labels < b.labels; });
  return Status::Ok();
}

Status CatalogSeriesSource::Select(const std::vector<LabelMatcher>& matchers,
                                   std::vector<StoredSeries>* out) {
  return SelectStoredSeries(query_, default_db_, matchers, out);
}

Status CatalogSeriesSource::Read(const StoredSeries& series, Timestamp from, Timestamp to,
                                 const std::function<bool(Timestamp, double)>& fn) {
  ReadReport report;
  Status st = query_.ReadRangeReporting(
      series.db, series.key, from, to, 1,
      [&](const Sample& x) {
        return fn(x.ts, Value{series.type, x.bits}.AsDouble());
      },
      &report);
  if (!report.empty()) {
    std::lock_guard lock(report_mu_);
    for (SkippedData& d : report.skipped) report_.Add(std::move(d));
  }
  return st;
}

ReadReport CatalogSeriesSource::TakeReport() {
  std::lock_guard lock(report_mu_);
  return std::exchange(report_, ReadReport{});
}

}  // namespace nanotdb::queryvm::promql
