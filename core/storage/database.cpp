#include "storage/database.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <unordered_map>

#include "nanotdb/series.h"
#include "nanotdb/services/read_accelerator.h"
#include "nanotdb/time_util.h"
#include "storage/filenames.h"
#include "storage/frame.h"
#include "storage/manifest.h"
#include "storage/wal_format.h"

namespace nanotdb {
namespace {

// Bulk loads (nanocli import) let a partition become one frame where memory allows.
constexpr uint32_t kBulkMaxRecords = 8u << 20;
constexpr uint64_t kBulkMaxBytes = 96ull << 20;

std::string ValueText(Value v) {
  std::string s = FormatValue(v);
  if (IsIntegerType(v.type)) s += 'i';
  return s;
}

}  // namespace

namespace {

Timestamp FutureLimit(int64_t max_future, Timestamp now_wall) {
  return max_future <= 0 || now_wall > kMaxTimestamp - max_future ? kMaxTimestamp
                                                                  : now_wall + max_future;
}

bool BeyondFuture(Timestamp ts, int64_t max_future, Timestamp limit) {
  return ts > limit || (max_future > 0 && ts == kMaxTimestamp);
}

Status FutureStatus(const DbPoint& p, int64_t max_future, Timestamp limit) {
  return Status::InvalidArgument("timestamp " + std::to_string(p.ts) + " (" +
                                 FormatTimestamp(p.ts) + " UTC) of \"" + std::string(p.metric) +
                                 "\" is more than " + FormatDuration(max_future) +
                                 " ahead of now: the limit is " + std::to_string(limit) + " (" +
                                 FormatTimestamp(limit) + " UTC), [ingest] max_future");
}

}  // namespace

Status CheckPointForAnyDatabase(const DbPoint& p, int64_t max_future, Timestamp now_wall) {
  const Timestamp limit = FutureLimit(max_future, now_wall);
  if (BeyondFuture(p.ts, max_future, limit)) return FutureStatus(p, max_future, limit);
  Result<std::string> name = CanonicalSeriesName(p.metric);
  return name.ok() ? Status::Ok() : name.status();
}

Status Database::FutureError(const DbPoint& p, Timestamp limit) const {
  return FutureStatus(p, ctx_.max_future, limit);
}

Database::Database(const DatabaseContext& ctx, std::string name)
    : ctx_(ctx), name_(std::move(name)), dir_(DatabaseDir(ctx.root, name_)) {}

Database::~Database() = default;

void Database::Log(LogLevel level, const std::string& msg) const {
  if (ctx_.log) ctx_.log(level, "database " + name_ + ": " + msg);
}

void Database::Notice(std::string name, std::optional<Value> value,
                      const std::function<void(JsonObject&)>& fields) const {
  if (!ctx_.notice) return;
  JsonObject payload;
  payload.Str("db", name_);
  fields(payload);
  ctx_.notice(EngineNotice{std::move(name), name_, value, payload.str()});
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseContext& ctx, std::string name,
                                                 bool create) {
  NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(name));
  std::unique_ptr<Database> db(new Database(ctx, std::move(name)));
  Status st = db->Load(create);
  if (!st.ok()) return st.WithContext("database " + db->name_);
  return db;
}

Status Database::Load(bool create) {
  Env* env = ctx_.env;
  const std::string manifest_path = ManifestPath(ctx_.root, name_);
  if (!env->DirExists(dir_)) {
    if (!create) return Status::NotFound("database \"" + name_ + "\" does not exist");
    if (ctx_.read_only) return Status::InvalidArgument("cannot create a database read-only");
    NANOTDB_RETURN_IF_ERROR(env->CreateDirIfMissing(dir_));
    NANOTDB_RETURN_IF_ERROR(env->SyncDir(ctx_.root));
  }
  manifest_ = ctx_.defaults;
  if (env->FileExists(manifest_path)) {
    std::vector<std::string> warnings;
    NANOTDB_RETURN_IF_ERROR(LoadManifest(env, manifest_path, &manifest_, &warnings));
    for (const std::string& w : warnings) Log(LogLevel::kWarning, w);
  } else if (!ctx_.read_only) {
    NANOTDB_RETURN_IF_ERROR(SaveManifest(env, manifest_path, manifest_));
  }

  const std::string catalog_path = CatalogPath(ctx_.root, name_);
  const std::string recover_hint = "; nothing was changed: run `nanocli recover --root " +
                                   ctx_.root + " --db " + name_ +
                                   "` to rebuild it from the data files";
  const bool catalog_missing = !env->FileExists(catalog_path);
  auto loaded = Catalog::Load(env, catalog_path);
  if (!loaded.ok()) {
    if (!loaded.status().IsCorruption()) return loaded.status();
    return Status::Corruption(loaded.status().message() + recover_hint);
  }
  catalog_ = std::move(*loaded);
  const bool catalog_upgraded = catalog_.dirty();  // it had an older build's 4-byte types
  last_.assign(catalog_.size() + 1, std::nullopt);

  std::vector<std::string> children;
  NANOTDB_RETURN_IF_ERROR(env->GetChildren(dir_, &children));
  for (const std::string& child : children) {
    std::string key;
    if (ParseDataFileName(child, &key)) partitions_.insert(key);
    if (ParseMetricFileName(child, &key)) metric_files_.insert(key);
  }
  UpdateSealedLocked();
  NANOTDB_RETURN_IF_ERROR(LearnLastValues());

  const std::string wal_path = WalPath(ctx_.root, name_);
  auto replay = [this](const WalBatch& batch) { return ReplayBatch(batch); };
  WalReadReport report;
  if (ctx_.read_only) {
    if (env->FileExists(wal_path)) {
      NANOTDB_RETURN_IF_ERROR(ReadWal(env, wal_path, replay, &report));
    }
  } else if (manifest_.wal_enabled) {
    NANOTDB_RETURN_IF_ERROR(OpenWalLocked(&report));
  } else if (env->FileExists(wal_path)) {
    // The WAL was switched off: replay what it still holds, then it is removed at first flush.
    NANOTDB_RETURN_IF_ERROR(ReadWal(env, wal_path, replay, &report));
  }
  durable_.clear();
  if (!orphans_.empty()) NANOTDB_RETURN_IF_ERROR(SetOrphansAside(wal_path));
  last_write_mono_ = env->MonotonicNanos();  // idle from now on (CloseIfIdle)
  // A catalog that lacks ids the data files hold (missing, or an older copy put back) would
  // hand the next new metric one of them, and queries for it would return another metric's
  // samples. Ids whose last value was learned from the newest files are checked always.
  if (catalog_missing && !partitions_.empty()) {
    NANOTDB_RETURN_IF_ERROR(CheckFilesNamed(catalog_path, recover_hint));
  }
  for (MetricId id = 1; id < last_.size(); ++id) {
    if (last_[id].has_value() && catalog_.FindById(id) == nullptr) {
      return Status::Corruption(catalog_path + " does not name metric id " + std::to_string(id) +
                                " which the data files hold" + recover_hint);
    }
  }
  wal_has_records_ = report.records > 0 || report.tail_bytes > 0 || !report.damaged.empty();
  const std::string wal_file = std::filesystem::path(wal_path).filename().string();
  for (const WalDamage& d : report.damaged) {
    Log(LogLevel::kWarning,
        "WAL " + wal_path + ": skipped " + std::to_string(d.bytes) + " damaged bytes at offset " +
            std::to_string(d.offset) + " (" + d.reason + ")" +
            (d.quarantine.empty() ? std::string() : ", copied to " + d.quarantine) +
            "; the records after them were replayed");
    Notice("nanotdb.wal.quarantined", Value::Int64(static_cast<int64_t>(d.bytes)),
           [&](JsonObject& j) {
             j.Str("file", wal_file)
                 .Uint("offset", d.offset)
                 .Uint("bytes", d.bytes)
                 .Str("reason", d.reason)
                 .Str("quarantine", d.quarantine);
           });
  }
  if (report.records > 0) {
    Log(LogLevel::kInfo, "replayed " + std::to_string(report.samples) + " samples from " +
                             std::to_string(report.records) + " WAL records");
    Notice(
        "nanotdb.wal.replayed", Value::Int64(static_cast<int64_t>(report.samples)),
        [&](JsonObject& j) {
          j.Str("file", wal_file).Uint("records", report.records).Uint("samples", report.samples);
        });
  }
  if (report.tail_bytes > 0) {
    Log(LogLevel::kWarning, "WAL " + wal_path + ": dropped " + std::to_string(report.tail_bytes) +
                                " bytes after offset " + std::to_string(report.valid_bytes) + " (" +
                                report.stop_reason + ")");
    Notice("nanotdb.wal.truncated", Value::Int64(static_cast<int64_t>(report.tail_bytes)),
           [&](JsonObject& j) {
             j.Str("file", wal_file)
                 .Uint("offset", report.valid_bytes)
                 .Uint("bytes", report.tail_bytes)
                 .Str("reason", report.stop_reason);
           });
  }
  if (CanonicaliseSeriesNames() > 0 && !ctx_.read_only) {
    // The WAL may define the old names: move its samples into data files and empty it with
    // the renamed catalog saved (ReplayBatch accepts an old spelling should this not finish).
    NANOTDB_RETURN_IF_ERROR(FlushAllLocked());
  }
  if (!ctx_.read_only && catalog_upgraded) {
    // Write the 64-bit types back now, so the file says what the database holds.
    NANOTDB_RETURN_IF_ERROR(catalog_.Save(env, CatalogPath(ctx_.root, name_)));
  }
  if (wal_ && wal_->format_version() != kWalVersion) {
    // An older build's WAL (4-byte values) was replayed: move it into data files and start
    // the log over in the current format.
    Log(LogLevel::kInfo, "upgrading WAL " + wal_path + " from format version " +
                             std::to_string(wal_->format_version()) + ": flushing " +
                             std::to_string(report.samples) + " replayed samples");
    NANOTDB_RETURN_IF_ERROR(FlushAllLocked());
  }
  if (!ctx_.read_only && !manifest_.wal_enabled && env->FileExists(wal_path)) {
    NANOTDB_RETURN_IF_ERROR(FlushAllLocked());
    NANOTDB_RETURN_IF_ERROR(env->RemoveFile(wal_path));
  }
  index_.Clear();
  for (const CatalogEntry& e : catalog_.entries()) index_.Add(e.id, e.name);
  return Status::Ok();
}

