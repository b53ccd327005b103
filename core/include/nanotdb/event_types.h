// Events: what happened, when — a deploy, a restart, a door opening — stored per database next
// to its samples (docs/events.md). An event has a name, a time, an optional number and an
// optional JSON payload. Unlike samples, events of one name need not arrive in time order and
// need no catalog: every stored event spells its own name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

inline constexpr size_t kMaxEventNameBytes = 255;
inline constexpr size_t kMaxEventPayloadBytes = 64 * 1024;

struct Event {
  std::string name;            // 1..255 bytes of UTF-8 without control characters
  Timestamp ts = 0;            // Unix ns, UTC
  std::optional<Value> value;  // int64 or float64; none when the event carries no number
  std::string payload;         // compact JSON text, or "" for none
  bool operator==(const Event& o) const {
    const bool same_value =
        value.has_value() == o.value.has_value() &&
        (!value || (value->type == o.value->type && value->bits == o.value->bits));
    return name == o.name && ts == o.ts && same_value && payload == o.payload;
  }
};

// OK, or InvalidArgument naming the problem (`event name "..." has a control character at
// byte 3`, `event payload is 70000 bytes, more than the limit of 65536`, ...).
Status ValidateEvent(const Event& e);

struct EventWriteResult {
  size_t written = 0;
  std::vector<std::pair<size_t, Status>> rejected;  // (index in the batch, why), in order
};

// A range read. Events come in time order; events with equal times in the order they were
// stored.
struct EventQuery {
  std::string name;  // exact name; "" = every name
  Timestamp from = kMinTimestamp;
  Timestamp to = kMaxTimestamp;  // inclusive
  size_t limit = 0;              // 0 = no limit
};

// One count bucket: events named `name` with bucket <= ts < bucket + window.
struct EventCount {
  std::string name;
  Timestamp bucket = 0;
  uint64_t count = 0;
};

// What a read skipped because bytes failed their checks: one line per damaged region, e.g.
// `damaged events skipped: demo/events-2026-05-28.evt offset 16: 120 bytes (block checksum
// mismatch)`.
struct EventReadReport {
  std::vector<std::string> skipped;
};

// What one database's events files hold (nanocli inspect events).
struct EventFileSummary {
  std::string file;  // base name
  std::string key;   // partition key
  uint64_t bytes = 0;
  uint64_t blocks = 0;
  uint64_t events = 0;
  Timestamp min_ts = 0, max_ts = 0;  // over its intact blocks (0, 0 when none)
  std::vector<std::string> damaged;  // damaged or torn regions
};

}  // namespace nanotdb
