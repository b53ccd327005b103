// Events as JSON, one codec for every place that reads or writes them: the items of
// POST /api/v1/events, the events of GET /api/v1/events, and the event lines of
// `nanocli export` / `import` (docs/events.md#export-and-import):
//
//   @event {"db":"home","name":"deploy","ts":"2026-05-01
//   10:00:01.000000000","value":3,"payload":{...}}
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "nanotdb/event_types.h"
#include "server/json_scan.h"

namespace nanotdb::server {

// One event object: name (required), db (else `default_db`; one of them required), ts (Unix ns
// as a JSON integer, or a time string ParseTimeArg reads; default `now`), value (a number, or
// "NaN" / "+Inf" / "-Inf" / "Inf"; without '.', 'e' or 'E' an int64, else a float64; null or
// absent: none), payload (any JSON, compacted; null or absent: none). Any other field is
// InvalidArgument naming it, as is every other problem.
Status EventFromJson(const JsonNode& item, std::string_view default_db, Timestamp now,
                     std::string* db, Event* e);

// {"name":...,"ts":<ns>,"time":"<RFC 3339>","value":...,"payload":...}: what reads answer.
// Float64 values always show a '.' or an exponent (3.0, not 3), so they read back as float64;
// NaN and infinities are the strings "NaN", "+Inf", "-Inf".
void AppendEventJson(std::string* out, const Event& e);

// The export line of an event of `db` (no newline); ParseEventLine reads it back exactly.
std::string FormatEventLine(std::string_view db, const Event& e);
inline constexpr std::string_view kEventLinePrefix = "@event ";
inline bool IsEventLine(std::string_view line) { return line.starts_with(kEventLinePrefix); }
// Parses an event line; `db_override` (when not empty) replaces its database.
Status ParseEventLine(std::string_view line, std::string_view db_override, Timestamp now,
                      std::string* db, Event* e);

}  // namespace nanotdb::server
