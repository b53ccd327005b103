#include "nanotdb/engine.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "nanotdb/time_util.h"
#include "storage/database.h"
#include "storage/event_store.h"
#include "storage/filenames.h"
#include "storage/manifest.h"
#include "storage/reader_cache.h"

namespace nanotdb {

struct Engine::Impl {
  EngineOptions options;
  Env* env = nullptr;
  std::unique_ptr<FileLock> lock;
  bool closed = false;
  std::unique_ptr<ReaderCache> readers;  // shared by every database; declared before dbs

  std::atomic<ReadAccelerator*> accelerator{nullptr};
  mutable std::shared_mutex mu;  // guards dbs (the map, not the databases)
  std::map<std::string, std::unique_ptr<Database>, std::less<>> dbs;
  // The events of each database, opened on first use; declared after dbs so they close first.
  mutable std::mutex events_mu;  // guards events (the map, not the stores)
  mutable std::map<std::string, std::unique_ptr<EventStore>, std::less<>> events;

  Result<EventStore*> EventsFor(const Database& db) const {
    std::lock_guard lock(events_mu);
    auto it = events.find(db.name());
    if (it != events.end()) return it->second.get();
    EventStoreOptions o;
    o.env = env;
    o.root = options.root;
    o.db = db.name();
    o.log = options.log;
    o.notice = options.notice;
    o.read_only = options.read_only;
    o.sync_every_write = options.durability.fsync_policy == FsyncPolicy::kAlways;
    o.manifest = db.manifest();
    NANOTDB_ASSIGN_OR_RETURN(auto store, EventStore::Open(std::move(o)));
    return events.emplace(db.name(), std::move(store)).first->second.get();
  }

  DatabaseContext Context() const {
    DatabaseContext ctx;
    ctx.env = env;
    ctx.root = options.root;
    ctx.log = options.log;
    ctx.notice = options.notice;
    ctx.durability = options.durability;
    ctx.defaults = options.manifest_defaults;
    ctx.read_only = options.read_only;
    ctx.bulk_load = options.bulk_load;
    ctx.max_future = options.max_future;
    ctx.max_series = options.max_series_per_database;
    ctx.readers = readers.get();
    ctx.accelerator = &accelerator;
    return ctx;
  }

  Database* Find(std::string_view name) const {
    std::shared_lock lock(mu);
    auto it = dbs.find(name);
    return it == dbs.end() ? nullptr : it->second.get();
  }

  Result<Database*> GetOrCreate(std::string_view name) {
    if (Database* db = Find(name)) return db;
    NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(name));
    std::unique_lock lock(mu);
    auto it = dbs.find(name);
    if (it != dbs.end()) return it->second.get();
    NANOTDB_ASSIGN_OR_RETURN(auto db, Database::Open(Context(), std::string(name), true));
    if (options.log) options.log(LogLevel::kInfo, "created database " + std::string(name));
    return dbs.emplace(std::string(name), std::move(db)).first->second.get();
  }

