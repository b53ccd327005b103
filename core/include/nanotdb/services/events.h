// EventService ("nanotdb.events" v1): how plugins (the dashboard, ingest formats, collectors)
// write and read events — named, timed records with an optional number and a JSON payload,
// kept per database (docs/events.md). Implemented by the core over the storage engine.
// Thread-safe; nothing throws.
#pragma once

#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "nanotdb/event_types.h"

namespace nanotdb {

class EventService {
 public:
  static constexpr const char* kServiceName = "nanotdb.events";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~EventService() = default;

  // Stores every valid event of `db` (the database is created on first use), reporting each
  // invalid one by index; fsynced before it returns under fsync_policy = always. The internal
  // database is written by the core only: InvalidArgument for it. A non-OK Result is a failure
  // not tied to one event (I/O, shutdown).
  virtual Result<EventWriteResult> WriteEvents(std::string_view db,
                                               std::span<const Event> events) noexcept = 0;
  // Calls fn for the events matching q in time order until it returns false or q.limit were
  // given. Damaged blocks are skipped and described in *report (may be null). NotFound for an
  // unknown database.
  virtual Status ReadEvents(std::string_view db, const EventQuery& q,
                            const std::function<bool(const Event&)>& fn,
                            EventReadReport* report) noexcept = 0;
  // Events matching q counted per name and per `window` ns (buckets at multiples of window
  // since the epoch, empty ones left out; window <= 0: one bucket per name). Sorted by name,
  // then bucket.
  virtual Status CountEvents(std::string_view db, const EventQuery& q, int64_t window,
                             std::vector<EventCount>* out, EventReadReport* report) noexcept = 0;
};

}  // namespace nanotdb
