// InternalEvents: the daemon's lifecycle events on their way into the reserved `internal`
// database (docs/events.md, "Internal events"), and the InternalEventService plugins emit
// through.
//
// Emit and Notice only push into a bounded queue under a short mutex (no I/O, no engine call),
// so ingest, flushes and HTTP handlers never wait for it. Drain (the scheduler, once a second,
// and shutdown) moves the queue into the engine. A full queue drops the event and counts it;
// the next Drain stores nanotdb.internal_events.dropped with the count first. Notices about
// `internal` itself are not recorded (writing them would make more of them). Auth failures and
// disk-floor refusals are rate-limited: the first few per minute become events, the others are
// counted into one `...suppressed` event when the minute is over, so a client hammering the
// server cannot flood the store. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "nanotdb/engine.h"
#include "nanotdb/services/internal_events.h"

namespace nanotdb::server {

// At most `burst` Allow()s succeed per `window` ns of the monotonic clock; the others are
// counted. Not thread-safe (InternalEvents guards it).
class EventRateLimit {
 public:
  EventRateLimit(uint32_t burst, int64_t window) : burst_(burst), window_(window) {}
  bool Allow(int64_t now_mono);
  // How many were refused in a window that has ended by now_mono (0 if none), and forgets them.
  uint64_t TakeSuppressed(int64_t now_mono);

 private:
  void Roll(int64_t now_mono);
  const uint32_t burst_;
  const int64_t window_;
  std::optional<int64_t> window_start_;
  uint32_t allowed_ = 0;
  uint64_t suppressed_ = 0;        // in the current window
  uint64_t suppressed_ended_ = 0;  // in windows that have ended, not yet taken
};

struct InternalEventsOptions {
  bool enabled = true;        // [internal_events] enabled
  size_t queue_depth = 4096;  // [internal_events] queue_depth
  LogFn log;
  std::function<Timestamp()> now;  // wall clock, Unix ns
  std::function<int64_t()> mono;   // monotonic ns
  uint32_t auth_burst = 10;        // auth failure events per window
  uint32_t disk_burst = 1;         // disk-floor refusal events per window
  int64_t limit_window = 60 * kSecond;
};

class InternalEvents final : public InternalEventService {
 public:
  explicit InternalEvents(InternalEventsOptions options);
  InternalEvents(const InternalEvents&) = delete;
  InternalEvents& operator=(const InternalEvents&) = delete;

  bool Emit(Event event) noexcept override;
  bool Emit(std::string name, std::optional<Value> value, std::string payload) noexcept;
  // EngineOptions::notice.
  void Notice(EngineNotice notice) noexcept;
  // A request refused with 401/403; rate-limited.
  void AuthFailure(std::string_view remote, std::string_view method, std::string_view path,
                   int status, std::string_view reason) noexcept;
  // A write refused with 507 by [storage] min_free_bytes; rate-limited.
  void DiskRefusal(std::string_view message) noexcept;

  // Writes what is queued (and the dropped / suppressed counts) into `internal` of `engine`.
  // A failed write is logged (once until a write succeeds again) and its events are lost.
  void Drain(Engine& engine);

  uint64_t dropped_total() const;
  uint64_t emitted_total() const;

 private:
  bool PushLocked(Event event);
  void TakeSuppressedLocked(EventRateLimit& limit, const char* name);

  const InternalEventsOptions opts_;
  mutable std::mutex mu_;
  std::deque<Event> queue_;       // guarded by mu_
  uint64_t dropped_pending_ = 0;  // guarded by mu_: dropped since the last Drain
  uint64_t dropped_total_ = 0;    // guarded by mu_
  uint64_t emitted_total_ = 0;    // guarded by mu_: written into `internal`
  EventRateLimit auth_limit_;     // guarded by mu_
  EventRateLimit disk_limit_;     // guarded by mu_
  bool write_failing_ = false;    // only touched by Drain (one thread at a time)
  std::mutex drain_mu_;           // one Drain at a time
};

}  // namespace nanotdb::server
