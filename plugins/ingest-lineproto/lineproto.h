// The NanoTDB line protocol: one sample per line, `DB/metric value [timestamp]`.
//
//   home/cpu.temp 21.5
//   home/door.opened 3i 1779624000000000000
//   home/cpu.temp 21.7 2026-05-24 12:00:00.5
//
// - The target is split at its first '/': the database name (ValidateDatabaseName) and the
//   series: a metric name (ValidateMetricName) or a series key with labels,
//   `home/cpu{core="0"}` (ParseSeriesKey; blanks inside the braces belong to the target, so
//   `home/hass{name="Living room"} 21.5` is one series). The storage stores the key in its
//   canonical form.
// - A value ending in `i` is a base-10 int64 (`42i`, must fit int64). Any other number is a
//   float64, the double nearest to it: `21.5`, `-7`, `1e-3`, `NaN`, `Inf`, `+Inf`, and also a
//   bare `42` (this keeps the reference implementation's rule: only the `i` suffix makes an
//   integer). Magnitudes beyond float64 (`1e400`) are errors naming the token.
// - The timestamp is the rest of the line, parsed by ParseLineTimestamp (Unix ns, a UTC date
//   with a space inside, or relative `-20s`); omitted means `now`.
// - Blank lines and lines whose first non-blank character is `#` are skipped.
//
// All functions are thread-safe and allocation-free on the success path of ParseLine; they do
// not throw. Documented for users in docs/line-protocol.md.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

// One parsed sample. `db` and `metric` view into the parsed line.
struct ParsedLine {
  std::string_view db, metric;
  Timestamp ts = 0;
  Value value;
};

// Parses one line (without its line terminator; a trailing '\r' is ignored). On a blank or
// comment line returns OK with *skip = true and leaves *out alone. Errors are InvalidArgument
// and name the token, e.g. `invalid value "4x2" (expected a number, or an integer with suffix
// i for int64)`; they carry no line number (callers add it).
Status ParseLine(std::string_view line, Timestamp now, ParsedLine* out, bool* skip);

struct LineError {
  size_t line;  // 1-based physical line number, skipped lines included
  Status status;
};

struct ParseSummary {
  size_t lines = 0;                     // physical lines seen
  size_t samples = 0;                   // lines handed to on_line
  size_t skipped = 0;                   // blank and comment lines
  size_t errors = 0;                    // every rejected line, also those beyond max_errors
  std::vector<LineError> first_errors;  // the first max_errors of them, in line order
};

// Parses a whole body whose lines end in "\n" or "\r\n" (the last may have no terminator) and
// calls on_line for each sample with its line number. Bad lines do not stop parsing.
ParseSummary ParseBody(std::string_view body, Timestamp now,
                       const std::function<void(size_t line_no, const ParsedLine&)>& on_line,
                       size_t max_errors = 20);

// The canonical line that ParseLine reads back to the same sample:
// `db/metric 21.5 2026-05-24 12:00:00.000000000`; int64 values get the `i` suffix; with
// ns_timestamps the timestamp is written as Unix nanoseconds (times before 1970 stay dates:
// a leading '-' would read as relative).
std::string FormatLine(std::string_view db, std::string_view metric, Value v, Timestamp ts,
                       bool ns_timestamps = false);

}  // namespace nanotdb
