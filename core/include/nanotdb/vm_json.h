// The pieces of the VictoriaMetrics/Prometheus JSON envelope that query-vm and ingest-lineproto
// write by hand: string escaping, timestamps as float seconds, sample values as strings,
// Go-style duration labels and the success/error envelopes.
//
// Responses of query_range can hold a million points, so they are appended straight into one
// std::string instead of going through a DOM. All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "nanotdb/services/http.h"
#include "nanotdb/types.h"

namespace nanotdb::vm {

// Appends `s` as a quoted JSON string (control characters, quotes and backslashes escaped).
void AppendJsonString(std::string* out, std::string_view s);

// Appends a timestamp as a JSON number of Unix seconds with the fraction trimmed:
// 1715000000, 1715000000.5, 1715000000.000000001.
void AppendSeconds(std::string* out, Timestamp ts);

// The same texts written into a caller's buffer, for loops that format many points into one
// stack buffer and append it once: each returns the end of what it wrote. WriteSeconds needs
// kMaxSecondsChars bytes at p, WriteValue kMaxValueChars (the text of AppendComputedValue
// without its quotes).
inline constexpr size_t kMaxSecondsChars = 32;
inline constexpr size_t kMaxValueChars = 400;  // fixed notation of the largest double: 309 digits
char* WriteSeconds(char* p, Timestamp ts);
char* WriteValue(char* p, double v);
// FormatValue(v) (nanotdb/types.h), the text raw samples are answered with; needs
// kMaxValueChars bytes.
char* WriteStoredValue(char* p, Value v);

// Appends a computed value as a JSON string in Prometheus form: the shortest text that reads
// back as the same double, without exponent ("21.5", "1796196412", "0.001"), or "NaN",
// "+Inf", "-Inf".
void AppendComputedValue(std::string* out, double v);

// Go's time.Duration text, which the reference used for the `window` label: "5m0s", "30s",
// "1h0m0s", "1.5s", "250ms". Only positive durations are labelled; ns <= 0 gives "0s".
std::string GoDurationString(int64_t ns);

// A success envelope written in place: BeginSuccess appends `{"status":"success","data":`,
// the caller appends the data value, EndSuccess closes the object (and adds the newline).
void BeginSuccess(std::string* out);
void EndSuccess(std::string* out);
// {"status":"success","data":<data_json>} as a 200 application/json response.
void RespondSuccess(HttpResponse& resp, std::string_view data_json);
// {"status":"error","errorType":"<error_type>","error":"<message>"}.
void RespondError(HttpResponse& resp, int http_status, std::string_view error_type,
                  std::string_view message);

}  // namespace nanotdb::vm