Status Database::CheckFilesNamed(const std::string& catalog_path,
                                 const std::string& recover_hint) const {
  for (const std::string& key : partitions_) {
    const std::string path = DataFilePath(ctx_.root, name_, key);
    auto reader = ctx_.readers->Get(path);
    if (!reader.ok()) continue;  // reported by LearnLastValues
    for (const FrameIndexEntry& f : (*reader)->frames()) {
      for (const FrameColumnInfo& c : f.header.columns) {
        if (catalog_.FindById(c.id) == nullptr) {
          return Status::Corruption(catalog_path + " is missing but " + path +
                                    " holds samples of metric id " + std::to_string(c.id) +
                                    recover_hint);
        }
      }
    }
  }
  return Status::Ok();
}

// The newest sample of every metric lives in the newest partition holding that metric, since a
// metric's samples never go back in time. Frame headers say which frames hold which metric,
// so only one column per metric is decoded.
Status Database::LearnLastValues() {
  // After a crash the catalog may lag behind the data files (the WAL still holds the newest
  // definitions), so every id found in a frame counts, not only those the catalog knows.
  size_t known = 0;
  const Timestamp future_limit = FutureLimit(ctx_.max_future, ctx_.env->NowNanos());
  for (auto it = partitions_.rbegin(); it != partitions_.rend(); ++it) {
    if (catalog_.size() > 0 && known >= catalog_.size()) break;
    const std::string path = DataFilePath(ctx_.root, name_, *it);
    auto reader = ctx_.readers->Get(path);
    if (!reader.ok()) {
      Log(LogLevel::kWarning, reader.status().message());
      continue;
    }
    if (!(*reader)->error().empty()) Log(LogLevel::kWarning, path + ": " + (*reader)->error());
    std::unordered_map<MetricId, Timestamp> newest;  // metric -> max ts in this file
    for (const FrameIndexEntry& f : (*reader)->frames()) {
      for (const FrameColumnInfo& c : f.header.columns) {
        if (c.id < last_.size() && last_[c.id].has_value()) continue;
        auto [pos, inserted] = newest.try_emplace(c.id, c.max_ts);
        if (!inserted) pos->second = std::max(pos->second, c.max_ts);
      }
    }
    for (const auto& [id, ts] : newest) {
      Sample last;
      uint64_t at_ts = 0;
      // Builds before [ingest] max_future stored any timestamp, INT64_MAX included. Such a
      // sample stays stored and readable, but the metric's order starts from its newest sample
      // within the limit, or no write would ever be accepted again.
      const bool beyond = BeyondFuture(ts, ctx_.max_future, future_limit);
      const Timestamp from = beyond ? kMinTimestamp : ts;
      const Timestamp to = beyond ? std::min(ts - 1, future_limit) : ts;
      Status st = (*reader)->ReadMetric(id, from, to, [&](const Sample& s) {
        at_ts = at_ts > 0 && s.ts == last.ts ? at_ts + 1 : 1;
        last = s;
        return true;
      });
      if (!st.ok()) {
        Log(LogLevel::kWarning, st.message());
        continue;
      }
      if (beyond) {
        const CatalogEntry* e = catalog_.FindById(id);
        Log(LogLevel::kWarning,
            path + ": metric " +
                (e != nullptr ? "\"" + e->name + "\"" : "id " + std::to_string(id)) +
                " holds a sample at " + FormatTimestamp(ts) + ", more than " +
                FormatDuration(ctx_.max_future) +
                " ahead of now ([ingest] max_future; stored by an older build): it is kept and "
                "read, and new samples are ordered after its newest sample before that");
        if (at_ts == 0) continue;  // older partitions hold its order
      }
      if (last_.size() <= id) last_.resize(id + 1);
      last_[id] = last;
      durable_[id] = DurableMark{last.ts, at_ts};
      ++known;
    }
  }
  return Status::Ok();
}

Status Database::SetOrphansAside(const std::string& wal_path) {
  std::string aside;
  if (!ctx_.read_only) {
    // Before the next flush empties the log: its records still hold the samples.
    std::string bytes;
    NANOTDB_RETURN_IF_ERROR(ctx_.env->ReadFileToString(wal_path, &bytes));
    aside = wal_path + ".quarantine.0";
    NANOTDB_RETURN_IF_ERROR(WriteFileAtomically(ctx_.env, aside, bytes));
  }
  for (const auto& [id, o] : orphans_) {
    std::string placeholder = "recovered.id" + std::to_string(id);
    if (!ctx_.read_only) {
      // The type is unknown; the placeholder holds no samples and only keeps the id taken.
      Status st = catalog_.Restore(WalMetricDef{id, ValueType::kFloat64, placeholder});
      if (!st.ok()) return st.WithContext("reserving metric id " + std::to_string(id));
      if (last_.size() <= id) last_.resize(id + 1);
    }
    Log(LogLevel::kError,
        "WAL " + wal_path + ": " + std::to_string(o.samples) + " samples of metric id " +
            std::to_string(id) + " (" + FormatTimestamp(o.min_ts) + " .. " +
            FormatTimestamp(o.max_ts) +
            ") were left out: both copies of the metric's definition are damaged and no data "
            "file names it" +
            (ctx_.read_only ? std::string()
                            : "; the log is kept whole in " + aside +
                                  " and the id is reserved as \"" + placeholder + "\""));
  }
  orphans_.clear();
  return Status::Ok();
}

