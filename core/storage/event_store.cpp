#include "storage/event_store.h"

#include <algorithm>
#include <mutex>

#include "base/json_object.h"
#include "storage/filenames.h"

namespace nanotdb {

namespace {

// Events per block stay well under event_format::kMaxBlockBytes: a write larger than this is
// stored as several blocks of one partition.
constexpr size_t kTargetBlockBytes = 1u << 20;

size_t EncodedSizeBound(const Event& e) { return e.name.size() + e.payload.size() + 40; }

Timestamp FloorTo(Timestamp ts, int64_t window) {
  Timestamp q = ts / window;
  if (ts % window != 0 && ts < 0) --q;
  return q * window;
}

bool Overlaps(Timestamp a_min, Timestamp a_max, Timestamp from, Timestamp to) {
  return a_max >= from && a_min <= to;
}

}  // namespace

Result<std::unique_ptr<EventStore>> EventStore::Open(EventStoreOptions options) {
  std::unique_ptr<EventStore> store(new EventStore(std::move(options)));
  const std::string dir = DatabaseDir(store->opts_.root, store->opts_.db);
  std::vector<std::string> names;
  if (store->opts_.env->DirExists(dir)) {
    NANOTDB_RETURN_IF_ERROR(store->opts_.env->GetChildren(dir, &names));
  }
  for (const std::string& name : names) {
    std::string key;
    Partitioning mode;
    if (!ParseEventFileName(name, &key)) continue;
    if (!ParsePartitionKey(key, &mode) || mode != store->opts_.manifest.partition) {
      store->Log(LogLevel::kWarning, "events file " + name + " does not belong to this " +
                                         "database's partitioning; it is not read");
      continue;
    }
    store->partitions_.insert(key);
  }
  return store;
}

EventStore::~EventStore() {
  Status st = Close();
  if (!st.ok()) Log(LogLevel::kError, "closing events files failed: " + st.message());
}

void EventStore::Log(LogLevel level, const std::string& msg) const {
  if (opts_.log) opts_.log(level, opts_.db + ": " + msg);
}

void EventStore::NoticeDeleted(const std::string& key, uint64_t bytes,
                               std::string_view reason) const {
  if (!opts_.notice) return;
  JsonObject payload;
  payload.Str("db", opts_.db)
      .Str("partition", key)
      .Str("file", EventFileName(key))
      .Uint("bytes", bytes)
      .Str("reason", reason);
  opts_.notice(EngineNotice{"nanotdb.partition.deleted", opts_.db,
                            Value::Int64(static_cast<int64_t>(bytes)), payload.str()});
}

EventFileWriter* EventStore::WriterFor(const std::string& key, Status* st) {
  auto it = writers_.find(key);
  if (it != writers_.end()) return it->second.get();
  EventFileOpenReport report;
  const std::string path = EventFilePath(opts_.root, opts_.db, key);
  auto writer = EventFileWriter::Open(opts_.env, path, &report);
  if (!writer.ok()) {
    *st = writer.status();
    return nullptr;
  }
  for (const std::string& d : report.damaged) {
    Log(LogLevel::kWarning,
        EventFileName(key) + ": damaged events left in place, skipped by " + "reads: " + d);
  }
  if (!report.dropped.empty()) Log(LogLevel::kWarning, EventFileName(key) + ": " + report.dropped);
  partitions_.insert(key);
  // Keep handles only for the partitions likely to take more events.
  const size_t keep = static_cast<size_t>(std::max(2, opts_.manifest.max_active_partitions));
  while (writers_.size() >= keep) {
    Status synced = writers_.begin()->second->Sync();
    if (!synced.ok()) {
      *st = synced;
      return nullptr;
    }
    writers_.erase(writers_.begin());
  }
  return writers_.emplace(key, std::move(*writer)).first->second.get();
}

Status EventStore::Write(std::span<const Event> events, EventWriteResult* result) {
  if (opts_.read_only) return Status::InvalidArgument("the data root is open read-only");
  std::map<std::string, std::vector<size_t>> groups;  // partition key -> indices, in order
  for (size_t i = 0; i < events.size(); ++i) {
    Status valid = ValidateEvent(events[i]);
    if (!valid.ok()) {
      result->rejected.emplace_back(i, std::move(valid));
      continue;
    }
    groups[PartitionKey(opts_.manifest.partition, events[i].ts)].push_back(i);
  }
  if (groups.empty()) return Status::Ok();
  std::unique_lock lock(mu_);
  std::string block;
  std::vector<Event> chunk;
  for (const auto& [key, indices] : groups) {
    Status st;
    EventFileWriter* w = WriterFor(key, &st);
    if (w == nullptr) return st.WithContext("events of partition " + key);
    block.clear();
    size_t pos = 0;
    while (pos < indices.size()) {
      chunk.clear();
      size_t bytes = 0;
      while (
          pos < indices.size() &&
          (chunk.empty() || bytes + EncodedSizeBound(events[indices[pos]]) <= kTargetBlockBytes)) {
        bytes += EncodedSizeBound(events[indices[pos]]);
        chunk.push_back(events[indices[pos++]]);
      }
      NANOTDB_RETURN_IF_ERROR(EncodeEventBlock(chunk, &block));
    }
    NANOTDB_RETURN_IF_ERROR(w->Append(block, opts_.sync_every_write));
    if (!opts_.sync_every_write) unsynced_ = true;
    result->written += indices.size();
  }
  return Status::Ok();
}

Status EventStore::ReadPartition(const std::string& key, const EventQuery& q,
                                 std::vector<Event>* out, EventReadReport* report) const {
  const std::string path = EventFilePath(opts_.root, opts_.db, key);
  std::string bytes;
  NANOTDB_RETURN_IF_ERROR(opts_.env->ReadFileToString(path, &bytes));
  const std::string where = opts_.db + "/" + EventFileName(key);
  EventFileScan scan;
  Status scanned = ScanEventFile(bytes, path, &scan);
  if (!scanned.ok()) {
    if (report) report->skipped.push_back("damaged events skipped: " + scanned.message());
    return Status::Ok();
  }
  for (const EventDamage& d : scan.damaged) {
    if (report) {
      report->skipped.push_back("damaged events skipped: " + where + " " + DescribeEventDamage(d));
    }
  }
  const size_t first = out->size();
  std::vector<Event> decoded;
  for (const EventBlockRef& b : scan.blocks) {
    if (!Overlaps(b.min_ts, b.max_ts, q.from, q.to)) continue;
    decoded.clear();
    Status st = DecodeEventBlock(std::string_view(bytes).substr(b.offset, b.bytes), &decoded);
    if (!st.ok()) {
      if (report) {
        report->skipped.push_back("damaged events skipped: " + where + " offset " +
                                  std::to_string(b.offset) + ": " + std::to_string(b.count) +
                                  " events (" + st.message() + ")");
      }
      continue;
    }
    for (Event& e : decoded) {
      if (e.ts < q.from || e.ts > q.to || (!q.name.empty() && e.name != q.name)) continue;
      out->push_back(std::move(e));
    }
  }
  std::stable_sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
                   [](const Event& a, const Event& b) { return a.ts < b.ts; });
  return Status::Ok();
}

