// The services the core publishes over the storage engine: WriterService, QueryService,
// DatabaseService and MetadataService (see nanotdb/services/*.h for their contracts). They count
// what they do in CoreCounters for self-stats. All are thread-safe; the engine, counters and
// everything passed to EngineMetadata must outlive them.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "nanotdb/services/databases.h"
#include "nanotdb/services/events.h"
#include "nanotdb/services/metadata.h"
#include "nanotdb/services/partitions.h"
#include "nanotdb/services/query.h"
#include "nanotdb/services/writer.h"
#include "server/config.h"
#include "server/self_stats.h"

namespace nanotdb::server {

// [storage] max_databases (0 = no limit), shared by every service that creates databases:
// samples, events and rollup destinations count alike. Each database holds file descriptors,
// and 100,000 of them in one batch left a daemon that could not restart. The `internal`
// database is not counted. Thread-safe; the engine must outlive it.
class DatabaseLimit {
 public:
  DatabaseLimit(Engine& engine, size_t max) : engine_(engine), max_(max) {}
  DatabaseLimit(const DatabaseLimit&) = delete;
  DatabaseLimit& operator=(const DatabaseLimit&) = delete;

  size_t max() const { return max_; }
  // Held from the check to the creation, so two creators cannot both take the last place.
  std::mutex& mutex() { return mu_; }
  // The databases that exist (internal not counted); call with mutex() held.
  size_t Count() const { return engine_.ListDatabases(false).size(); }
  // Why `db` is not created: "database "x" not created: the limit of N databases is reached
  // (raise [storage] max_databases in engine.toml)".
  Status Refusal(std::string_view db) const;

 private:
  Engine& engine_;
  const size_t max_;
  std::mutex mu_;  // see mutex()
};

// What plugins write. Points for the `internal` database are rejected (only the core's
// self-stats write it, straight to the engine), and so are points that would create a
// database past `limit` (none when null).
class EngineWriter final : public WriterService {
 public:
  EngineWriter(Engine& engine, CoreCounters& counters, DatabaseLimit* limit = nullptr)
      : engine_(engine), counters_(counters), limit_(limit) {}
  Result<BatchResult> WriteBatch(std::span<const PointRef> points) noexcept override;

 private:
  Engine& engine_;
  CoreCounters& counters_;
  DatabaseLimit* limit_;
};

// Events over the engine. Writes to the `internal` database are refused (the core writes its
// own lifecycle events there, straight to the engine), and so are writes that would create a
// database past `limit`, as for samples.
class EngineEvents final : public EventService {
 public:
  EngineEvents(Engine& engine, DatabaseLimit* limit = nullptr) : engine_(engine), limit_(limit) {}
  Result<EventWriteResult> WriteEvents(std::string_view db,
                                       std::span<const Event> events) noexcept override;
  Status ReadEvents(std::string_view db, const EventQuery& q,
                    const std::function<bool(const Event&)>& fn,
                    EventReadReport* report) noexcept override;
  Status CountEvents(std::string_view db, const EventQuery& q, int64_t window,
                     std::vector<EventCount>* out, EventReadReport* report) noexcept override;