Status Database::ReplayBatch(const WalBatch& batch) {
  for (WalMetricDef def : batch.new_metrics) {
    if (const CatalogEntry* known = catalog_.FindById(def.id);
        known != nullptr && known->name != def.name) {
      // Logged before its series key was renamed to the canonical form (CanonicaliseSeriesNames).
      Result<std::string> canonical = CanonicalSeriesName(def.name);
      if (canonical.ok() && *canonical == known->name) def.name = known->name;
    }
    NANOTDB_RETURN_IF_ERROR(catalog_.Restore(def));
    if (last_.size() <= def.id) last_.resize(def.id + 1);
  }
  for (const WalSample& ws : batch.samples) {
    const CatalogEntry* e = catalog_.FindById(ws.id);
    if (e == nullptr && orphans_.count(ws.id) == 0) {
      // Both copies of its definition were damaged. A data file may still name it.
      for (auto it = partitions_.rbegin(); it != partitions_.rend() && e == nullptr; ++it) {
        auto reader = ctx_.readers->Get(DataFilePath(ctx_.root, name_, *it));
        if (!reader.ok()) continue;
        for (const MetricName& m : (*reader)->names()) {
          if (m.id != ws.id) continue;
          NANOTDB_RETURN_IF_ERROR(catalog_.Restore(WalMetricDef{m.id, m.type, m.name}));
          if (last_.size() <= m.id) last_.resize(m.id + 1);
          Log(LogLevel::kWarning, "WAL " + WalPath(ctx_.root, name_) + ": metric id " +
                                      std::to_string(m.id) + " lost its definition; named \"" +
                                      m.name + "\" by " + DataFileName(*it));
          e = catalog_.FindById(m.id);
          break;
        }
      }
    }
    // A placeholder SetOrphansAside made only reserves its id: samples a crash left in the
    // log before it was emptied are still of unknown type.
    if (e != nullptr && e->name == "recovered.id" + std::to_string(e->id)) e = nullptr;
    if (e == nullptr) {
      Orphans& o = orphans_[ws.id];
      o.min_ts = o.samples == 0 ? ws.ts : std::min(o.min_ts, ws.ts);
      o.max_ts = o.samples == 0 ? ws.ts : std::max(o.max_ts, ws.ts);
      ++o.samples;
      continue;
    }
    // Samples already in a data file were flushed before the WAL could be reset (a crash
    // between the two). Equal timestamps are legal, so count the durable ones at the newest ts.
    auto d = durable_.find(ws.id);
    if (d != durable_.end()) {
      if (ws.ts < d->second.ts) continue;
      if (ws.ts == d->second.ts && d->second.count > 0) {
        --d->second.count;
        continue;
      }
    }
    Sample s{ws.ts, ws.bits};
    if (batch.narrow_values) {
      const ValueType narrow = IsIntegerType(e->type) ? ValueType::kInt32 : ValueType::kFloat32;
      s.bits = Value{narrow, ws.bits}.Widened().bits;
    }
    PageFor(PartitionKey(manifest_.partition, ws.ts))->Add(ws.id, e->type, s);
    last_[ws.id] = s;
  }
  return Status::Ok();
}

OpenPage* Database::PageFor(const std::string& key) {
  auto it = pages_.find(key);
  if (it == pages_.end()) {
    it = pages_.emplace(key, std::make_unique<OpenPage>(key, ctx_.env->MonotonicNanos())).first;
  }
  return it->second.get();
}

bool Database::InOpenPage(MetricId id, Timestamp ts, uint64_t bits) const {
  auto it = pages_.find(PartitionKey(manifest_.partition, ts));
  return it != pages_.end() && it->second->Contains(id, Sample{ts, bits});
}

ManifestSettings Database::EffectivePageLimits() const {
  ManifestSettings m = manifest_;
  if (ctx_.bulk_load) {
    m.page_max_records = std::max(m.page_max_records, kBulkMaxRecords);
    m.page_max_bytes = std::max(m.page_max_bytes, kBulkMaxBytes);
    m.page_max_age = kMaxTimestamp;
  }
  return m;
}

bool Database::PageLimitsReached(int64_t now_mono) const {
  const ManifestSettings m = EffectivePageLimits();
  if (pages_.size() > static_cast<size_t>(std::max(1, m.max_active_partitions))) return true;
  for (const auto& [key, page] : pages_) {
    if (page->samples() >= m.page_max_records || page->bytes() >= m.page_max_bytes) return true;
    if (!page->empty() && now_mono - page->created_mono() >= m.page_max_age) return true;
  }
  return false;
}

Status Database::Write(std::span<const DbPoint> points, BatchResult* result) {
  if (ctx_.read_only) return Status::InvalidArgument("the engine is open read-only");
  const Timestamp now_wall = ctx_.env->NowNanos();
  const int max_active = std::max(1, manifest_.max_active_partitions);
  // Under fsync_policy = always an acknowledgement means on disk, so nothing skips the WAL.
  const int64_t skip_before =
      ctx_.durability.fsync_policy == FsyncPolicy::kAlways ? 0 : manifest_.wal_skip_before;
  // Timestamps past this are refused before they can become a metric's newest sample.
  const Timestamp future_limit = FutureLimit(ctx_.max_future, now_wall);
  bool need_flush = false;
  const bool group_commit = ctx_.durability.fsync_policy == FsyncPolicy::kAlways;
  uint64_t wal_seq = 0;  // this call's WAL append, to be made durable before answering
  for (int attempt = 0;; ++attempt) {
    std::unique_lock lock(mu_);
    last_write_mono_ = ctx_.env->MonotonicNanos();
    if (idle_closed_) {
      WalReadReport report;
      NANOTDB_RETURN_IF_ERROR(
          OpenWalLocked(&report).WithContext("reopening the WAL of idle database " + name_));
      idle_closed_ = false;
      if (report.records > 0) {
        Log(LogLevel::kWarning, "WAL of idle database held " + std::to_string(report.records) +
                                    " records when it was reopened; they were replayed");
      }
    }
    struct Accepted {
      MetricId id;
      ValueType type;
      Sample s;
      const std::string* key;
    };
    std::vector<Accepted> accepted;
    accepted.reserve(points.size());
    std::vector<std::pair<MetricId, std::optional<Sample>>> undo;  // last_ before this call
    const size_t catalog_size = catalog_.size();
    std::vector<std::pair<size_t, Status>> rejected;
    size_t duplicates = 0;
    WalBatch wal_batch;
    std::set<std::string> keys;  // partitions this call writes to
    // Consecutive samples nearly always share a partition: name it once per partition.
    std::string key;
    const std::string* key_ref = nullptr;  // key's copy in `keys`
    Timestamp key_start = 0, key_end = 0;
    for (const DbPoint& p : points) {
      if (BeyondFuture(p.ts, ctx_.max_future, future_limit)) {
        rejected.emplace_back(p.index, FutureError(p, future_limit));
        continue;
      }
      const Value value = p.value.Widened();  // a caller's int32/float32 is stored exactly
      const CatalogEntry* e = catalog_.Find(p.metric);
      if (e == nullptr) {
        // A new series, or another spelling of a stored series key (series_index.h).
        Result<std::string> name = CanonicalSeriesName(p.metric);
        if (!name.ok()) {
          rejected.emplace_back(p.index, name.status());
          continue;
        }
        if (*name != p.metric) e = catalog_.Find(*name);
        if (e == nullptr) {
          if (ctx_.max_series > 0 && catalog_.size() >= ctx_.max_series) {
            rejected.emplace_back(
                p.index,
                Status::InvalidArgument(
                    "database \"" + name_ + "\" already holds " + std::to_string(catalog_.size()) +
                    " series, the limit " +
                    "([storage] max_series_per_database = " + std::to_string(ctx_.max_series) +
                    "); series \"" + *name + "\" was not created"));
            continue;
          }
          auto added = catalog_.Add(*name, value.type);
          if (!added.ok()) {
            rejected.emplace_back(p.index, added.status());
            continue;
          }
          e = *added;
          if (last_.size() <= e->id) last_.resize(e->id + 1);
          wal_batch.new_metrics.push_back(WalMetricDef{e->id, e->type, e->name});
        }
      }
      if (e->type != value.type) {
        rejected.emplace_back(p.index, Status::TypeMismatch("metric \"" + e->name + "\" is " +
                                                            ValueTypeName(e->type) + ", got " +
                                                            ValueTypeName(value.type) + " value " +
                                                            ValueText(value)));
        continue;
      }
      std::optional<Sample>& last = last_[e->id];
      // A resent sample is a no-op: the metric's last one, or an older one still in its open
      // page (a retried batch of many samples per metric).
      if (last && p.ts <= last->ts &&
          ((p.ts == last->ts && value.bits == last->bits) || InOpenPage(e->id, p.ts, value.bits))) {
        ++duplicates;
        continue;
      }
      if (last && p.ts < last->ts) {
        rejected.emplace_back(
            p.index,
            Status::OutOfOrder("sample for \"" + e->name + "\" at " + FormatTimestamp(p.ts) +
                               " is older than its last accepted sample at " +
                               FormatTimestamp(last->ts)));
        continue;
      }
      if (!sealed_.empty()) {
        auto it = sealed_.upper_bound(p.ts);
        if (it != sealed_.begin() && p.ts < std::prev(it)->second.end) {
          rejected.emplace_back(
              p.index, Status::InvalidArgument(
                           "sample for \"" + e->name + "\" at " + FormatTimestamp(p.ts) +
                           " falls in partition " + std::prev(it)->second.key +
                           ", which was sealed into " + MetricFileName(std::prev(it)->second.key) +
                           " (its raw data file was replaced); sealed partitions take no samples"));
          continue;
        }
      }
      undo.emplace_back(e->id, last);
      Sample s{p.ts, value.bits};
      last = s;
      if (key_ref == nullptr || p.ts < key_start || p.ts >= key_end) {
        key = PartitionKey(manifest_.partition, p.ts);
        if (!PartitionRange(manifest_.partition, key, &key_start, &key_end)) key_end = key_start;
        key_ref = &*keys.insert(key).first;
      }
      accepted.push_back(Accepted{e->id, e->type, s, key_ref});
      if (wal_ && !(skip_before > 0 && p.ts < now_wall - skip_before)) {
        wal_batch.samples.push_back(WalSample{e->id, p.ts, s.bits});
      }
    }

    // Opening more partitions than allowed: move the open pages to disk first, then redo the
    // validation (which left last_ changed, so undo it).
    size_t new_partitions = 0;
    for (const std::string& k : keys) new_partitions += pages_.count(k) == 0;
    if (attempt == 0 && !pages_.empty() && new_partitions > 0 &&
        pages_.size() + new_partitions > static_cast<size_t>(max_active)) {
      for (auto it = undo.rbegin(); it != undo.rend(); ++it) last_[it->first] = it->second;
      catalog_.RollBackTo(catalog_size);
      lock.unlock();
      NANOTDB_RETURN_IF_ERROR(FlushAll());
      continue;
    }

    if (wal_ && (!wal_batch.samples.empty() || !wal_batch.new_metrics.empty())) {
      // Under fsync_policy = always the fsync runs after the lock is released (group commit).
      Status st = group_commit ? wal_->AppendNoSync(wal_batch, &wal_seq) : wal_->Append(wal_batch);
      wal_has_records_ = true;  // even a failed append may have left bytes: reset at next flush
      if (!st.ok()) {
        for (auto it = undo.rbegin(); it != undo.rend(); ++it) last_[it->first] = it->second;
        catalog_.RollBackTo(catalog_size);
        return st.WithContext("WAL append failed, nothing of this batch was stored");
      }
    }
    for (const WalMetricDef& def : wal_batch.new_metrics) index_.Add(def.id, def.name);
    OpenPage* page = nullptr;
    const std::string* page_key = nullptr;
    for (const Accepted& a : accepted) {
      if (a.key != page_key) {
        page = PageFor(*a.key);
        page_key = a.key;
      }
      page->Add(a.id, a.type, a.s);
    }
    result->accepted += accepted.size();
    result->duplicates += duplicates;
    for (auto& r : rejected) result->rejected.push_back(std::move(r));
    need_flush = PageLimitsReached(ctx_.env->MonotonicNanos());
    if (wal_seq > 0) ++wal_syncs_;  // keeps wal_ open (CloseIfIdle) until the fsync is done
    break;
  }
  if (wal_seq > 0) {
    // Outside mu_: other writers append meanwhile, and one fsync covers them all.
    Status st = wal_->SyncUpTo(wal_seq);
    {
      std::lock_guard lock(mu_);
      --wal_syncs_;
    }
    if (!st.ok()) {
      return st.WithContext(
          "WAL fsync failed: this batch is not durable (it stays in memory "
          "until the next flush)");
    }
  }
  if (need_flush) {
    // The batch is accepted (and WAL-protected) whatever happens here; a failed flush is
    // retried by the next write or Maintain().
    Status st = FlushAll();
    if (!st.ok()) Log(LogLevel::kError, "flush failed, will retry: " + st.message());
  }
  return Status::Ok();
}

