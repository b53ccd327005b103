// MapMessage: one MQTT message (topic, payload) -> the series points it stands for, by the
// first subscription whose filter matches the topic (config order).
//
// - The database, metric and label templates are rendered with the topic's captures (and, for
//   JSON, each value's field path). In a metric name, '/' becomes '.' and blanks, braces and
//   control characters become '_', so `{#}` and device names with spaces make valid names;
//   labels and databases keep the text as it is (a database name that breaks the naming rules
//   is a rejection). An empty label value drops the label.
// - Text payloads: `<value>` or `<value> <timestamp>`, surrounded blanks ignored. JSON
//   payloads: the configured paths (a missing path is not an error: devices send partial
//   updates), or every number and boolean in the document with fields = ["*"]. Path segments
//   are separated by '.', a number indexes an array.
// - Values: an integer literal is int64 (type = "auto" or "int"), any other number the nearest
//   float64 ("float" makes every value float64); true/false are 1/0; a string listed in
//   `states` is its integer; "true"/"false" text payloads are 1/0 too. Everything else is a
//   rejection naming the topic, field and reason; the message's other values still count.
// - Timestamps: the JSON path or the text's second word, a number in timestamp_unit (decimals
//   allowed), or RFC 3339 text; absent = `now`.
//
// - kind = "event" tables make one event per message instead: the name template rendered with
//   the captures; for JSON the number at the `value` path (absent or null: none) and the JSON
//   at the `payload` path ("*": the whole document) re-written compactly; for text the payload
//   is the value when it reads as one (a number, true/false, a state), else the event's
//   payload as a JSON string. The time as for series.
//
// Pure and thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt_config.h"
#include "nanotdb/event_types.h"
#include "nanotdb/types.h"

namespace nanotdb::mqtt {

// How a value was written: the ingest layer may restore it in the other 64-bit type when its
// series already exists with that type and nothing is lost (type = "auto" only).
enum class ValueOrigin { kIntegerLiteral, kFloatLiteral, kBoolean, kState, kForced };

struct MappedPoint {
  std::string db;
  std::string key;    // series key (metric + labels)
  std::string field;  // JSON path, "" for text
  Timestamp ts = 0;
  Value value;
  ValueOrigin origin = ValueOrigin::kForced;
};

struct MappedEvent {
  std::string db;
  Event event;
};

struct MapResult {
  int subscription = -1;          // index of the matching subscription; -1: none matches
  bool skipped_retained = false;  // matched, but retained messages are skipped
  std::vector<MappedPoint> points;
  std::vector<MappedEvent> events;  // kind = "event": at most one
  std::vector<std::string> errors;  // one per rejected value (or the whole message)
};

MapResult MapMessage(std::span<const Subscription> subs, std::string_view topic,
                     std::string_view payload, bool retained, Timestamp now);

// Cleans a rendered metric name as described above.
std::string SanitizeMetricName(std::string_view name);

}  // namespace nanotdb::mqtt
