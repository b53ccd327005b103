#include "server/core_services.h"

#include <algorithm>
#include <set>

#include "nanotdb/query.h"
#include "server/process_stats.h"

namespace nanotdb::server {
namespace {

// Engine calls do not throw by contract; allocation failure still can, and must not cross the
// service boundary.
template <typename Fn>
auto Guard(Fn fn) noexcept -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("unexpected failure: ") + e.what());
  }
}

}  // namespace

const char* NanotdbVersion() { return NANOTDB_VERSION; }

Status DatabaseLimit::Refusal(std::string_view db) const {
  return Status::InvalidArgument("database \"" + std::string(db) + "\" not created: the limit of " +
                                 std::to_string(max_) +
                                 " databases is reached (raise [storage] max_databases in "
                                 "engine.toml)");
}

Result<EventWriteResult> EngineEvents::WriteEvents(std::string_view db,
                                                   std::span<const Event> events) noexcept {
  return Guard([&]() -> Result<EventWriteResult> {
    if (db == kInternalDatabase) {
      return Status::InvalidArgument(
          "database \"internal\" is reserved: only nanotdb writes its own events there; "
          "choose another database name");
    }
    std::unique_lock<std::mutex> creating;
    if (limit_ != nullptr && limit_->max() != 0 && !engine_.DatabaseExists(db)) {
      creating = std::unique_lock(limit_->mutex());
      if (!engine_.DatabaseExists(db) && limit_->Count() >= limit_->max()) {
        return limit_->Refusal(db);
      }
    }
    return engine_.WriteEvents(db, events);
  });
}

Status EngineEvents::ReadEvents(std::string_view db, const EventQuery& q,
                                const std::function<bool(const Event&)>& fn,
                                EventReadReport* report) noexcept {
  return Guard([&] { return engine_.ReadEvents(db, q, fn, report); });
}

Status EngineEvents::CountEvents(std::string_view db, const EventQuery& q, int64_t window,
                                 std::vector<EventCount>* out, EventReadReport* report) noexcept {
  return Guard([&] { return engine_.CountEvents(db, q, window, out, report); });
}

