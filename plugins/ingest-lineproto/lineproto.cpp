#include "lineproto.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "nanotdb/series.h"
#include "nanotdb/time_util.h"

namespace nanotdb {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Quotes user text for an error message, shortening very long text (a line may be megabytes).
std::string Quote(std::string_view s) {
  constexpr size_t kMaxShown = 80;
  std::string out = "\"";
  if (s.size() > kMaxShown) {
    out.append(s.substr(0, kMaxShown));
    out += "...";
  } else {
    out.append(s);
  }
  out += '"';
  return out;
}

Status ParseIntValue(std::string_view token, Value* out) {
  int64_t v = 0;
  std::string why;
  if (!ParseInt64(token.substr(0, token.size() - 1), &v, &why)) {
    if (why.starts_with("out of range")) {
      return Status::InvalidArgument(
          "int value " + Quote(token) +
          " out of int64 range (-9223372036854775808..9223372036854775807); drop the i suffix "
          "to store it as float64");
    }
    return Status::InvalidArgument("invalid int value " + Quote(token) +
                                   " (expected a base-10 integer before the suffix i)");
  }
  *out = Value::Int64(v);
  return Status::Ok();
}

// Clinger's fast path for the common short decimal ("21.5", "-7", "0.125"): with at most 15
// significant digits the mantissa is exact in a double, and so is 10^k for k <= 22, so one
// IEEE division rounds exactly like a full parse. False: use ParseFloat64.
bool ParseShortDecimal(std::string_view s, double* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  uint64_t mant = 0;
  int significant = 0, frac_digits = 0;
  bool dot = false, any_digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (mant != 0 || c != '0') ++significant;
      if (significant > 15) return false;
      mant = mant * 10 + static_cast<uint64_t>(c - '0');
      frac_digits += dot;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  if (!any_digit || frac_digits > 22) return false;
  double d = static_cast<double>(mant) / kPow10[frac_digits];
  *out = neg ? -d : d;
  return true;
}

// The usual timestamp: all digits, Unix ns (19 digits today). Up to 18 digits cannot overflow
// int64; a 19th is checked. False: use ParseLineTimestamp (dates, relative, errors).
bool ParseNanos(std::string_view s, Timestamp* out) {
  if (s.empty() || s.size() > 19) return false;
  int64_t v = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    int d = s[i] - '0';
    if (d < 0 || d > 9) return false;
    if (i == 18 && v > (std::numeric_limits<int64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

Status ParseFloatValue(std::string_view token, Value* out) {
  double d;
  if (ParseShortDecimal(token, &d)) {
    *out = Value::Float64(d);
    return Status::Ok();
  }
  std::string why;
  if (!ParseFloat64(token, &d, &why)) {
    if (why.starts_with("out of range")) {
      return Status::InvalidArgument("float value " + Quote(token) + " " + why);
    }
    return Status::InvalidArgument("invalid value " + Quote(token) +
                                   " (expected a number, or an integer with suffix i for int64)");
  }
  *out = Value::Float64(d);
  return Status::Ok();
}

}  // namespace

Status ParseLine(std::string_view line, Timestamp now, ParsedLine* out, bool* skip) {
  std::string_view s = Trim(line);
  if (s.empty() || s[0] == '#') {
    *skip = true;
    return Status::Ok();
  }
  *skip = false;
  // The target ends at the first blank outside a label set: `db/m{a="x y"} 1` is one target.
  size_t target_end = 0;
  bool in_labels = false;
  char quote = 0;
  while (target_end < s.size()) {
    const char c = s[target_end];
    if (quote != 0) {
      if (c == '\\' && target_end + 1 < s.size()) {
        target_end += 2;
        continue;
      }
      if (c == quote) quote = 0;
    } else if (in_labels && (c == '"' || c == '\'')) {
      quote = c;
    } else if (c == '{') {
      in_labels = true;
    } else if (c == '}') {
      in_labels = false;
    } else if (IsBlank(c) && !in_labels) {
      break;
    }
    ++target_end;
  }
  std::string_view target = s.substr(0, target_end);
  std::string_view rest = Trim(s.substr(target_end));
  if (rest.empty()) {
    return Status::InvalidArgument("invalid line " + Quote(s) +
                                   ": expected 'DB/metric value [timestamp]'");
  }
  size_t slash = target.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == target.size()) {
    return Status::InvalidArgument("invalid target " + Quote(target) + ": expected DB/metric");
  }
  std::string_view db = target.substr(0, slash);
  std::string_view metric = target.substr(slash + 1);
  NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(db));
  if (metric.find('{') == std::string_view::npos) {
    NANOTDB_RETURN_IF_ERROR(ValidateMetricName(metric));
  } else {
    NANOTDB_RETURN_IF_ERROR(ParseSeriesKey(metric).status());
  }

  size_t value_end = 0;
  while (value_end < rest.size() && !IsBlank(rest[value_end])) ++value_end;
  std::string_view token = rest.substr(0, value_end);
  Value value;
  if (token.back() == 'i') {
    NANOTDB_RETURN_IF_ERROR(ParseIntValue(token, &value));
  } else {
    NANOTDB_RETURN_IF_ERROR(ParseFloatValue(token, &value));
  }

  std::string_view ts_text = Trim(rest.substr(value_end));
  Timestamp ts = now;
  if (!ts_text.empty() && !ParseNanos(ts_text, &ts)) {
    Result<Timestamp> parsed = ParseLineTimestamp(ts_text, now);
    if (!parsed.ok()) return parsed.status();
    ts = *parsed;
  }
  out->db = db;
  out->metric = metric;
  out->value = value;
  out->ts = ts;
  return Status::Ok();
}

ParseSummary ParseBody(std::string_view body, Timestamp now,
                       const std::function<void(size_t line_no, const ParsedLine&)>& on_line,
                       size_t max_errors) {
  ParseSummary sum;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(pos, end - pos);
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    ++sum.lines;
    ParsedLine parsed;
    bool skip = false;
    Status st = ParseLine(line, now, &parsed, &skip);
    if (!st.ok()) {
      ++sum.errors;
      if (sum.first_errors.size() < max_errors) {
        sum.first_errors.push_back({sum.lines, std::move(st)});
      }
    } else if (skip) {
      ++sum.skipped;
    } else {
      ++sum.samples;
      on_line(sum.lines, parsed);
    }
  }
  return sum;
}

std::string FormatLine(std::string_view db, std::string_view metric, Value v, Timestamp ts,
                       bool ns_timestamps) {
  std::string out;
  out.reserve(db.size() + metric.size() + 48);
  out.append(db);
  out += '/';
  out.append(metric);
  out += ' ';
  out += FormatValue(v);
  if (IsIntegerType(v.type)) out += 'i';
  out += ' ';
  // A leading '-' means "relative to now" on input, so times before 1970 are always dates.
  out += ns_timestamps && ts >= 0 ? std::to_string(ts) : FormatTimestamp(ts);
  return out;
}

}  // namespace nanotdb