DataFileWriter* Database::WriterFor(const std::string& key, Status* st) {
  auto it = writers_.find(key);
  if (it != writers_.end()) return it->second.get();
  DataFileOpenReport report;
  const std::string path = DataFilePath(ctx_.root, name_, key);
  auto writer = DataFileWriter::Open(ctx_.env, path, &report);
  ctx_.readers->Invalidate(path);  // the open may have cut a damaged tail or created the file
  if (!writer.ok()) {
    *st = writer.status();
    return nullptr;
  }
  if (!report.dropped.empty()) Log(LogLevel::kWarning, path + ": " + report.dropped);
  if (!report.damaged.empty()) {
    Log(LogLevel::kWarning, path +
                                ": damaged regions left in place (reads skip them; nanocli "
                                "recover rewrites the file): " +
                                report.damaged);
  }
  if (partitions_.insert(key).second) {
    // A new file: make its directory entry durable before frames depend on it.
    Status sync = ctx_.env->SyncDir(dir_);
    if (!sync.ok()) {
      *st = sync;
      return nullptr;
    }
  }
  // Keep writers only for partitions likely to receive more frames.
  if (writers_.size() >= static_cast<size_t>(std::max(1, manifest_.max_active_partitions))) {
    writers_.erase(writers_.begin());
  }
  return writers_.emplace(key, std::move(*writer)).first->second.get();
}

Status Database::FlushAll() {
  std::unique_lock files(files_mu_);
  std::lock_guard lock(mu_);
  return FlushAllLocked();
}

Status Database::FlushAllLocked() {
  if (ctx_.read_only) return Status::Ok();
  std::string frame;
  uint64_t flushed = 0;
  // The catalog first: a data file must never hold an id the catalog on disk lacks (a kill
  // between the two would leave a database that refuses to open, and without a WAL nothing
  // would name the id again). A catalog naming ids no file holds yet is harmless: ids are
  // never reused.
  if (!pages_.empty() && catalog_.dirty()) {
    NANOTDB_RETURN_IF_ERROR(catalog_.Save(ctx_.env, CatalogPath(ctx_.root, name_)));
  }
  while (!pages_.empty()) {
    auto it = pages_.begin();
    OpenPage& page = *it->second;
    if (!page.empty()) {
      frame.clear();
      std::vector<ColumnInput> columns = page.Columns();
      Status st;
      DataFileWriter* w = WriterFor(page.partition(), &st);
      if (w == nullptr) return st;
      // In the file's own format: a file of an older version gets frames without repair bytes.
      NANOTDB_RETURN_IF_ERROR(EncodeFrame(columns, w->frame_options(), &frame));
      std::vector<MetricName> names;  // the file's name records make the catalog rebuildable
      names.reserve(columns.size());
      for (const ColumnInput& c : columns) {
        if (const CatalogEntry* e = catalog_.FindById(c.id)) {
          names.push_back(MetricName{c.id, e->type, e->name});
        }
      }
      Status appended = w->Append(frame, ctx_.durability.SyncDataOnFlush(), names);
      ctx_.readers->Invalidate(w->path());  // even a failed append may have changed the file
      NANOTDB_RETURN_IF_ERROR(appended);
      Log(LogLevel::kDebug, "flushed " + std::to_string(page.samples()) + " samples of " +
                                std::to_string(columns.size()) + " metrics into " +
                                DataFileName(page.partition()) + " (" +
                                std::to_string(frame.size()) + " bytes)");
      Notice("nanotdb.partition.flushed", Value::Int64(static_cast<int64_t>(page.samples())),
             [&](JsonObject& j) {
               j.Str("partition", page.partition())
                   .Str("file", DataFileName(page.partition()))
                   .Uint("samples", page.samples())
                   .Uint("metrics", columns.size())
                   .Uint("bytes", frame.size());
             });
      flushed += page.samples();
    }
    pages_.erase(it);
  }
  // The WAL may only be emptied once everything it protects is in data files and the catalog
  // that names its metrics is durable.
  if (catalog_.dirty())
    NANOTDB_RETURN_IF_ERROR(catalog_.Save(ctx_.env, CatalogPath(ctx_.root, name_)));
  if (wal_ && wal_has_records_) {
    NANOTDB_RETURN_IF_ERROR(wal_->Reset());
    wal_has_records_ = false;
  }
  return Status::Ok();
}