  Result<Database*> Existing(std::string_view name) const {
    NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(name));
    Database* db = Find(name);
    if (db == nullptr) {
      return Status::NotFound("database \"" + std::string(name) + "\" does not exist");
    }
    return db;
  }

  int64_t last_budget_check = INT64_MIN;       // monotonic; Maintain thread only
  std::optional<int64_t> last_budget_warning;  // monotonic; Maintain thread only

  // Deletes sealed partitions while the databases' files take more than max_disk_bytes. The
  // budget overrides retention holds (a full disk stops every write, raw and rollups alike):
  // deleting a held partition is an error line naming what rollups lost.
  void EnforceDiskBudget(Timestamp now, int64_t mono, const RetentionHoldFn& hold) {
    struct Candidate {
      Database* db;
      Database::EvictionCandidate c;
    };
    std::vector<Candidate> candidates;
    uint64_t total = 0;
    for (Database* db : All()) {
      std::vector<Database::EvictionCandidate> mine;
      total += db->DiskUsage(now, &mine);
      for (auto& c : mine) candidates.push_back({db, std::move(c)});
    }
    const uint64_t budget = options.max_disk_bytes;
    if (total <= budget) return;
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      if (a.c.score != b.c.score) return a.c.score > b.c.score;
      return a.c.start < b.c.start;
    });
    std::map<Database*, RetentionHold> holds;  // asked once per database, no lock held
    for (const Candidate& c : candidates) {
      if (total <= budget) break;
      auto h = holds.find(c.db);
      if (h == holds.end()) {
        h = holds.emplace(c.db, hold ? hold(c.db->name()) : RetentionHold{}).first;
      }
      const std::string why =
          "databases take " + std::to_string(total) +
          " bytes, more than [storage] max_disk_bytes = " + std::to_string(budget) + "; it held " +
          std::to_string(c.c.bytes);
      if (!c.db->EvictPartition(c.c.key, why).ok()) continue;
      total -= std::min(total, c.c.bytes);
      // The partition's events go with its data file.
      if (auto events = EventsFor(*c.db); events.ok()) {
        const std::string path = EventFilePath(options.root, c.db->name(), c.c.key);
        Result<uint64_t> size = env->GetFileSize(path);
        if ((*events)->DeletePartition(c.c.key, why).ok() && size.ok()) {
          total -= std::min(total, *size);
        }
      }
      if (c.c.end > h->second.from && options.log) {
        options.log(LogLevel::kError,
                    "disk budget: deleted " + c.db->name() + "/" + DataFileName(c.c.key) +
                        " while it was held (" + h->second.holder + "): its samples from " +
                        FormatRfc3339(std::max(c.c.start, h->second.from)) + " to " +
                        FormatRfc3339(c.c.end) +
                        " are lost without being rolled up ([storage] max_disk_bytes overrides "
                        "retention holds; raise it or fix the holder)");
      }
    }
    if (total > budget && (!last_budget_warning || mono - *last_budget_warning >= kHour) &&
        options.log) {
      last_budget_warning = mono;
      options.log(LogLevel::kWarning,
                  "disk budget: databases take " + std::to_string(total) +
                      " bytes, more than [storage] max_disk_bytes = " + std::to_string(budget) +
                      ", and nothing more can be deleted (each database's newest partition "
                      "and unflushed data are kept)");
    }
  }

  std::vector<Database*> All() const {
    std::shared_lock lock(mu);
    std::vector<Database*> out;
    for (const auto& [name, db] : dbs) out.push_back(db.get());
    return out;
  }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
  Status st = Close();
  if (!st.ok() && impl_->options.log) {
    impl_->options.log(LogLevel::kError, "closing the engine failed: " + st.message());
  }
}

Result<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->env = options.env != nullptr ? options.env : Env::Default();
  impl->options = std::move(options);
  impl->options.env = impl->env;
  Env* env = impl->env;
  impl->readers = std::make_unique<ReaderCache>(
      env, ReaderCacheOptions{impl->options.reader_cache_files, impl->options.reader_cache_bytes});
  const std::string& root = impl->options.root;
  if (root.empty()) return Status::InvalidArgument("no data root given");
  if (!env->DirExists(root)) {
    if (impl->options.read_only) {
      return Status::NotFound("data root " + root + " does not exist");
    }
    NANOTDB_RETURN_IF_ERROR(env->CreateDirIfMissing(root));
  }
  if (!impl->options.read_only) {
    NANOTDB_ASSIGN_OR_RETURN(impl->lock, env->LockFile(LockPath(root)));
  }
  std::vector<std::string> children;
  NANOTDB_RETURN_IF_ERROR(env->GetChildren(root, &children));
  DatabaseContext ctx = impl->Context();
  for (const std::string& child : children) {
    if (!ValidateDatabaseName(child).ok()) continue;
    if (!IsDatabaseDir(env, root + "/" + child)) continue;
    auto db = Database::Open(ctx, child, false);
    if (!db.ok()) {
      // Databases are isolated: one that cannot be opened is reported and left as it is on
      // disk (writes to it keep failing with the same reason) while the others serve.
      if (impl->options.log) {
        impl->options.log(LogLevel::kError,
                          db.status().message() + " (left untouched; fix or move it away)");
      }
      continue;
    }
    impl->dbs.emplace(child, std::move(*db));
  }
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Status Engine::Close() {
  if (impl_->closed) return Status::Ok();
  impl_->closed = true;
  Status first;
  {
    std::lock_guard lock(impl_->events_mu);
    for (auto& [name, store] : impl_->events) {
      Status st = store->Close();
      if (!st.ok() && first.ok()) first = st.WithContext("events of database " + name);
    }
    impl_->events.clear();
  }
  for (Database* db : impl_->All()) {
    Status st = db->FlushAll();
    if (!st.ok() && first.ok()) first = st.WithContext("database " + db->name());
  }
  {
    std::unique_lock lock(impl_->mu);
    impl_->dbs.clear();
  }
  impl_->lock.reset();
  return first;
}

