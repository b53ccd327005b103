// Durations and timestamps as people write them: parsing and canonical formatting.
//
// Every timestamp is Unix nanoseconds, UTC (see nanotdb/types.h). Calendar dates use the
// proleptic Gregorian calendar and never consult the local time zone. All functions are pure
// (the current time is passed in as `now`), thread-safe and do not throw; parse errors are
// InvalidArgument statuses that quote the text that failed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

// Parses a non-negative duration made of one or more <number><unit> terms: "10s", "1h30m",
// "1.5d", "2w", "500ms", "250us", "1ns", "0s". Units: ns, us (or µs), ms, s, m, h, d (24h),
// w (7d); every term may carry a decimal fraction. A bare "0" is zero. Fails on a sign, a missing
// unit or a result beyond int64 nanoseconds.
Result<int64_t> ParseDuration(std::string_view s);

// Compact text of a duration, the inverse of ParseDuration: "5m", "1h30m", "2d3h", "10s",
// "1.5s", "250ms", "1ns", "0s". Negative durations get a leading '-'.
std::string FormatDuration(int64_t ns);

// "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" in UTC, always nine fractional digits (the canonical form of
// export, inspect and the UI).
std::string FormatTimestamp(Timestamp ts);

// RFC 3339 in UTC with the fraction trimmed: "2026-05-24T12:00:00Z", "2026-05-24T12:00:00.5Z".
std::string FormatRfc3339(Timestamp ts);

// A timestamp in a line-protocol line:
//   - Unix nanoseconds: "1716552000000000000";
//   - a UTC date: "YYYY-MM-DD", "YYYY-MM-DD HH", "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS" and
//     "YYYY-MM-DD HH:MM:SS.fraction" (fraction padded or truncated to 9 digits); 'T' may
//     replace the space and a trailing "Z" or "+HH:MM" offset is accepted;
//   - relative to `now`: "-20s", "-1.5h", "-2d" (any ParseDuration text), or "-20" (seconds);
//     at most 10 years back.
// Errors read `invalid timestamp "<text>"` plus the reason.
Result<Timestamp> ParseLineTimestamp(std::string_view s, Timestamp now);

enum class TimeUnit { kNanoseconds, kMicroseconds, kMilliseconds, kSeconds };
// "ns", "us", "ms", "s". Returns false (and leaves *out alone) for anything else.
bool ParseTimeUnit(std::string_view s, TimeUnit* out);
// Nanoseconds in one `unit` (1, 1000, 1000000, 1000000000).
int64_t TimeUnitNanos(TimeUnit unit);

// A --start/--end (CLI) or start/end (HTTP) argument:
//   - "now";
//   - relative "-20s", "-1d" (ParseDuration text) or "-20" (a number in `unit`): now minus it,
//     at most 10 years back; a positive duration "2m" also means now minus it;
//   - a bare number in `unit`, decimals allowed ("1715000000.5" with unit s);
//   - RFC 3339 with 'Z' or an offset ("2026-05-24T12:00:00+02:00"), and the UTC date forms
//     "YYYY-MM-DD[ HH[:MM[:SS[.fraction]]]]" with a space or 'T'.
// Errors read `invalid time "<text>"` and list the accepted forms.
Result<Timestamp> ParseTimeArg(std::string_view s, Timestamp now, TimeUnit unit);

// The unit of a bare number in an HTTP start/end when no timestamp_unit is given, judged by
// its integer digits: up to 11 seconds (what Prometheus clients send), up to 14 milliseconds,
// up to 17 microseconds, else nanoseconds. Relative "-20" and anything that is not a plain
// number count in seconds.
TimeUnit InferTimeUnit(std::string_view s);

// Days since 1970-01-01 of a proleptic Gregorian date (m 1..12, d 1..31), and the inverse.
int64_t DaysFromCivil(int y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int* y, unsigned* m, unsigned* d);

}  // namespace nanotdb