Status Database::Clear(std::vector<std::string>* removed) {
  if (ctx_.read_only) return Status::InvalidArgument("the engine is open read-only");
  std::unique_lock files(files_mu_);
  std::lock_guard lock(mu_);
  pages_.clear();
  writers_.clear();
  wal_.reset();
  idle_closed_ = false;
  partitions_.clear();
  metric_files_.clear();
  sealed_.clear();
  catalog_ = Catalog();
  last_.assign(1, std::nullopt);
  wal_has_records_ = false;
  Env* env = ctx_.env;
  const std::string manifest = BaseName(ManifestPath(ctx_.root, name_));
  std::vector<std::string> children;
  NANOTDB_RETURN_IF_ERROR(env->GetChildren(dir_, &children));
  std::sort(children.begin(), children.end());
  for (const std::string& child : children) {
    const std::string path = dir_ + "/" + child;
    if (child == manifest || env->DirExists(path)) continue;
    Status st = env->RemoveFile(path);
    ctx_.readers->Invalidate(path);
    NANOTDB_RETURN_IF_ERROR(st);
    removed->push_back(path);
  }
  NANOTDB_RETURN_IF_ERROR(env->SyncDir(dir_));
  if (manifest_.wal_enabled) {
    WalOptions wal_opts;
    wal_opts.sync_every_append = ctx_.durability.fsync_policy == FsyncPolicy::kAlways;
    wal_opts.sync_above_bytes = ctx_.durability.wal_max_segment_size;
    WalReadReport report;
    NANOTDB_ASSIGN_OR_RETURN(wal_, WalWriter::Open(
                                       env, WalPath(ctx_.root, name_), wal_opts,
                                       [](const WalBatch&) { return Status::Ok(); }, &report));
  }
  Log(LogLevel::kInfo, "cleared: removed " + std::to_string(removed->size()) + " files");
  return Status::Ok();
}

Status Database::OpenWalLocked(WalReadReport* report) {
  WalOptions wal_opts;
  wal_opts.sync_every_append = ctx_.durability.fsync_policy == FsyncPolicy::kAlways;
  wal_opts.sync_above_bytes = ctx_.durability.wal_max_segment_size;
  auto replay = [this](const WalBatch& batch) { return ReplayBatch(batch); };
  NANOTDB_ASSIGN_OR_RETURN(
      wal_, WalWriter::Open(ctx_.env, WalPath(ctx_.root, name_), wal_opts, replay, report));
  return Status::Ok();
}

bool Database::CloseIfIdle(int64_t now_mono, int64_t idle_ns) {
  if (ctx_.read_only || idle_ns <= 0) return false;
  std::unique_lock files(files_mu_);
  std::lock_guard lock(mu_);
  if (idle_closed_ || now_mono - last_write_mono_ < idle_ns || !pages_.empty() ||
      wal_has_records_ || wal_syncs_ > 0 || (wal_ == nullptr && writers_.empty())) {
    return false;
  }
  if (wal_ != nullptr && wal_->format_version() != kWalVersion) return false;
  idle_closed_ = wal_ != nullptr;
  wal_.reset();
  writers_.clear();
  // Kept readers hold their files open too; the next query opens what it reads again.
  for (const std::string& key : partitions_) {
    ctx_.readers->Invalidate(DataFilePath(ctx_.root, name_, key));
  }
  Log(LogLevel::kDebug, "idle: closed its WAL and data files until the next write");
  return true;
}

uint64_t Database::DiskUsage(Timestamp now_wall, std::vector<EvictionCandidate>* candidates) const {
  std::shared_lock files(files_mu_);
  std::lock_guard lock(mu_);
  Env* env = ctx_.env;
  uint64_t total = 0;
  std::vector<std::string> children;
  if (env->GetChildren(dir_, &children).ok()) {
    for (const std::string& child : children) {
      Result<uint64_t> size = env->GetFileSize(dir_ + "/" + child);
      if (size.ok()) total += *size;
    }
  }
  // A partition is its data file, its metric file and a renamed raw file, whichever exist.
  std::set<std::string> keys(partitions_);
  keys.insert(metric_files_.begin(), metric_files_.end());
  if (manifest_.partition == Partitioning::kForever || keys.size() < 2) return total;
  const std::string& newest = *keys.rbegin();  // keys sort by time
  const double window =
      static_cast<double>(manifest_.retention_days > 0 ? manifest_.retention_days : 36500) *
      static_cast<double>(kDay);
  for (const std::string& key : keys) {
    Timestamp start, end;
    if (key == newest || pages_.count(key) > 0 ||
        !PartitionRange(manifest_.partition, key, &start, &end)) {
      continue;
    }
    uint64_t bytes = 0;
    for (const std::string& path :
         {DataFilePath(ctx_.root, name_, key), MetricFilePath(ctx_.root, name_, key),
          ReplacedRawPath(ctx_.root, name_, key)}) {
      Result<uint64_t> size = env->GetFileSize(path);
      if (size.ok()) bytes += *size;
    }
    if (bytes == 0) continue;
    candidates->push_back(
        EvictionCandidate{key, start, end, bytes, static_cast<double>(now_wall - start) / window});
  }
  return total;
}

Status Database::EvictPartition(const std::string& key, const std::string& why) {
  if (ctx_.read_only) return Status::InvalidArgument("the engine is open read-only");
  std::unique_lock files(files_mu_);
  std::lock_guard lock(mu_);
  std::set<std::string> keys(partitions_);
  keys.insert(metric_files_.begin(), metric_files_.end());
  if (keys.count(key) == 0 || pages_.count(key) > 0 || key == *keys.rbegin()) {
    return Status::NotFound("partition " + key + " of " + name_ + " is not evictable");
  }
  const std::string deleted = partitions_.count(key) > 0 ? DataFileName(key) : MetricFileName(key);
  const uint64_t bytes = PartitionBytesLocked(key);
  if (partitions_.count(key) > 0) {
    writers_.erase(key);
    const std::string path = DataFilePath(ctx_.root, name_, key);
    Status st = ctx_.env->RemoveFile(path);
    ctx_.readers->Invalidate(path);
    NANOTDB_RETURN_IF_ERROR(st);
    partitions_.erase(key);
  }
  const bool had_metric_file = metric_files_.count(key) > 0;
  NANOTDB_RETURN_IF_ERROR(RemoveDerivedLocked(key));
  UpdateSealedLocked();
  Log(LogLevel::kWarning,
      "disk budget: deleted " + deleted +
          (had_metric_file && deleted.starts_with("data-") ? " and its metric file" : "") + " (" +
          why + ")");
  Notice("nanotdb.partition.deleted", Value::Int64(static_cast<int64_t>(bytes)),
         [&](JsonObject& j) {
           j.Str("partition", key)
               .Str("file", deleted)
               .Uint("bytes", bytes)
               .Str("reason", "disk_budget")
               .Str("detail", why);
         });
  return ctx_.env->SyncDir(dir_);
}

bool Database::idle_closed() const {
  std::lock_guard lock(mu_);
  return idle_closed_;
}

Status Database::Maintain(Timestamp now_wall, int64_t now_mono, const RetentionHoldFn& hold) {
  if (ctx_.read_only) return Status::Ok();
  bool flush;
  {
    std::lock_guard lock(mu_);
    flush = PageLimitsReached(now_mono);
  }
  if (flush) NANOTDB_RETURN_IF_ERROR(FlushAll());
  if (manifest_.retention_action != RetentionAction::kDelete || manifest_.retention_days <= 0 ||
      manifest_.partition == Partitioning::kForever) {
    return Status::Ok();
  }
  {
    std::lock_guard lock(mu_);
    if (now_mono < hold_recheck_mono_) return Status::Ok();
    if (!RetentionDueLocked(now_wall)) {
      held_since_.reset();  // what a hold kept is gone some other way (the disk budget)
      hold_logged_mono_.reset();
      return Status::Ok();
    }
  }
  // Asked with no lock held: the holder reads this database (its catalog, its samples).
  RetentionHold held;
  if (hold) held = hold(name_);
  std::unique_lock files(files_mu_);
  std::lock_guard lock(mu_);
  return ApplyRetentionLocked(now_wall, now_mono, held);
}