Status Engine::Write(std::string_view db, std::string_view metric, Timestamp ts, Value value) {
  PointRef p{db, metric, ts, value};
  NANOTDB_ASSIGN_OR_RETURN(BatchResult r, WriteBatch(std::span<const PointRef>(&p, 1)));
  if (!r.rejected.empty()) return r.rejected.front().second;
  return Status::Ok();
}

Result<BatchResult> Engine::WriteBatch(std::span<const PointRef> points) {
  if (impl_->options.read_only) {
    return Status::InvalidArgument("the data root is open read-only");
  }
  if (impl_->closed) return Status::InvalidArgument("the engine is closed");
  BatchResult result;
  // Group by database, keeping input order inside each group.
  std::map<std::string_view, std::vector<DbPoint>> groups;
  for (size_t i = 0; i < points.size(); ++i) {
    const PointRef& p = points[i];
    groups[p.db].push_back(DbPoint{p.metric, p.ts, p.value, i});
  }
  for (auto& [name, group] : groups) {
    if (impl_->Find(name) == nullptr) {
      // A write that stores nothing in a new database does not create it (no directory).
      const Timestamp now = impl_->env->NowNanos();
      std::vector<std::pair<size_t, Status>> refused;
      for (const DbPoint& p : group) {
        Status st = CheckPointForAnyDatabase(p, impl_->options.max_future, now);
        if (st.ok()) break;
        refused.emplace_back(p.index, std::move(st));
      }
      if (refused.size() == group.size()) {
        for (auto& r : refused) result.rejected.push_back(std::move(r));
        continue;
      }
    }
    auto db = impl_->GetOrCreate(name);
    if (!db.ok()) {
      // A bad name or a database that cannot open rejects its own points only.
      for (const DbPoint& p : group) result.rejected.emplace_back(p.index, db.status());
      continue;
    }
    NANOTDB_RETURN_IF_ERROR((*db)->Write(group, &result));
  }
  std::sort(result.rejected.begin(), result.rejected.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return result;
}

Status Engine::Maintain(const RetentionHoldFn& hold) {
  if (impl_->options.read_only) return Status::Ok();
  const Timestamp now = impl_->env->NowNanos();
  const int64_t mono = impl_->env->MonotonicNanos();
  Status first;
  for (Database* db : impl_->All()) {
    Status st = db->Maintain(now, mono, hold);
    if (!st.ok() && first.ok()) first = st.WithContext("database " + db->name());
    Result<EventStore*> events = impl_->EventsFor(*db);
    Status ev = events.ok() ? (*events)->Maintain(now, mono) : events.status();
    if (!ev.ok() && first.ok()) first = ev.WithContext("events of database " + db->name());
    if (st.ok()) db->CloseIfIdle(mono, impl_->options.idle_close);
  }
  if (impl_->options.max_disk_bytes > 0 &&
      (impl_->last_budget_check == INT64_MIN || mono - impl_->last_budget_check >= 10 * kSecond)) {
    impl_->last_budget_check = mono;
    impl_->EnforceDiskBudget(now, mono, hold);
  }
  return first;
}

Status Engine::Flush(std::string_view db) {
  if (!db.empty()) {
    NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
    return d->FlushAll();
  }
  Status first;
  for (Database* d : impl_->All()) {
    Status st = d->FlushAll();
    if (!st.ok() && first.ok()) first = st.WithContext("database " + d->name());
  }
  return first;
}

Result<bool> Engine::CreateDatabase(std::string_view db, const ManifestSettings& settings,
                                    std::string_view comment) {
  if (impl_->options.read_only) {
    return Status::InvalidArgument("the data root is open read-only");
  }
  if (impl_->closed) return Status::InvalidArgument("the engine is closed");
  NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(db));
  if (impl_->Find(db) != nullptr) return false;
  std::unique_lock lock(impl_->mu);
  if (impl_->dbs.count(db) > 0) return false;
  Env* env = impl_->env;
  const std::string dir = DatabaseDir(impl_->options.root, db);
  if (env->DirExists(dir) && IsDatabaseDir(env, dir)) {
    return Status::AlreadyExists("database directory " + dir +
                                 " exists but did not open (see the log); fix or move it away");
  }
  NANOTDB_RETURN_IF_ERROR(env->CreateDirIfMissing(dir));
  NANOTDB_RETURN_IF_ERROR(env->SyncDir(impl_->options.root));
  std::string text(comment);
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += RenderManifest(settings);
  NANOTDB_RETURN_IF_ERROR(WriteFileAtomically(env, ManifestPath(impl_->options.root, db), text));
  NANOTDB_ASSIGN_OR_RETURN(auto opened, Database::Open(impl_->Context(), std::string(db), true));
  if (impl_->options.log) {
    impl_->options.log(LogLevel::kInfo, "created database " + std::string(db));
  }
  impl_->dbs.emplace(std::string(db), std::move(opened));
  return true;
}