Status EventStore::Read(const EventQuery& q, const std::function<bool(const Event&)>& fn,
                        EventReadReport* report) const {
  if (q.from > q.to) return Status::Ok();
  std::shared_lock lock(mu_);
  size_t given = 0;
  std::vector<Event> events;
  for (const std::string& key : partitions_) {  // keys sort by time
    Timestamp start, end;
    if (!PartitionRange(opts_.manifest.partition, key, &start, &end)) continue;
    if (end <= q.from || start > q.to) continue;
    events.clear();
    NANOTDB_RETURN_IF_ERROR(ReadPartition(key, q, &events, report));
    for (const Event& e : events) {
      if (!fn(e)) return Status::Ok();
      if (q.limit > 0 && ++given >= q.limit) return Status::Ok();
    }
  }
  return Status::Ok();
}

Status EventStore::Count(const EventQuery& q, int64_t window, std::vector<EventCount>* out,
                         EventReadReport* report) const {
  EventQuery all = q;
  all.limit = 0;
  std::map<std::pair<std::string, Timestamp>, uint64_t> counts;
  std::map<std::string, Timestamp> first_seen;
  NANOTDB_RETURN_IF_ERROR(Read(
      all,
      [&](const Event& e) {
        Timestamp bucket;
        if (window > 0) {
          bucket = FloorTo(e.ts, window);
        } else {
          bucket = q.from;
          if (q.from == kMinTimestamp) bucket = first_seen.try_emplace(e.name, e.ts).first->second;
        }
        ++counts[{e.name, bucket}];
        return true;
      },
      report));
  for (const auto& [k, n] : counts) out->push_back(EventCount{k.first, k.second, n});
  return Status::Ok();
}

