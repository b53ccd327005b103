#include "server/internal_events.h"

#include <utility>
#include <vector>

#include "base/json_object.h"
#include "server/json_scan.h"

namespace nanotdb::server {

void EventRateLimit::Roll(int64_t now_mono) {
  if (window_start_ && now_mono - *window_start_ < window_) return;
  suppressed_ended_ += suppressed_;
  suppressed_ = 0;
  allowed_ = 0;
  window_start_ = now_mono;
}

bool EventRateLimit::Allow(int64_t now_mono) {
  Roll(now_mono);
  if (allowed_ < burst_) {
    ++allowed_;
    return true;
  }
  ++suppressed_;
  return false;
}

uint64_t EventRateLimit::TakeSuppressed(int64_t now_mono) {
  if (window_start_ && now_mono - *window_start_ >= window_) {
    suppressed_ended_ += suppressed_;
    suppressed_ = 0;
    allowed_ = 0;
    window_start_.reset();  // the next Allow starts a new window
  }
  return std::exchange(suppressed_ended_, 0);
}

InternalEvents::InternalEvents(InternalEventsOptions options)
    : opts_(std::move(options)),
      auth_limit_(opts_.auth_burst, opts_.limit_window),
      disk_limit_(opts_.disk_burst, opts_.limit_window) {}

bool InternalEvents::PushLocked(Event event) {
  if (!opts_.enabled) return false;
  if (queue_.size() >= opts_.queue_depth) {
    ++dropped_pending_;
    ++dropped_total_;
    return false;
  }
  if (event.ts == 0) event.ts = opts_.now();
  queue_.push_back(std::move(event));
  return true;
}

bool InternalEvents::Emit(Event event) noexcept {
  try {
    if (!ValidateEvent(event).ok()) return false;
    if (!event.payload.empty()) {
      // Answers hand payloads out as JSON: only JSON goes in.
      if (!ParseJson(event.payload).ok()) return false;
      event.payload = CompactJson(event.payload);
    }
    std::lock_guard lock(mu_);
    return PushLocked(std::move(event));
  } catch (const std::exception&) {
    return false;
  }
}

bool InternalEvents::Emit(std::string name, std::optional<Value> value,
                          std::string payload) noexcept {
  try {
    Event e;
    e.name = std::move(name);
    e.value = value;
    e.payload = std::move(payload);
    std::lock_guard lock(mu_);
    return PushLocked(std::move(e));
  } catch (const std::exception&) {
    return false;
  }
}

void InternalEvents::Notice(EngineNotice notice) noexcept {
  if (notice.db == kInternalDatabase) return;
  Emit(std::move(notice.name), notice.value, std::move(notice.payload));
}

void InternalEvents::AuthFailure(std::string_view remote, std::string_view method,
                                 std::string_view path, int status,
                                 std::string_view reason) noexcept {
  try {
    std::lock_guard lock(mu_);
    if (!opts_.enabled || !auth_limit_.Allow(opts_.mono())) return;
    JsonObject payload;
    payload.Str("remote", remote)
        .Str("method", method)
        .Str("path", path.substr(0, 512))
        .Int("status", status)
        .Str("reason", reason);
    Event e;
    e.name = "nanotdb.auth.failure";
    e.value = Value::Int64(status);
    e.payload = payload.str();
    PushLocked(std::move(e));
  } catch (const std::exception&) {
  }
}

void InternalEvents::DiskRefusal(std::string_view message) noexcept {
  try {
    std::lock_guard lock(mu_);
    if (!opts_.enabled || !disk_limit_.Allow(opts_.mono())) return;
    Event e;
    e.name = "nanotdb.disk.refused";
    e.payload = JsonObject().Str("reason", message).str();
    PushLocked(std::move(e));
  } catch (const std::exception&) {
  }
}

void InternalEvents::TakeSuppressedLocked(EventRateLimit& limit, const char* name) {
  const uint64_t n = limit.TakeSuppressed(opts_.mono());
  if (n == 0) return;
  Event e;
  e.name = name;
  e.ts = opts_.now();
  e.value = Value::Int64(static_cast<int64_t>(n));
  e.payload =
      JsonObject().Uint("suppressed", n).Int("window_seconds", opts_.limit_window / kSecond).str();
  queue_.push_back(std::move(e));  // a count, not a flood: past queue_depth on purpose
}

void InternalEvents::Drain(Engine& engine) {
  std::lock_guard drain(drain_mu_);
  std::vector<Event> batch;
  {
    std::lock_guard lock(mu_);
    if (!opts_.enabled) return;
    TakeSuppressedLocked(auth_limit_, "nanotdb.auth.failure.suppressed");
    TakeSuppressedLocked(disk_limit_, "nanotdb.disk.refused.suppressed");
    if (dropped_pending_ > 0) {
      Event e;
      e.name = "nanotdb.internal_events.dropped";
      e.ts = opts_.now();
      e.value = Value::Int64(static_cast<int64_t>(dropped_pending_));
      e.payload = JsonObject()
                      .Uint("dropped", dropped_pending_)
                      .Uint("dropped_total", dropped_total_)
                      .Uint("queue_depth", opts_.queue_depth)
                      .str();
      queue_.push_back(std::move(e));
      dropped_pending_ = 0;
    }
    batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  if (batch.empty()) return;
  Result<EventWriteResult> r = engine.WriteEvents(kInternalDatabase, batch);
  std::string problem;
  if (!r.ok()) {
    problem = r.status().ToString();
  } else if (!r->rejected.empty()) {
    problem = "event \"" + batch[r->rejected.front().first].name +
              "\": " + r->rejected.front().second.ToString();
  }
  {
    std::lock_guard lock(mu_);
    if (r.ok()) emitted_total_ += r->written;
  }
  if (!problem.empty()) {
    if (!write_failing_ && opts_.log) {
      opts_.log(LogLevel::kWarning, "internal events not stored in database \"internal\": " +
                                        problem + " (logged once until a write succeeds)");
    }
    write_failing_ = true;
  } else {
    write_failing_ = false;
  }
}

uint64_t InternalEvents::dropped_total() const {
  std::lock_guard lock(mu_);
  return dropped_total_;
}

uint64_t InternalEvents::emitted_total() const {
  std::lock_guard lock(mu_);
  return emitted_total_;
}

}  // namespace nanotdb::server