Result<std::string> Engine::ManifestText(std::string_view db) const {
  NANOTDB_RETURN_IF_ERROR(impl_->Existing(db).status());
  std::string text;
  NANOTDB_RETURN_IF_ERROR(
      impl_->env->ReadFileToString(ManifestPath(impl_->options.root, db), &text));
  return text;
}

Status Engine::ClearDatabase(std::string_view db, std::vector<std::string>* removed) {
  if (impl_->options.read_only) {
    return Status::InvalidArgument("the data root is open read-only");
  }
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  NANOTDB_ASSIGN_OR_RETURN(EventStore * events, impl_->EventsFor(*d));
  events->Forget();  // Clear deletes the events files too
  return d->Clear(removed);
}

std::vector<std::string> Engine::ListDatabases(bool include_internal) const {
  std::vector<std::string> out;
  for (Database* db : impl_->All()) {
    if (!include_internal && db->name() == kInternalDatabase) continue;
    out.push_back(db->name());
  }
  return out;
}

bool Engine::DatabaseExists(std::string_view db) const { return impl_->Find(db) != nullptr; }

Result<std::vector<MetricInfo>> Engine::ListMetrics(std::string_view db) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  return d->ListMetrics();
}

Result<MetricInfo> Engine::GetMetric(std::string_view db, std::string_view metric) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  return d->GetMetric(metric);
}

Status Engine::ReadRange(std::string_view db, std::string_view metric, Timestamp from, Timestamp to,
                         uint32_t stride, const std::function<bool(const Sample&)>& fn,
                         ReadReport* report) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  return d->ReadRange(metric, from, to, stride, fn, report);
}

Result<DatabaseSummary> Engine::Inspect(std::string_view db) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  return d->Inspect();
}