bool Database::RetentionDueLocked(Timestamp now_wall) const {
  const Timestamp cutoff = now_wall - static_cast<int64_t>(manifest_.retention_days) * kDay;
  for (const std::string& key : partitions_) {
    Timestamp start, end;
    if (!PartitionRange(manifest_.partition, key, &start, &end) || end > cutoff) break;
    if (pages_.count(key) == 0) return true;
  }
  for (const auto& [start, range] : sealed_) {  // partitions held only by a metric file
    if (range.end > cutoff) break;
    if (pages_.count(range.key) == 0) return true;
  }
  return false;
}

// A partition expires when its END is older than the retention window, so a month or year
// partition is never deleted while it still holds data inside the window. An expired partition
// ending after what a hold still needs stays; the hold is logged so that a stuck one (a broken
// rollup job) does not keep data silently.
Status Database::ApplyRetentionLocked(Timestamp now_wall, int64_t now_mono,
                                      const RetentionHold& hold) {
  const Timestamp cutoff = now_wall - static_cast<int64_t>(manifest_.retention_days) * kDay;
  bool deleted = false;
  std::vector<std::string> kept;
  for (auto it = partitions_.begin(); it != partitions_.end();) {
    Timestamp start, end;
    if (!PartitionRange(manifest_.partition, *it, &start, &end) || end > cutoff ||
        pages_.count(*it) > 0) {
      ++it;
      continue;
    }
    if (end > hold.from) {
      kept.push_back(DataFileName(*it));
      ++it;
      continue;
    }
    writers_.erase(*it);
    const std::string path = DataFilePath(ctx_.root, name_, *it);
    const uint64_t bytes = PartitionBytesLocked(*it);
    Status st = ctx_.env->RemoveFile(path);
    ctx_.readers->Invalidate(path);
    NANOTDB_RETURN_IF_ERROR(st);
    NANOTDB_RETURN_IF_ERROR(RemoveDerivedLocked(*it));
    Log(LogLevel::kInfo, "retention: deleted " + DataFileName(*it) + " (older than " +
                             std::to_string(manifest_.retention_days) + " days)");
    NoticeRetentionDeleted(*it, DataFileName(*it), bytes);
    it = partitions_.erase(it);
    deleted = true;
  }
  // Partitions held only by a metric file expire the same way.
  std::vector<std::string> sealed;
  for (const auto& [start, range] : sealed_) {
    if (range.end > cutoff || pages_.count(range.key) > 0) continue;
    if (range.end > hold.from) {
      kept.push_back(MetricFileName(range.key));
      continue;
    }
    sealed.push_back(range.key);
  }
  for (const std::string& key : sealed) {
    const uint64_t bytes = PartitionBytesLocked(key);
    NANOTDB_RETURN_IF_ERROR(RemoveDerivedLocked(key));
    Log(LogLevel::kInfo, "retention: deleted " + MetricFileName(key) + " (older than " +
                             std::to_string(manifest_.retention_days) + " days)");
    NoticeRetentionDeleted(key, MetricFileName(key), bytes);
    deleted = true;
  }
  UpdateSealedLocked();
  if (!kept.empty()) {
    hold_recheck_mono_ = now_mono + kHoldRecheck;
    if (!held_since_) held_since_ = now_wall - now_wall % kSecond;  // whole seconds in the log
    if (!hold_logged_mono_ || now_mono - *hold_logged_mono_ >= kHour) {
      // Rollups catch up within a pass or two; a hold that is still there an hour later is
      // likely stuck (a broken job) and someone should look.
      const LogLevel level = hold_logged_mono_ ? LogLevel::kWarning : LogLevel::kInfo;
      hold_logged_mono_ = now_mono;
      const std::string files = kept.size() == 1 ? kept.front()
                                                 : std::to_string(kept.size()) + " partitions " +
                                                       kept.front() + " to " + kept.back();
      Log(level, "retention: kept " + files + " past its " +
                     std::to_string(manifest_.retention_days) + " days: " + hold.holder +
                     "; held since " + FormatRfc3339(*held_since_) +
                     " (logged hourly while the hold lasts)");
    }
  } else if (held_since_) {
    Log(LogLevel::kInfo, "retention: the hold since " + FormatRfc3339(*held_since_) +
                             " is released; expired partitions are deleted again");
    held_since_.reset();
    hold_logged_mono_.reset();
    hold_recheck_mono_ = INT64_MIN;
  }
  return deleted ? ctx_.env->SyncDir(dir_) : Status::Ok();
}

uint64_t Database::PartitionBytesLocked(const std::string& key) const {
  uint64_t bytes = 0;
  for (const std::string& path :
       {DataFilePath(ctx_.root, name_, key), MetricFilePath(ctx_.root, name_, key),
        ReplacedRawPath(ctx_.root, name_, key)}) {
    Result<uint64_t> size = ctx_.env->GetFileSize(path);
    if (size.ok()) bytes += *size;
  }
  return bytes;
}

void Database::NoticeRetentionDeleted(const std::string& key, const std::string& file,
                                      uint64_t bytes) const {
  Notice("nanotdb.partition.deleted", Value::Int64(static_cast<int64_t>(bytes)),
         [&](JsonObject& j) {
           j.Str("partition", key)
               .Str("file", file)
               .Uint("bytes", bytes)
               .Str("reason", "retention")
               .Int("retention_days", manifest_.retention_days);
         });
}

Status Database::RemoveDerivedLocked(const std::string& key) {
  for (const std::string& path :
       {MetricFilePath(ctx_.root, name_, key), ReplacedRawPath(ctx_.root, name_, key)}) {
    if (ctx_.env->FileExists(path)) NANOTDB_RETURN_IF_ERROR(ctx_.env->RemoveFile(path));
  }
  metric_files_.erase(key);
  return Status::Ok();
}

std::vector<MetricInfo> Database::ListMetrics() const {
  std::lock_guard lock(mu_);
  std::vector<MetricInfo> out;
  out.reserve(catalog_.size());
  for (const CatalogEntry& e : catalog_.entries()) {
    MetricInfo info{e.name, e.id, e.type, std::nullopt};
    if (e.id < last_.size()) info.last = last_[e.id];
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const MetricInfo& a, const MetricInfo& b) { return a.name < b.name; });
  return out;
}

Result<MetricInfo> Database::GetMetric(std::string_view metric) const {
  std::lock_guard lock(mu_);
  const CatalogEntry* e = FindSeries(catalog_, metric);
  if (e == nullptr) {
    return Status::NotFound("metric \"" + std::string(metric) + "\" not found in database " +
                            name_);
  }
  MetricInfo info{e->name, e->id, e->type, std::nullopt};
  if (e->id < last_.size()) info.last = last_[e->id];
  return info;
}

Status Database::ReadRange(std::string_view metric, Timestamp from, Timestamp to, uint32_t stride,
                           const std::function<bool(const Sample&)>& fn, ReadReport* report) const {
  if (to < from) return Status::InvalidArgument("end must be >= start");
  if (stride == 0) stride = 1;
  std::shared_lock files(files_mu_);
  MetricId id;
  std::vector<std::string> keys;  // partitions overlapping [from, to], ascending
  std::map<std::string, std::vector<Sample>> page_samples;
  {
    std::lock_guard lock(mu_);
    const CatalogEntry* e = FindSeries(catalog_, metric);
    if (e == nullptr) {
      return Status::NotFound("metric \"" + std::string(metric) + "\" not found in database " +
                              name_);
    }
    id = e->id;
    std::set<std::string> all(partitions_);
    all.insert(metric_files_.begin(), metric_files_.end());
    for (const auto& [key, page] : pages_) all.insert(key);
    for (const std::string& key : all) {
      Timestamp start, end;
      if (PartitionRange(manifest_.partition, key, &start, &end) && (end <= from || start > to)) {
        continue;
      }
      keys.push_back(key);
      auto pit = pages_.find(key);
      if (pit != pages_.end()) pit->second->Collect(id, from, to, &page_samples[key]);
    }
  }
  uint64_t n = 0;
  bool stop = false;
  const std::function<bool(const Sample&)> strided = [&](const Sample& s) {
    if (n++ % stride == 0 && !fn(s)) stop = true;
    return !stop;
  };
  // Without a stride the caller's function is called directly: one call less per sample.
  const std::function<bool(const Sample&)>& emit = stride == 1 ? fn : strided;
  std::vector<SkippedBlock> skipped;
  for (const std::string& key : keys) {
    const bool raw = partitions_.count(key) > 0;
    bool accelerated_stop = false;  // emit may be the caller's fn, which sets no `stop`
    const std::function<bool(const Sample&)> tracked = [&](const Sample& s) {
      if (emit(s)) return true;
      accelerated_stop = true;
      return false;
    };
    if (metric_files_.count(key) > 0 &&
        ReadAccelerated(key, raw, metric, id, from, to, tracked, report)) {
      if (stop || accelerated_stop) return Status::Ok();
    } else if (raw) {
      const std::string path = DataFilePath(ctx_.root, name_, key);
      auto reader = ctx_.readers->Get(path);
      if (!reader.ok()) return reader.status();
      skipped.clear();
      bool stopped = false;
      NANOTDB_RETURN_IF_ERROR((*reader)->ReadMetric(id, from, to, emit, &skipped, &stopped));
      stop = stop || stopped;
      if (report != nullptr) AddSkipped(key, path, **reader, skipped, from, to, metric, report);
      if (stop) return Status::Ok();
    }
    auto pit = page_samples.find(key);
    if (pit == page_samples.end()) continue;
    for (const Sample& s : pit->second) {
      if (!emit(s)) return Status::Ok();
    }
  }
  return Status::Ok();
}

