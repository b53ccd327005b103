// InternalEventService ("nanotdb.internal-events" v1): how plugins record what they did in the
// reserved `internal` database, beside the core's own lifecycle events (docs/events.md,
// "Internal events") — the rollup plugin emits nanotdb.rollup.window.done through it.
//
// Emit only queues: it never waits for I/O and may be called from any thread, also with the
// caller's locks held. The core writes the queue into `internal` about once a second and at
// shutdown. When the queue is full the event is dropped and counted (the next write stores
// nanotdb.internal_events.dropped with the count). Published by the core; thread-safe;
// nothing throws.
#pragma once

#include <cstdint>

#include "nanotdb/event_types.h"

namespace nanotdb {

class InternalEventService {
 public:
  static constexpr const char* kServiceName = "nanotdb.internal-events";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~InternalEventService() = default;

  // Queues `event` for the internal database. ts 0 means now; the payload, when not empty,
  // must be a JSON object or value (compact). False when the event is refused (invalid, per
  // ValidateEvent) or dropped (the queue is full, or internal events are disabled).
  virtual bool Emit(Event event) noexcept = 0;
};

}  // namespace nanotdb