Result<EventWriteResult> Engine::WriteEvents(std::string_view db, std::span<const Event> events) {
  if (impl_->options.read_only) {
    return Status::InvalidArgument("the data root is open read-only");
  }
  if (impl_->closed) return Status::InvalidArgument("the engine is closed");
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->GetOrCreate(db));
  NANOTDB_ASSIGN_OR_RETURN(EventStore * store, impl_->EventsFor(*d));
  EventWriteResult result;
  NANOTDB_RETURN_IF_ERROR(store->Write(events, &result));
  return result;
}

Status Engine::ReadEvents(std::string_view db, const EventQuery& q,
                          const std::function<bool(const Event&)>& fn,
                          EventReadReport* report) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  NANOTDB_ASSIGN_OR_RETURN(EventStore * store, impl_->EventsFor(*d));
  return store->Read(q, fn, report);
}

Status Engine::CountEvents(std::string_view db, const EventQuery& q, int64_t window,
                           std::vector<EventCount>* out, EventReadReport* report) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  NANOTDB_ASSIGN_OR_RETURN(EventStore * store, impl_->EventsFor(*d));
  return store->Count(q, window, out, report);
}

Result<std::vector<EventFileSummary>> Engine::InspectEvents(std::string_view db) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  NANOTDB_ASSIGN_OR_RETURN(EventStore * store, impl_->EventsFor(*d));
  return store->Inspect();
}

Result<std::vector<SeriesInfo>> Engine::SelectSeries(std::string_view db,
                                                     std::span<const SeriesMatcher> matchers,
                                                     size_t limit) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  NANOTDB_ASSIGN_OR_RETURN(std::vector<CompiledSeriesMatcher> m, CompileSeriesMatchers(matchers));
  return d->SelectSeries(m, limit);
}

Result<std::vector<std::string>> Engine::LabelNames(std::string_view db,
                                                    std::span<const SeriesMatcher> matchers) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  NANOTDB_ASSIGN_OR_RETURN(std::vector<CompiledSeriesMatcher> m, CompileSeriesMatchers(matchers));
  return d->LabelNames(m);
}

Result<std::vector<std::string>> Engine::LabelValues(
    std::string_view db, std::string_view label, std::span<const SeriesMatcher> matchers) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  NANOTDB_ASSIGN_OR_RETURN(std::vector<CompiledSeriesMatcher> m, CompileSeriesMatchers(matchers));
  return d->LabelValues(label, m);
}

Result<ManifestSettings> Engine::GetManifest(std::string_view db) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  return d->manifest();
}

void Engine::SetReadAccelerator(ReadAccelerator* accelerator) {
  impl_->accelerator.store(accelerator, std::memory_order_release);
  if (accelerator == nullptr) return;
  for (Database* db : impl_->All()) db->LearnLastFromMetricFiles();
}

Result<std::vector<PartitionFiles>> Engine::ListPartitions(std::string_view db) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  return d->ListPartitions();
}

Status Engine::ReadRawPartition(std::string_view db, std::string_view key,
                                std::vector<RawSeries>* out, uint64_t* raw_bytes,
                                uint32_t* frames) const {
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  return d->ReadRawPartition(key, out, raw_bytes, frames);
}

Status Engine::WriteMetricFile(std::string_view db, std::string_view key, std::string_view bytes) {
  if (impl_->options.read_only) return Status::InvalidArgument("the data root is open read-only");
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  return d->WriteMetricFile(key, bytes);
}

Status Engine::ReplaceRawData(std::string_view db, std::string_view key, RawAction action,
                              uint64_t expected_bytes) {
  if (impl_->options.read_only) return Status::InvalidArgument("the data root is open read-only");
  NANOTDB_ASSIGN_OR_RETURN(Database * d, impl_->Existing(db));
  return d->ReplaceRawData(key, action, expected_bytes);
}

const std::string& Engine::root() const { return impl_->options.root; }
const EngineOptions& Engine::options() const { return impl_->options; }
ReaderCacheStats Engine::reader_cache_stats() const { return impl_->readers->stats(); }

}  // namespace nanotdb