bool Database::ReadAccelerated(const std::string& key, bool raw, std::string_view metric,
                               MetricId id, Timestamp from, Timestamp to,
                               const std::function<bool(const Sample&)>& emit,
                               ReadReport* report) const {
  const std::string path = MetricFilePath(ctx_.root, name_, key);
  ReadAccelerator* accelerator =
      ctx_.accelerator != nullptr ? ctx_.accelerator->load(std::memory_order_acquire) : nullptr;
  std::string problem;
  if (accelerator == nullptr) {
    problem =
        "no read accelerator for metric files: enable [plugins.metricfiles] (nanocli reads "
        "them always)";
  } else {
    uint64_t raw_bytes = 0;
    if (raw) {
      auto size = ctx_.env->GetFileSize(DataFilePath(ctx_.root, name_, key));
      if (!size.ok()) return false;  // the raw read reports it
      raw_bytes = *size;
    }
    const AcceleratedRead r{name_, key, path, raw_bytes, id, from, to};
    Result<bool> served = accelerator->Read(r, emit);
    if (served.ok()) return *served;
    problem = served.status().message();
    Log(LogLevel::kWarning, problem + (raw ? " (read from the raw data file instead)" : ""));
  }
  if (!raw && report != nullptr) {
    Timestamp start = kMinTimestamp, end = kMaxTimestamp;
    if (PartitionRange(manifest_.partition, key, &start, &end) && end > kMinTimestamp) --end;
    report->Add(SkippedData{path, 0, 0, std::string(metric), std::max(start, from),
                            std::min(end, to), 0, problem});
  }
  return false;
}

void Database::LearnLastFromMetricFiles() {
  std::shared_lock files(files_mu_);
  std::vector<std::pair<MetricId, std::string>> missing;
  std::vector<std::pair<std::string, Timestamp>> sealed;  // newest first: key, last ns
  {
    std::lock_guard lock(mu_);
    for (const CatalogEntry& e : catalog_.entries()) {
      if (e.id < last_.size() && !last_[e.id].has_value()) missing.emplace_back(e.id, e.name);
    }
    for (auto it = sealed_.rbegin(); it != sealed_.rend(); ++it) {
      sealed.emplace_back(it->second.key, it->second.end - 1);
    }
  }
  for (const auto& [key, end] : sealed) {
    if (missing.empty()) break;
    std::vector<std::pair<MetricId, std::string>> still;
    for (const auto& [id, name] : missing) {
      std::optional<Sample> newest;
      const bool served = ReadAccelerated(
          key, false, name, id, kMinTimestamp, end,
          [&newest](const Sample& s) {
            newest = s;
            return true;
          },
          nullptr);
      if (!served || !newest.has_value()) {
        still.emplace_back(id, name);
        continue;
      }
      std::lock_guard lock(mu_);
      if (id < last_.size() && !last_[id].has_value()) last_[id] = newest;
    }
    missing = std::move(still);
  }
}

void Database::UpdateSealedLocked() {
  sealed_.clear();
  for (const std::string& key : metric_files_) {
    Timestamp start, end;
    if (partitions_.count(key) > 0 || !PartitionRange(manifest_.partition, key, &start, &end)) {
      continue;
    }
    sealed_[start] = SealedRange{end, key};
  }
}

Result<std::vector<PartitionFiles>> Database::ListPartitions() const {
  std::shared_lock files(files_mu_);
  std::set<std::string> keys, open;
  {
    std::lock_guard lock(mu_);
    keys = partitions_;
    keys.insert(metric_files_.begin(), metric_files_.end());
    for (const auto& [key, page] : pages_) {
      keys.insert(key);
      if (!page->empty()) open.insert(key);
    }
  }
  std::vector<PartitionFiles> out;
  for (const std::string& key : keys) {
    PartitionFiles f;
    f.key = key;
    if (!PartitionRange(manifest_.partition, key, &f.start, &f.end)) continue;
    f.open = open.count(key) > 0;
    f.raw_path = DataFilePath(ctx_.root, name_, key);
    f.metric_path = MetricFilePath(ctx_.root, name_, key);
    if (auto size = ctx_.env->GetFileSize(f.raw_path); size.ok()) {
      f.raw = true;
      f.raw_bytes = *size;
    }
    if (auto size = ctx_.env->GetFileSize(f.metric_path); size.ok()) {
      f.metric = true;
      f.metric_bytes = *size;
    }
    out.push_back(std::move(f));
  }
  return out;
}

Status Database::ReadRawPartition(std::string_view key, std::vector<RawSeries>* out,
                                  uint64_t* raw_bytes, uint32_t* frames) const {
  std::shared_lock files(files_mu_);
  std::unordered_map<MetricId, const CatalogEntry*> names;
  std::vector<std::pair<MetricId, std::string>> catalog;
  {
    std::lock_guard lock(mu_);
    auto page = pages_.find(std::string(key));
    if (page != pages_.end() && !page->second->empty()) {
      return Status::Busy("partition " + std::string(key) + " of database " + name_ +
                          " has samples not yet in its data file (an open page)");
    }
    for (const CatalogEntry& e : catalog_.entries()) catalog.emplace_back(e.id, e.name);
  }
  const std::string path = DataFilePath(ctx_.root, name_, key);
  NANOTDB_ASSIGN_OR_RETURN(auto reader, DataFileReader::Open(ctx_.env, path));
  if (!reader->damaged().empty() || !reader->error().empty()) {
    return Status::Corruption(path + " is damaged (" + reader->error() +
                              "); run nanocli recover before building a metric file from it");
  }
  std::map<MetricId, RawSeries> series;
  std::vector<std::pair<MetricId, std::vector<Sample>>> columns;
  for (size_t i = 0; i < reader->frames().size(); ++i) {
    columns.clear();
    Status st = reader->ReadFrame(i, &columns);
    if (!st.ok()) return st.WithContext(path);
    for (size_t c = 0; c < columns.size(); ++c) {
      const FrameColumnInfo& info = reader->frames()[i].header.columns[c];
      RawSeries& s = series[columns[c].first];
      s.id = columns[c].first;
      s.type = WidenType(info.type);
      s.samples.insert(s.samples.end(), columns[c].second.begin(), columns[c].second.end());
    }
  }
  for (const auto& [id, name] : catalog) {
    auto it = series.find(id);
    if (it != series.end()) it->second.name = name;
  }
  for (const MetricName& n : reader->names()) {
    auto it = series.find(n.id);
    if (it != series.end() && it->second.name.empty()) it->second.name = n.name;
  }
  out->clear();
  for (auto& [id, s] : series) {
    if (s.name.empty()) s.name = "#" + std::to_string(id);
    // Frames of one partition follow each other in time per metric, but a frame appended after
    // a restart may start at a sample equal to the last one: keep arrival order.
    std::stable_sort(s.samples.begin(), s.samples.end(),
                     [](const Sample& a, const Sample& b) { return a.ts < b.ts; });
    out->push_back(std::move(s));
  }
  *raw_bytes = reader->file_bytes();
  *frames = static_cast<uint32_t>(reader->frames().size());
  return Status::Ok();
}

