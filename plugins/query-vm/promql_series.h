// Where the PromQL evaluator gets its series: one small interface, so the way selectors are
// resolved (the QueryService's label index, SelectSeries) is in one place.
//
// A stored series is a database + a series key (nanotdb/series.h); the evaluator sees its
// labels as {__name__=<metric>, db=<db>, <key labels>...}. Matching rules:
// - a __name__ matcher whose value contains '/' is matched against "<db>/<metric>" (the
//   older NanoTDB selector form, {__name__=~"demo/room\\..*"}); otherwise against the metric;
// - without any db matcher (or such a name matcher) a selector covers `default_db` when one
//   is configured, else every database but `internal`; `internal` is read only when a db="..."
//   matcher names it.
//
// Thread-safety: CatalogSeriesSource only calls the thread-safe QueryService and guards its
// read report; one instance may serve concurrent queries.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "nanotdb/series.h"
#include "nanotdb/services/query.h"
#include "series_selector.h"

namespace nanotdb::queryvm::promql {

struct StoredSeries {
  std::string db;
  std::string key;  // the catalog's name of the series
  Labels labels;    // sorted by name; includes __name__ and db
  ValueType type = ValueType::kFloat32;
  std::optional<Sample> last;  // newest sample, when the source knows it
};

class SeriesSource {
 public:
  virtual ~SeriesSource() = default;
  // Every series that all `matchers` accept, sorted by labels.
  virtual Status Select(const std::vector<LabelMatcher>& matchers,
                        std::vector<StoredSeries>* out) = 0;
  // Samples with from <= ts <= to in ascending time; `fn` returns false to stop early.
  virtual Status Read(const StoredSeries& series, Timestamp from, Timestamp to,
                      const std::function<bool(Timestamp, double)>& fn) = 0;
};

class CatalogSeriesSource final : public SeriesSource {
 public:
  // `default_db` empty: selectors without a db cover every database but internal.
  CatalogSeriesSource(QueryService& query, std::string default_db)
      : query_(query), default_db_(std::move(default_db)) {}

  Status Select(const std::vector<LabelMatcher>& matchers, std::vector<StoredSeries>* out) override;
  Status Read(const StoredSeries& series, Timestamp from, Timestamp to,
              const std::function<bool(Timestamp, double)>& fn) override;

  // What the reads so far skipped because it was damaged (for the answer's warnings).
  ReadReport TakeReport();

 private:
  QueryService& query_;
  std::string default_db_;
  std::mutex report_mu_;
  ReadReport report_;  // guarded by report_mu_
};

// The series of every database `matchers` cover (rules above) that they all accept, sorted by
// labels, appended to *out. The work of CatalogSeriesSource::Select, shared with the discovery
// endpoints (/api/v1/series, /api/v1/labels, /api/v1/label/<name>/values).
Status SelectStoredSeries(QueryService& query, const std::string& default_db,
                          const std::vector<LabelMatcher>& matchers,
                          std::vector<StoredSeries>* out);

// The value of label `name` in sorted `labels`, "" when absent.
std::string_view LabelValue(const Labels& labels, std::string_view name);

}  // namespace nanotdb::queryvm::promql
