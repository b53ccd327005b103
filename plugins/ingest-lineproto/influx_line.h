// The InfluxDB line protocol (as InfluxDB 1.x and 2.x accept it), parsed into points:
//
//   measurement[,tag=value...] field=value[,field=value...] [timestamp]
//
// - measurement: commas and spaces are escaped with '\'; tag keys, tag values and field keys
//   also escape '='. A backslash before any other character is kept as it is.
// - field values: floats (`1`, `-2.5`, `1e3`), integers `42i`, unsigned `42u`, booleans
//   (`t`, `T`, `true`, `True`, `TRUE`, `f`, ... `FALSE`) and strings ("..." with `\"` and `\\`).
// - timestamp: an integer in the request's precision (ns, us, ms, s); omitted means now.
// - blank lines and lines starting with '#' are skipped.
//
// One field becomes one sample of the series `<measurement>_<field>{tags}` (docs/influx.md has
// the rule and the reasons). Pure functions; thread-safe; never throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/series.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb::influx {

enum class Precision { kNanoseconds, kMicroseconds, kMilliseconds, kSeconds };

// "ns"/"n" (also ""), "us"/"u", "ms", "s"; false otherwise (v1's "m" and "h" included).
bool ParsePrecision(std::string_view text, Precision* out);

struct FieldValue {
  enum class Kind { kFloat, kInt, kUint, kBool, kString };
  Kind kind = Kind::kFloat;
  double f = 0;
  int64_t i = 0;
  uint64_t u = 0;
  bool b = false;
  std::string s;
};

struct Field {
  std::string key;
  FieldValue value;
};

struct InfluxPoint {
  std::string measurement;
  Labels tags;  // in line order, unescaped
  std::vector<Field> fields;
  Timestamp ts = 0;  // ns
};

// Parses one line. `now` is used when the line has no timestamp. Errors are InvalidArgument
// naming the token, e.g. `invalid field value "4x" of "temp" (expected a number, 42i, 42u, a
// boolean or a "string")`.
Status ParseInfluxLine(std::string_view line, Precision precision, Timestamp now, InfluxPoint* out);

// The metric name of one field: `<measurement>_<field>`.
std::string MetricName(std::string_view measurement, std::string_view field);

}  // namespace nanotdb::influx
