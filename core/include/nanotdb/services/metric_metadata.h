// MetricMetadataService ("nanotdb.metric_metadata" v1): what ingest formats learned about metric
// families (Prometheus `# TYPE`, `# HELP`, `# UNIT` lines and remote-write metadata), for query
// APIs to serve (GET /api/v1/metadata).
//
// Published by the ingest-prometheus plugin when it is enabled; absent otherwise (callers then
// answer with no metadata). Like Prometheus' own metadata API it describes what ingest has seen
// since the daemon started: it is kept in memory, not stored. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nanotdb {

struct MetricMetadata {
  std::string type;  // "counter", "gauge", "histogram", "gaugehistogram", "summary", "info",
                     // "stateset" or "unknown"
  std::string help;
  std::string unit;
  bool operator==(const MetricMetadata&) const = default;
};

class MetricMetadataService {
 public:
  static constexpr const char* kServiceName = "nanotdb.metric_metadata";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~MetricMetadataService() = default;

  using Entry = std::pair<std::string, std::vector<MetricMetadata>>;  // family name, variants

  // Families sorted by name, each with its distinct metadata (most recently seen first).
  // `metric` non-empty: only that family. `limit` > 0: at most that many families;
  // `limit_per_metric` > 0: at most that many variants per family.
  virtual std::vector<Entry> List(std::string_view metric, size_t limit,
                                  size_t limit_per_metric) noexcept = 0;
};

}  // namespace nanotdb