Result<BatchResult> EngineWriter::WriteBatch(std::span<const PointRef> points) noexcept {
  return Guard([&]() -> Result<BatchResult> {
    // Refused points are left out of the engine's batch; `index` maps its indices back.
    std::vector<std::pair<size_t, Status>> refused;
    std::vector<PointRef> kept;
    std::vector<size_t> index;
    std::unique_lock<std::mutex> creating;
    std::set<std::string_view> known, created;
    size_t databases = 0;
    bool counted = false;
    for (size_t i = 0; i < points.size(); ++i) {
      std::string_view db = points[i].db;
      if (db == kInternalDatabase) {
        refused.emplace_back(
            i, Status::InvalidArgument("database \"internal\" is reserved: only nanotdb's "
                                       "self-stats write it; choose another database name"));
        continue;
      }
      if (limit_ != nullptr && limit_->max() != 0 && !known.count(db) && !created.count(db)) {
        if (engine_.DatabaseExists(db)) {
          known.insert(db);
        } else {
          if (!counted) {
            creating = std::unique_lock(limit_->mutex());
            databases = limit_->Count();
            counted = true;
          }
          if (databases + created.size() >= limit_->max()) {
            refused.emplace_back(i, limit_->Refusal(db));
            continue;
          }
          created.insert(db);
        }
      }
      kept.push_back(points[i]);
      index.push_back(i);
    }
    Result<BatchResult> result =
        refused.empty() ? engine_.WriteBatch(points) : engine_.WriteBatch(kept);
    if (result.ok() && !refused.empty()) {
      for (auto& [i, st] : result->rejected) i = index[i];
      refused.insert(refused.end(), result->rejected.begin(), result->rejected.end());
      std::sort(refused.begin(), refused.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      result->rejected = std::move(refused);
    }
    counters_.ingest_batches.fetch_add(1, std::memory_order_relaxed);
    if (result.ok()) {
      counters_.ingest_samples.fetch_add(result->accepted, std::memory_order_relaxed);
      counters_.ingest_rejected.fetch_add(result->rejected.size(), std::memory_order_relaxed);
    }
    return result;
  });
}

Status EngineQuery::Count(Status st) {
  counters_.queries.fetch_add(1, std::memory_order_relaxed);
  if (!st.ok() && !st.IsNotFound()) counters_.query_errors.fetch_add(1, std::memory_order_relaxed);
  return st;
}

std::vector<std::string> EngineQuery::ListDatabases(bool include_internal) noexcept {
  try {
    return engine_.ListDatabases(include_internal);
  } catch (const std::exception&) {
    return {};
  }
}

bool EngineQuery::DatabaseExists(std::string_view db) noexcept {
  return engine_.DatabaseExists(db);
}

Result<std::vector<MetricInfo>> EngineQuery::ListMetrics(std::string_view db) noexcept {
  return Guard([&]() -> Result<std::vector<MetricInfo>> {
    auto result = engine_.ListMetrics(db);
    Count(result.status());
    return result;
  });
}

Result<MetricInfo> EngineQuery::GetMetric(std::string_view db, std::string_view metric) noexcept {
  return Guard([&]() -> Result<MetricInfo> {
    auto result = engine_.GetMetric(db, metric);
    Count(result.status());
    return result;
  });
}

Status EngineQuery::ReadRange(std::string_view db, std::string_view metric, Timestamp from,
                              Timestamp to, uint32_t stride,
                              const std::function<bool(const Sample&)>& fn) noexcept {
  return ReadRangeReporting(db, metric, from, to, stride, fn, nullptr);
}

Status EngineQuery::ReadRangeReporting(std::string_view db, std::string_view metric, Timestamp from,
                                       Timestamp to, uint32_t stride,
                                       const std::function<bool(const Sample&)>& fn,
                                       ReadReport* report) noexcept {
  return Guard([&] { return Count(engine_.ReadRange(db, metric, from, to, stride, fn, report)); });
}

Status EngineQuery::AggregateRange(std::string_view db, std::string_view metric, Timestamp from,
                                   Timestamp to, int64_t window, const std::vector<Aggregate>& aggs,
                                   std::vector<Bucket>* out) noexcept {
  return AggregateRangeReporting(db, metric, from, to, window, aggs, out, nullptr);
}

Status EngineQuery::AggregateRangeReporting(std::string_view db, std::string_view metric,
                                            Timestamp from, Timestamp to, int64_t window,
                                            const std::vector<Aggregate>& aggs,
                                            std::vector<Bucket>* out, ReadReport* report) noexcept {
  return Guard([&] {
    return Count(nanotdb::AggregateRange(engine_, db, metric, from, to, window, aggs, out, report));
  });
}

Result<std::vector<std::string>> EngineQuery::SelectMetrics(std::string_view db,
                                                            std::string_view selector,
                                                            SelectorKind kind) noexcept {
  return Guard([&]() -> Result<std::vector<std::string>> {
    auto result = nanotdb::SelectMetrics(engine_, db, selector, kind);
    Count(result.status());
    return result;
  });
}

Result<std::vector<SeriesInfo>> EngineQuery::SelectSeries(
    std::string_view db, const std::vector<SeriesMatcher>& matchers, size_t limit) noexcept {
  return Guard([&]() -> Result<std::vector<SeriesInfo>> {
    auto result = engine_.SelectSeries(db, matchers, limit);
    Count(result.status());
    return result;
  });
}

Result<std::vector<std::string>> EngineQuery::LabelNames(
    std::string_view db, const std::vector<SeriesMatcher>& matchers) noexcept {
  return Guard([&]() -> Result<std::vector<std::string>> {
    auto result = engine_.LabelNames(db, matchers);
    Count(result.status());
    return result;
  });
}

Result<std::vector<std::string>> EngineQuery::LabelValues(
    std::string_view db, std::string_view label,
    const std::vector<SeriesMatcher>& matchers) noexcept {
  return Guard([&]() -> Result<std::vector<std::string>> {
    auto result = engine_.LabelValues(db, label, matchers);
    Count(result.status());
    return result;
  });
}

Result<bool> EngineDatabases::CreateDatabase(std::string_view db, const ManifestSettings& settings,
                                             std::string_view comment) noexcept {
  return Guard([&]() -> Result<bool> {
    if (db == kInternalDatabase) {
      return Status::InvalidArgument("database \"internal\" is reserved for nanotdb's self-stats");
    }
    std::unique_lock<std::mutex> creating;
    if (limit_ != nullptr && limit_->max() != 0 && !engine_.DatabaseExists(db)) {
      creating = std::unique_lock(limit_->mutex());
      if (!engine_.DatabaseExists(db) && limit_->Count() >= limit_->max()) {
        return limit_->Refusal(db);
      }
    }
    return engine_.CreateDatabase(db, settings, comment);
  });
}

Result<std::string> EngineDatabases::ManifestText(std::string_view db) noexcept {
  return Guard([&]() -> Result<std::string> { return engine_.ManifestText(db); });
}

Status EngineDatabases::Flush(std::string_view db) noexcept {
  return Guard([&] { return engine_.Flush(db); });
}

Status EngineDatabases::ClearDatabase(std::string_view db,
                                      std::vector<std::string>* removed) noexcept {
  return Guard([&] {
    if (db == kInternalDatabase) {
      return Status::InvalidArgument("database \"internal\" is reserved: it cannot be cleared");
    }
    return engine_.ClearDatabase(db, removed);
  });
}

EngineMetadata::EngineMetadata(Engine& engine, const EngineConfig& config,
                               std::function<std::vector<LoadedPluginInfo>()> plugins)
    : engine_(engine),
      config_(config),
      plugins_(std::move(plugins)),
      started_(std::chrono::steady_clock::now()) {}

Result<DatabaseSummary> EngineMetadata::InspectDatabase(std::string_view db) noexcept {
  return Guard([&]() -> Result<DatabaseSummary> { return engine_.Inspect(db); });
}

RuntimeInfo EngineMetadata::Runtime() noexcept {
  RuntimeInfo info;
  try {
    ProcessStats process = ReadProcessStats();
    info.version = NanotdbVersion();
    info.uptime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now() - started_)
                         .count();
    info.rss_bytes = process.rss_bytes;
    info.peak_rss_bytes = process.peak_rss_bytes;
    info.cpu_user_seconds = process.cpu_user_seconds;
    info.cpu_system_seconds = process.cpu_system_seconds;
    info.threads = process.threads;
    info.root = config_.root;
    info.listen = config_.listen;
    if (plugins_) info.plugins = plugins_();
  } catch (const std::exception&) {
    // A partial answer is better than none for an inspector page.
  }
  return info;
}

std::string EngineMetadata::EffectiveConfigToml() noexcept {
  try {
    return RedactedConfigToml(config_);
  } catch (const std::exception&) {
    return {};
  }
}

Result<std::vector<PartitionFiles>> EnginePartitions::ListPartitions(std::string_view db) noexcept {
  return Guard([&]() -> Result<std::vector<PartitionFiles>> { return engine_.ListPartitions(db); });
}

Status EnginePartitions::ReadRawPartition(std::string_view db, std::string_view key,
                                          std::vector<RawSeries>* out, uint64_t* raw_bytes,
                                          uint32_t* frames) noexcept {
  return Guard([&] { return engine_.ReadRawPartition(db, key, out, raw_bytes, frames); });
}

Status EnginePartitions::WriteMetricFile(std::string_view db, std::string_view key,
                                         std::string_view bytes) noexcept {
  return Guard([&] { return engine_.WriteMetricFile(db, key, bytes); });
}

Status EnginePartitions::ReplaceRawData(std::string_view db, std::string_view key, RawAction action,
                                        uint64_t expected_bytes) noexcept {
  return Guard([&] { return engine_.ReplaceRawData(db, key, action, expected_bytes); });
}

}  // namespace nanotdb::server
