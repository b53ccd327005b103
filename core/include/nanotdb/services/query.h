// QueryService ("nanotdb.query" v2; v2 added SelectSeries, LabelNames and LabelValues): read access
// to stored data for query APIs, dashboards and rollups. Implemented by the core over the storage
// engine and core/query. Thread-safe; reading never creates a database.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/engine_types.h"
#include "nanotdb/query_types.h"

namespace nanotdb {

class QueryService {
 public:
  static constexpr const char* kServiceName = "nanotdb.query";
  static constexpr uint32_t kServiceVersion = 2;
  virtual ~QueryService() = default;

  virtual std::vector<std::string> ListDatabases(bool include_internal) noexcept = 0;
  virtual bool DatabaseExists(std::string_view db) noexcept = 0;
  // NotFound for an unknown database.
  virtual Result<std::vector<MetricInfo>> ListMetrics(std::string_view db) noexcept = 0;
  // NotFound for an unknown database or metric.
  virtual Result<MetricInfo> GetMetric(std::string_view db, std::string_view metric) noexcept = 0;
  virtual Status ReadRange(std::string_view db, std::string_view metric, Timestamp from,
                           Timestamp to, uint32_t stride,
                           const std::function<bool(const Sample&)>& fn) noexcept = 0;
  virtual Status AggregateRange(std::string_view db, std::string_view metric, Timestamp from,
                                Timestamp to, int64_t window, const std::vector<Aggregate>& aggs,
                                std::vector<Bucket>* out) noexcept = 0;
  virtual Result<std::vector<std::string>> SelectMetrics(std::string_view db,
                                                         std::string_view selector,
                                                         SelectorKind kind) noexcept = 0;

  // ReadRange and AggregateRange salvage: data that fails its checks is left out and the
  // read goes on. These variants also append what was skipped to *report, so an answer can
  // say what it lacks. The defaults report nothing (for implementations over undamageable
  // data, such as test fakes).
  virtual Status ReadRangeReporting(std::string_view db, std::string_view metric, Timestamp from,
                                    Timestamp to, uint32_t stride,
                                    const std::function<bool(const Sample&)>& fn,
                                    ReadReport* /*report*/) noexcept {
    return ReadRange(db, metric, from, to, stride, fn);
  }
  virtual Status AggregateRangeReporting(std::string_view db, std::string_view metric,
                                         Timestamp from, Timestamp to, int64_t window,
                                         const std::vector<Aggregate>& aggs,
                                         std::vector<Bucket>* out,
                                         ReadReport* /*report*/) noexcept {
    return AggregateRange(db, metric, from, to, window, aggs, out);
  }

  // Series selection over the database's label index (SeriesMatcher, SeriesInfo:
  // nanotdb/query_types.h; Prometheus matcher semantics). SelectSeries: the series every
  // matcher accepts (all without matchers), sorted by key, at most `limit` (0 = all).
  // LabelNames / LabelValues: sorted, over the series the matchers accept; the values of
  // "__name__" are metric names. Neither includes the database ("db"). NotFound for an unknown
  // database, InvalidArgument for a bad regex.
  virtual Result<std::vector<SeriesInfo>> SelectSeries(std::string_view db,
                                                       const std::vector<SeriesMatcher>& matchers,
                                                       size_t limit) noexcept = 0;
  virtual Result<std::vector<std::string>> LabelNames(
      std::string_view db, const std::vector<SeriesMatcher>& matchers) noexcept = 0;
  virtual Result<std::vector<std::string>> LabelValues(
      std::string_view db, std::string_view label,
      const std::vector<SeriesMatcher>& matchers) noexcept = 0;
};

}  // namespace nanotdb
