// MetadataStore: the in-memory MetricMetadataService the ingest-prometheus plugin publishes.
//
// Every family's TYPE/HELP/UNIT seen by the text import, the scraper and remote write is
// recorded here; GET /api/v1/metadata (query-vm) lists it. A family keeps its distinct variants
// (as Prometheus does when targets disagree), the most recent first, at most
// kMaxVariantsPerFamily; at most max_families families are kept, and a new family beyond that
// is not recorded (counted in dropped()). Nothing is written to disk.
//
// Thread-safe: Record and List may be called concurrently from handlers and the scraper.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "nanotdb/services/metric_metadata.h"

namespace nanotdb::prom {

class MetadataStore final : public MetricMetadataService {
 public:
  static constexpr size_t kMaxVariantsPerFamily = 4;

  explicit MetadataStore(size_t max_families = 20'000) : max_families_(max_families) {}
  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  // Records what one exposition said about `family`; a variant seen before moves to the front.
  void Record(const std::string& family, MetricMetadata metadata);

  std::vector<Entry> List(std::string_view metric, size_t limit,
                          size_t limit_per_metric) noexcept override;

  size_t dropped() const;

 private:
  const size_t max_families_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<MetricMetadata>, std::less<>> families_;  // guarded by mu_
  size_t dropped_ = 0;                                                        // guarded by mu_
};

}  // namespace nanotdb::prom
