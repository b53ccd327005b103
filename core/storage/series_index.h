// SeriesIndex: the label index of one database, built from its catalog. It maps
//   metric name          -> ids of the series of that metric
//   label name -> value  -> ids of the series carrying that label value
// (id lists ascending), so selecting series by matchers (nanotdb/query_types.h, Prometheus
// semantics) intersects a few lists instead of parsing every key of the catalog.
//
// A catalog name that is not a canonical series key (nanotdb/series.h) — older data that does
// not parse, or another spelling of a series that is also stored canonically — is indexed with
// the whole name as its metric and no labels: still selectable by its exact name.
//
// Also here: how a name given by a writer or a reader becomes the catalog's name
// (CanonicalSeriesName, FindSeries), so the write and read paths agree on series identity.
//
// Not thread-safe: the owning database serialises calls (it holds its mutex).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/query_types.h"
#include "nanotdb/series.h"
#include "nanotdb/status.h"
#include "storage/catalog.h"

namespace re2 {
class RE2;
}

namespace nanotdb {

// A matcher with its regex compiled (for kRegex / kNotRegex).
struct CompiledSeriesMatcher {
  SeriesMatcher matcher;
  std::shared_ptr<const re2::RE2> regex;
  bool Matches(std::string_view value) const;  // a missing label is ""
};

// Compiles every regex (anchored at both ends, at most 1 MiB of RE2 program each).
// InvalidArgument names the label, the pattern and RE2's reason.
Result<std::vector<CompiledSeriesMatcher>> CompileSeriesMatchers(
    std::span<const SeriesMatcher> matchers);

// The catalog name for a name a writer gives: a name without '{' or '}' is a plain metric name
// (ValidateMetricName); one with labels must parse as a series key and becomes its canonical
// form (labels sorted, blanks dropped, values escaped), at most kMaxSeriesKeyBytes long.
// (ValidateSeriesKey of nanotdb/series.h accepts the canonical form only.)
// InvalidArgument says what is wrong.
Result<std::string> CanonicalSeriesName(std::string_view name);

// The catalog entry named `name`, or, when there is none and `name` parses as a series key,
// the entry of its canonical form (so `cpu{b="1",a="2"}` finds `cpu{a="2",b="1"}`). nullptr
// when neither exists.
const CatalogEntry* FindSeries(const Catalog& catalog, std::string_view name);

class SeriesIndex {
 public:
  struct Entry {
    std::string metric;
    Labels labels;  // sorted
  };

  SeriesIndex() = default;
  SeriesIndex(const SeriesIndex&) = delete;
  SeriesIndex& operator=(const SeriesIndex&) = delete;

  // Indexes series `id` named `name` (its catalog name). An id indexed before is replaced.
  void Add(MetricId id, std::string_view name);
  void Clear();

  // Ids (ascending) of the series every matcher accepts; every series when there is none.
  std::vector<MetricId> Select(std::span<const CompiledSeriesMatcher> matchers) const;
  const Entry* Find(MetricId id) const;  // nullptr when not indexed

  // Sorted label names of the series in `ids` (every indexed series when ids is nullptr).
  std::vector<std::string> LabelNames(const std::vector<MetricId>* ids) const;
  // Sorted values of label `name` ("__name__": the metric names) among `ids` (every indexed
  // series when nullptr).
  std::vector<std::string> LabelValues(std::string_view name,
                                       const std::vector<MetricId>* ids) const;

  size_t size() const { return all_.size(); }

 private:
  using Postings = std::vector<MetricId>;  // ascending
  using ValueMap = std::map<std::string, Postings, std::less<>>;

  void Remove(MetricId id);
  // The ids of one matcher: either exactly the accepted series (*negated false) or the series
  // it rejects (*negated true, when it accepts the empty value: series without the label pass).
  Postings Match(const CompiledSeriesMatcher& m, bool* negated) const;

  Postings all_;
  ValueMap by_metric_;
  std::map<std::string, ValueMap, std::less<>> by_label_;
  std::vector<std::optional<Entry>> entries_;  // by id
};

}  // namespace nanotdb
