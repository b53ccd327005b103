// QueryService ("nanotdb.query" v1): read access to stored data for query APIs, dashboards and
// rollups. Implemented by the core over the storage engine and core/query. Thread-safe; reading
// never creates a database.
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
  static constexpr uint32_t kServiceVersion = 1;
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
};

}  // namespace nanotdb
