// EventStore: the events of one database — one events file per partition (event_file.h),
// written one block per partition per write, read back in time order.
//
// Durability: with sync_every_write (fsync_policy = always) a write returns only after its
// blocks are fsynced; otherwise Maintain fsyncs files written since the last sync once
// `sync_interval` has passed, and Close fsyncs them all. Retention deletes an events file with
// the rule that deletes its partition's data file (the partition's end older than the window).
//
// Thread safety: every method may be called concurrently. mu_ is exclusive for writes (the
// append and, under always, its fsync: event writes queue behind each other, never behind
// sample ingest) and for file deletions; shared for reads, which therefore never see a
// half-appended block.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "nanotdb/engine.h"
#include "nanotdb/engine_types.h"
#include "nanotdb/env.h"
#include "nanotdb/event_types.h"
#include "nanotdb/options.h"
#include "storage/event_file.h"

namespace nanotdb {

struct EventStoreOptions {
  Env* env = nullptr;
  std::string root;
  std::string db;
  LogFn log;
  NoticeFn notice;  // EngineOptions::notice; may be empty
  bool read_only = false;
  bool sync_every_write = false;
  int64_t sync_interval = 10 * kNanosPerSecond;
  ManifestSettings manifest;  // partitioning and retention
};

class EventStore {
 public:
  // Lists the database's events files (no file is opened yet).
  static Result<std::unique_ptr<EventStore>> Open(EventStoreOptions options);
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Stores every valid event (ValidateEvent), reporting each invalid one by index; events of
  // one partition share one block. Non-OK only for failures not tied to one event (I/O, a
  // read-only store): then none of the events this call tried to store in the failing
  // partition are stored, earlier partitions' blocks are.
  Status Write(std::span<const Event> events, EventWriteResult* result);

  // Calls fn for the events matching q in time order (equal times in stored order) until it
  // returns false or q.limit events were given. Damaged blocks are skipped and listed in
  // *report (may be null).
  Status Read(const EventQuery& q, const std::function<bool(const Event&)>& fn,
              EventReadReport* report) const;
  // Counts the events matching q (its limit ignored) per name and per window-wide bucket
  // (buckets start at multiples of window since the epoch; empty buckets left out), sorted by
  // name then bucket. window <= 0: one bucket per name, stamped q.from (or the earliest event
  // when q.from is unbounded).
  Status Count(const EventQuery& q, int64_t window, std::vector<EventCount>* out,
               EventReadReport* report) const;

  std::vector<EventFileSummary> Inspect() const;

  // Periodic work: fsyncs under the segment policy, retention.
  Status Maintain(Timestamp now_wall, int64_t now_mono);
  // Deletes partition `key`'s events file (the disk budget deleted its data file); NotFound
  // when there is none.
  Status DeletePartition(const std::string& key, const std::string& why);
  // Forgets every file (Database::Clear deleted them) and closes the handles.
  void Forget();
  // Fsyncs and closes every file.
  Status Close();

 private:
  explicit EventStore(EventStoreOptions options) : opts_(std::move(options)) {}
  EventFileWriter* WriterFor(const std::string& key, Status* st);  // mu_ held exclusively
  void Log(LogLevel level, const std::string& msg) const;
  // An EngineNotice "nanotdb.partition.deleted" for this database's events file of `key`.
  void NoticeDeleted(const std::string& key, uint64_t bytes, std::string_view reason) const;
  // Reads the events of partition `key` matching q, sorted by time, appended to *out.
  Status ReadPartition(const std::string& key, const EventQuery& q, std::vector<Event>* out,
                       EventReadReport* report) const;

  const EventStoreOptions opts_;
  mutable std::shared_mutex mu_;
  std::set<std::string> partitions_;                                 // keys with a file; mu_
  std::map<std::string, std::unique_ptr<EventFileWriter>> writers_;  // mu_
  int64_t last_sync_mono_ = 0;                                       // mu_
  bool unsynced_ = false;                                            // mu_
};

}  // namespace nanotdb