Status Database::WriteMetricFile(std::string_view key, std::string_view bytes) {
  if (ctx_.read_only) return Status::InvalidArgument("the engine is open read-only");
  Timestamp start, end;
  if (!PartitionRange(manifest_.partition, key, &start, &end)) {
    return Status::InvalidArgument("\"" + std::string(key) + "\" is not a partition of " + name_);
  }
  NANOTDB_RETURN_IF_ERROR(
      WriteFileAtomically(ctx_.env, MetricFilePath(ctx_.root, name_, key), bytes));
  std::unique_lock files(files_mu_);
  std::lock_guard lock(mu_);
  metric_files_.insert(std::string(key));
  UpdateSealedLocked();
  return Status::Ok();
}

Status Database::ReplaceRawData(std::string_view key_view, RawAction action,
                                uint64_t expected_bytes) {
  if (ctx_.read_only) return Status::InvalidArgument("the engine is open read-only");
  const std::string key(key_view);
  const std::string path = DataFilePath(ctx_.root, name_, key);
  std::unique_lock files(files_mu_);
  std::lock_guard lock(mu_);
  if (metric_files_.count(key) == 0) {
    return Status::InvalidArgument("partition " + key + " of " + name_ + " has no metric file");
  }
  auto page = pages_.find(key);
  if (page != pages_.end() && !page->second->empty()) {
    return Status::Busy("partition " + key + " received samples since its metric file was built");
  }
  auto size = ctx_.env->GetFileSize(path);
  if (!size.ok()) return size.status();
  if (*size != expected_bytes) {
    return Status::Busy(path + " is " + std::to_string(*size) + " bytes, not the " +
                        std::to_string(expected_bytes) + " its metric file was built from");
  }
  if (action == RawAction::kKeep) return Status::Ok();
  writers_.erase(key);
  Status st = action == RawAction::kRename
                  ? ctx_.env->RenameFile(path, ReplacedRawPath(ctx_.root, name_, key))
                  : ctx_.env->RemoveFile(path);
  ctx_.readers->Invalidate(path);
  NANOTDB_RETURN_IF_ERROR(st);
  partitions_.erase(key);
  UpdateSealedLocked();
  Log(LogLevel::kInfo, std::string(action == RawAction::kRename ? "renamed " : "deleted ") +
                           DataFileName(key) + ": " + MetricFileName(key) + " holds the partition");
  Notice("nanotdb.partition.sealed", Value::Int64(static_cast<int64_t>(expected_bytes)),
         [&](JsonObject& j) {
           j.Str("partition", key)
               .Str("file", MetricFileName(key))
               .Uint("raw_bytes", expected_bytes)
               .Str("raw", action == RawAction::kRename ? "renamed" : "deleted");
         });
  return ctx_.env->SyncDir(dir_);
}

void Database::AddSkipped(const std::string& key, const std::string& path,
                          const DataFileReader& reader, const std::vector<SkippedBlock>& blocks,
                          Timestamp from, Timestamp to, std::string_view metric,
                          ReadReport* report) const {
  for (const SkippedBlock& b : blocks) {
    report->Add(SkippedData{path, b.frame_offset, 0, std::string(metric), b.min_ts, b.max_ts,
                            b.samples, b.reason});
  }
  // A damaged region may have held samples of this metric anywhere in the partition. A torn
  // tail is an append still running (or cut by a crash: its samples are in the WAL), and a
  // damaged file header holds no samples.
  Timestamp start = kMinTimestamp, end = kMaxTimestamp;
  if (PartitionRange(manifest_.partition, key, &start, &end) && end > kMinTimestamp) --end;
  for (const DamagedRegion& d : reader.damaged()) {
    if (d.torn || d.offset == 0) continue;
    report->Add(SkippedData{path, d.offset, d.bytes, std::string(metric), std::max(start, from),
                            std::min(end, to), 0, d.reason});
  }
}

Result<DatabaseSummary> Database::Inspect() const {
  DatabaseSummary out;
  out.name = name_;
  out.path = dir_;
  out.manifest = manifest_;
  std::shared_lock files(files_mu_);
  std::set<std::string> keys;
  {
    std::lock_guard lock(mu_);
    out.metrics = catalog_.size();
    for (const auto& [key, page] : pages_) {
      out.open_page_samples += page->samples();
      out.open_partitions.push_back(key);
    }
    keys = partitions_;
  }
  for (const std::string& key : keys) {
    DataFileSummary f;
    f.name = DataFileName(key);
    f.partition = key;
    const std::string path = DataFilePath(ctx_.root, name_, key);
    auto size = ctx_.env->GetFileSize(path);
    f.bytes = size.ok() ? *size : 0;
    auto reader = ctx_.readers->Get(path);
    if (!reader.ok()) {
      f.error = reader.status().message();
      out.files.push_back(std::move(f));
      continue;
    }
    f.error = (*reader)->error();
    bool first = true;
    for (const FrameIndexEntry& e : (*reader)->frames()) {
      FrameSummary fs;
      fs.offset = e.offset;
      fs.bytes = e.header.frame_bytes;
      fs.raw_bytes = e.header.raw_bytes;
      fs.samples = e.header.samples;
      fs.metrics = static_cast<uint32_t>(e.header.columns.size());
      fs.min_ts = e.header.min_ts;
      fs.max_ts = e.header.max_ts;
      fs.codec = e.header.codec;
      f.samples += fs.samples;
      f.min_ts = first ? fs.min_ts : std::min(f.min_ts, fs.min_ts);
      f.max_ts = first ? fs.max_ts : std::max(f.max_ts, fs.max_ts);
      first = false;
      f.frames.push_back(std::move(fs));
    }
    out.files.push_back(std::move(f));
  }
  const std::string wal_path = WalPath(ctx_.root, name_);
  out.wal.name = wal_path.substr(wal_path.rfind('/') + 1);
  if (ctx_.env->FileExists(wal_path)) {
    // The preview: the first and last kWalPreviewSamples samples, named and typed by the WAL's
    // own metric definitions or, after the scan, by the catalog.
    struct Seen {
      WalSamplePreview p;
      MetricId id;
      uint64_t bits;
      bool narrow;
    };
    std::vector<Seen> first;
    std::deque<Seen> last;
    std::unordered_map<MetricId, WalMetricDef> defs;
    uint64_t record = 0;
    WalReadReport r;
    Status st = ReadWal(
        ctx_.env, wal_path,
        [&](const WalBatch& batch) {
          for (const WalMetricDef& d : batch.new_metrics) defs[d.id] = d;
          for (const WalSample& ws : batch.samples) {
            Seen s{WalSamplePreview{record, {}, ws.ts, {}}, ws.id, ws.bits, batch.narrow_values};
            if (first.size() < kWalPreviewSamples) {
              first.push_back(std::move(s));
            } else {
              last.push_back(std::move(s));
              if (last.size() > kWalPreviewSamples) last.pop_front();
            }
          }
          ++record;
          return Status::Ok();
        },
        &r);
    auto resolve = [&](Seen& s) {
      std::string name;
      ValueType type = ValueType::kFloat64;
      if (auto d = defs.find(s.id); d != defs.end()) {
        name = d->second.name;
        type = d->second.type;
      } else if (const CatalogEntry* e = catalog_.FindById(s.id)) {
        name = e->name;
        type = e->type;
      } else {
        name = "#" + std::to_string(s.id);
      }
      s.p.metric = std::move(name);
      Value v{type, s.bits};
      if (s.narrow)
        v = Value{IsIntegerType(type) ? ValueType::kInt32 : ValueType::kFloat32, s.bits};
      s.p.value = v.Widened();
      return std::move(s.p);
    };
    {
      std::lock_guard lock(mu_);  // guards catalog_
      for (Seen& s : first) out.wal.first.push_back(resolve(s));
      for (Seen& s : last) out.wal.last.push_back(resolve(s));
    }
    out.wal.bytes = r.file_bytes;
    out.wal.records = r.records;
    out.wal.samples = r.samples;
    out.wal.min_ts = r.min_ts;
    out.wal.max_ts = r.max_ts;
    out.wal.valid_bytes = r.valid_bytes;
    out.wal.tail_bytes = r.tail_bytes;
    out.wal.stop_reason = st.ok() ? r.stop_reason : st.message();
  }
  return out;
}

}  // namespace nanotdb
