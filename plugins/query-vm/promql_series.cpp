#include "promql_series.h"

#include <algorithm>
#include <utility>

namespace nanotdb::queryvm::promql {
namespace {

bool NamesDb(const LabelMatcher& m) {
  return m.label == kDbLabel || (m.label == kNameLabel && m.value.find('/') != std::string::npos);
}

bool Accepts(const std::vector<LabelMatcher>& matchers, const std::string& db,
             const std::string& metric, const Labels& labels) {
  for (const LabelMatcher& m : matchers) {
    std::string_view v;
    std::string full;
    if (m.label == kNameLabel) {
      if (m.value.find('/') != std::string::npos) {
        full = db + "/" + metric;
        v = full;
      } else {
        v = metric;
      }
    } else if (m.label == kDbLabel) {
      v = db;
    } else {
      v = LabelValue(labels, m.label);
    }
    if (!m.Matches(v)) return false;
  }
  return true;
}

}  // namespace

std::string_view LabelValue(const Labels& labels, std::string_view name) {
  auto it = std::lower_bound(labels.begin(), labels.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it == labels.end() || it->name != name) return {};
  return it->value;
}

Status CatalogSeriesSource::Select(const std::vector<LabelMatcher>& matchers,
                                   std::vector<StoredSeries>* out) {
  std::vector<std::string> dbs;
  bool names_db = std::any_of(matchers.begin(), matchers.end(), NamesDb);
  const LabelMatcher* db_eq = nullptr;
  for (const LabelMatcher& m : matchers) {
    if (m.label == kDbLabel && m.op == LabelMatcher::Op::kEqual) db_eq = &m;
  }
  if (db_eq != nullptr) {
    dbs.push_back(db_eq->value);
  } else if (!names_db && !default_db_.empty()) {
    dbs.push_back(default_db_);
  } else {
    dbs = query_.ListDatabases(/*include_internal=*/false);
  }
  for (const std::string& db : dbs) {
    if (!ValidateDatabaseName(db).ok()) continue;
    Result<std::vector<MetricInfo>> metrics = query_.ListMetrics(db);
    if (!metrics.ok()) {
      if (metrics.status().IsNotFound()) continue;
      return metrics.status();
    }
    for (MetricInfo& m : *metrics) {
      Result<SeriesName> name = ParseSeriesKey(m.name);
      if (!name.ok()) continue;  // not a series key this version can read: not selectable
      if (!Accepts(matchers, db, name->metric, name->labels)) continue;
      StoredSeries s;
      s.db = db;
      s.key = m.name;
      s.type = m.type;
      s.labels = std::move(name->labels);
      s.labels.push_back({std::string(kNameLabel), name->metric});
      s.labels.push_back({std::string(kDbLabel), db});
      std::sort(s.labels.begin(), s.labels.end());
      out->push_back(std::move(s));
    }
  }
  std::sort(out->begin(), out->end(),
            [](const StoredSeries& a, const StoredSeries& b) { return a.labels < b.labels; });
  return Status::Ok();
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