 private:
  Engine& engine_;
  DatabaseLimit* limit_;
};

class EngineQuery final : public QueryService {
 public:
  EngineQuery(Engine& engine, CoreCounters& counters) : engine_(engine), counters_(counters) {}
  std::vector<std::string> ListDatabases(bool include_internal) noexcept override;
  bool DatabaseExists(std::string_view db) noexcept override;
  Result<std::vector<MetricInfo>> ListMetrics(std::string_view db) noexcept override;
  Result<MetricInfo> GetMetric(std::string_view db, std::string_view metric) noexcept override;
  Status ReadRange(std::string_view db, std::string_view metric, Timestamp from, Timestamp to,
                   uint32_t stride, const std::function<bool(const Sample&)>& fn) noexcept override;
  Status AggregateRange(std::string_view db, std::string_view metric, Timestamp from, Timestamp to,
                        int64_t window, const std::vector<Aggregate>& aggs,
                        std::vector<Bucket>* out) noexcept override;
  Result<std::vector<std::string>> SelectMetrics(std::string_view db, std::string_view selector,
                                                 SelectorKind kind) noexcept override;
  Status ReadRangeReporting(std::string_view db, std::string_view metric, Timestamp from,
                            Timestamp to, uint32_t stride,
                            const std::function<bool(const Sample&)>& fn,
                            ReadReport* report) noexcept override;
  Status AggregateRangeReporting(std::string_view db, std::string_view metric, Timestamp from,
                                 Timestamp to, int64_t window, const std::vector<Aggregate>& aggs,
                                 std::vector<Bucket>* out, ReadReport* report) noexcept override;
  Result<std::vector<SeriesInfo>> SelectSeries(std::string_view db,
                                               const std::vector<SeriesMatcher>& matchers,
                                               size_t limit) noexcept override;
  Result<std::vector<std::string>> LabelNames(
      std::string_view db, const std::vector<SeriesMatcher>& matchers) noexcept override;
  Result<std::vector<std::string>> LabelValues(
      std::string_view db, std::string_view label,
      const std::vector<SeriesMatcher>& matchers) noexcept override;

 private:
  Status Count(Status st);
  Engine& engine_;
  CoreCounters& counters_;
};

// Databases created by plugins (rollup destinations) count towards `limit` (none when null).
class EngineDatabases final : public DatabaseService {
 public:
  EngineDatabases(Engine& engine, ManifestSettings defaults, DatabaseLimit* limit = nullptr)
      : engine_(engine), defaults_(defaults), limit_(limit) {}
  ManifestSettings DefaultManifest() noexcept override { return defaults_; }
  Result<bool> CreateDatabase(std::string_view db, const ManifestSettings& settings,
                              std::string_view comment) noexcept override;
  Result<std::string> ManifestText(std::string_view db) noexcept override;
  Status Flush(std::string_view db) noexcept override;
  Status ClearDatabase(std::string_view db, std::vector<std::string>* removed) noexcept override;

 private:
  Engine& engine_;
  const ManifestSettings defaults_;
  DatabaseLimit* limit_;
};

// Partition files for the metricfiles plugin and `nanocli build metric`, over the engine.
class EnginePartitions final : public PartitionService {
 public:
  explicit EnginePartitions(Engine& engine) : engine_(engine) {}
  Result<std::vector<PartitionFiles>> ListPartitions(std::string_view db) noexcept override;
  Status ReadRawPartition(std::string_view db, std::string_view key, std::vector<RawSeries>* out,
                          uint64_t* raw_bytes, uint32_t* frames) noexcept override;
  Status WriteMetricFile(std::string_view db, std::string_view key,
                         std::string_view bytes) noexcept override;
  Status ReplaceRawData(std::string_view db, std::string_view key, RawAction action,
                        uint64_t expected_bytes) noexcept override;

 private:
  Engine& engine_;
};

class EngineMetadata final : public MetadataService {
 public:
  // `plugins` is called for each Runtime() (the plugin list is fixed once startup finished).
  EngineMetadata(Engine& engine, const EngineConfig& config,
                 std::function<std::vector<LoadedPluginInfo>()> plugins);
  Result<DatabaseSummary> InspectDatabase(std::string_view db) noexcept override;
  RuntimeInfo Runtime() noexcept override;
  std::string EffectiveConfigToml() noexcept override;

 private:
  Engine& engine_;
  const EngineConfig& config_;
  std::function<std::vector<LoadedPluginInfo>()> plugins_;
  std::chrono::steady_clock::time_point started_;
};

// The nanotdb version ("0.1.0").
const char* NanotdbVersion();

}  // namespace nanotdb::server