std::vector<EventFileSummary> EventStore::Inspect() const {
  std::shared_lock lock(mu_);
  std::vector<EventFileSummary> out;
  for (const std::string& key : partitions_) {
    EventFileSummary s;
    s.key = key;
    s.file = EventFileName(key);
    std::string bytes;
    Status st = opts_.env->ReadFileToString(EventFilePath(opts_.root, opts_.db, key), &bytes);
    s.bytes = bytes.size();
    EventFileScan scan;
    if (st.ok()) st = ScanEventFile(bytes, s.file, &scan);
    if (!st.ok()) {
      s.damaged.push_back(st.message());
      out.push_back(std::move(s));
      continue;
    }
    for (const EventBlockRef& b : scan.blocks) {
      s.min_ts = s.blocks == 0 ? b.min_ts : std::min(s.min_ts, b.min_ts);
      s.max_ts = s.blocks == 0 ? b.max_ts : std::max(s.max_ts, b.max_ts);
      ++s.blocks;
      s.events += b.count;
    }
    for (const EventDamage& d : scan.damaged) s.damaged.push_back(DescribeEventDamage(d));
    out.push_back(std::move(s));
  }
  return out;
}

Status EventStore::Maintain(Timestamp now_wall, int64_t now_mono) {
  if (opts_.read_only) return Status::Ok();
  std::unique_lock lock(mu_);
  if (unsynced_ && now_mono - last_sync_mono_ >= opts_.sync_interval) {
    for (auto& [key, w] : writers_) NANOTDB_RETURN_IF_ERROR(w->Sync());
    unsynced_ = false;
    last_sync_mono_ = now_mono;
  }
  const ManifestSettings& m = opts_.manifest;
  if (m.retention_action != RetentionAction::kDelete || m.retention_days <= 0 ||
      m.partition == Partitioning::kForever) {
    return Status::Ok();
  }
  const Timestamp cutoff = now_wall - static_cast<int64_t>(m.retention_days) * kDay;
  bool removed = false;
  for (auto it = partitions_.begin(); it != partitions_.end();) {
    Timestamp start, end;
    if (!PartitionRange(m.partition, *it, &start, &end) || end > cutoff) {
      ++it;
      continue;
    }
    writers_.erase(*it);
    const std::string path = EventFilePath(opts_.root, opts_.db, *it);
    Result<uint64_t> size = opts_.env->GetFileSize(path);
    NANOTDB_RETURN_IF_ERROR(opts_.env->RemoveFile(path));
    Log(LogLevel::kInfo, "retention: deleted " + EventFileName(*it) + " (older than " +
                             std::to_string(m.retention_days) + " days)");
    NoticeDeleted(*it, size.ok() ? *size : 0, "retention");
    it = partitions_.erase(it);
    removed = true;
  }
  if (removed) return opts_.env->SyncDir(DatabaseDir(opts_.root, opts_.db));
  return Status::Ok();
}

Status EventStore::DeletePartition(const std::string& key, const std::string& why) {
  if (opts_.read_only) return Status::InvalidArgument("the data root is open read-only");
  std::unique_lock lock(mu_);
  if (partitions_.count(key) == 0) return Status::NotFound("no events file for " + key);
  writers_.erase(key);
  const std::string path = EventFilePath(opts_.root, opts_.db, key);
  Result<uint64_t> size = opts_.env->GetFileSize(path);
  NANOTDB_RETURN_IF_ERROR(opts_.env->RemoveFile(path));
  partitions_.erase(key);
  Log(LogLevel::kWarning, "disk budget: deleted " + EventFileName(key) + " (" + why + ")");
  NoticeDeleted(key, size.ok() ? *size : 0, "disk_budget");
  return opts_.env->SyncDir(DatabaseDir(opts_.root, opts_.db));
}

void EventStore::Forget() {
  std::unique_lock lock(mu_);
  writers_.clear();
  partitions_.clear();
  unsynced_ = false;
}

Status EventStore::Close() {
  std::unique_lock lock(mu_);
  Status first;
  for (auto& [key, w] : writers_) {
    Status st = w->Sync();
    if (!st.ok() && first.ok()) first = st;
  }
  writers_.clear();
  unsynced_ = false;
  return first;
}

}  // namespace nanotdb
