#include "influx_line.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace nanotdb::influx {
namespace {

// Reads an escaped token up to an unescaped character of `stops` (or the end). Backslash
// escapes only the characters in `escapable`; before anything else it is kept.
std::string ReadToken(std::string_view line, size_t* pos, std::string_view stops,
                      std::string_view escapable) {
  std::string out;
  while (*pos < line.size()) {
    char c = line[*pos];
    if (c == '\\' && *pos + 1 < line.size() &&
        escapable.find(line[*pos + 1]) != std::string_view::npos) {
      out.push_back(line[*pos + 1]);
      *pos += 2;
      continue;
    }
    if (stops.find(c) != std::string_view::npos) break;
    out.push_back(c);
    ++*pos;
  }
  return out;
}

std::string Shown(std::string_view s) {
  return s.size() <= 64 ? std::string(s) : std::string(s.substr(0, 61)) + "...";
}

bool IsBool(std::string_view v, bool* out) {
  static constexpr std::string_view kTrue[] = {"t", "T", "true", "True", "TRUE"};
  static constexpr std::string_view kFalse[] = {"f", "F", "false", "False", "FALSE"};
  for (std::string_view t : kTrue) {
    if (v == t) return *out = true, true;
  }
  for (std::string_view f : kFalse) {
    if (v == f) return *out = false, true;
  }
  return false;
}

Status ParseFieldValue(std::string_view text, const std::string& key, FieldValue* out) {
  const Status bad =
      Status::InvalidArgument("invalid field value \"" + Shown(text) + "\" of \"" + Shown(key) +
                              "\" (expected a number, 42i, 42u, a boolean or a \"string\")");
  if (text.empty()) return bad;
  const char* b = text.data();
  const char* e = text.data() + text.size();
  if (text.back() == 'i') {
    out->kind = FieldValue::Kind::kInt;
    auto r = std::from_chars(b, e - 1, out->i);
    if (r.ec == std::errc::result_out_of_range) {
      return Status::InvalidArgument("integer field \"" + Shown(key) + "\" value \"" + Shown(text) +
                                     "\" is out of range for int64");
    }
    if (r.ec != std::errc() || r.ptr != e - 1 || b == e - 1) return bad;
    return Status::Ok();
  }
  if (text.back() == 'u') {
    out->kind = FieldValue::Kind::kUint;
    auto r = std::from_chars(b, e - 1, out->u);
    if (r.ec == std::errc::result_out_of_range) {
      return Status::InvalidArgument("unsigned field \"" + Shown(key) + "\" value \"" +
                                     Shown(text) + "\" is out of range for uint64");
    }
    if (r.ec != std::errc() || r.ptr != e - 1 || b == e - 1) return bad;
    return Status::Ok();
  }
  if (IsBool(text, &out->b)) {
    out->kind = FieldValue::Kind::kBool;
    return Status::Ok();
  }
  out->kind = FieldValue::Kind::kFloat;
  const char* start = b;
  if (*start == '+') ++start;  // Influx accepts a leading '+'
  auto r = std::from_chars(start, e, out->f);
  if (r.ec != std::errc() || r.ptr != e || start == e || !std::isfinite(out->f) ||
      !(std::isdigit(static_cast<unsigned char>(*start)) || *start == '-' || *start == '.')) {
    return bad;
  }
  return Status::Ok();
}

Result<Timestamp> ParseTimestamp(std::string_view text, Precision precision) {
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return Status::InvalidArgument("invalid timestamp \"" + Shown(text) +
                                   "\" (expected an integer in the request's precision)");
  }
  int64_t scale = precision == Precision::kNanoseconds    ? 1
                  : precision == Precision::kMicroseconds ? 1'000
                  : precision == Precision::kMilliseconds ? 1'000'000
                                                          : 1'000'000'000;
  if (v > std::numeric_limits<int64_t>::max() / scale ||
      v < std::numeric_limits<int64_t>::min() / scale) {
    return Status::InvalidArgument("timestamp \"" + Shown(text) + "\" out of range");
  }
  return v * scale;
}

}  // namespace

bool ParsePrecision(std::string_view text, Precision* out) {
  if (text.empty() || text == "ns" || text == "n") {
    *out = Precision::kNanoseconds;
  } else if (text == "us" || text == "u") {
    *out = Precision::kMicroseconds;
  } else if (text == "ms") {
    *out = Precision::kMilliseconds;
  } else if (text == "s") {
    *out = Precision::kSeconds;
  } else {
    return false;
  }
  return true;
}

std::string MetricName(std::string_view measurement, std::string_view field) {
  std::string out(measurement);
  out.push_back('_');
  out.append(field);
  return out;
}

Status ParseInfluxLine(std::string_view line, Precision precision, Timestamp now,
                       InfluxPoint* out) {
  out->tags.clear();
  out->fields.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t pos = 0;
  out->measurement = ReadToken(line, &pos, ", ", ", \\");
  if (out->measurement.empty()) return Status::InvalidArgument("missing measurement");
  while (pos < line.size() && line[pos] == ',') {
    ++pos;
    std::string key = ReadToken(line, &pos, "=, ", ",= \\");
    if (pos >= line.size() || line[pos] != '=') {
      return Status::InvalidArgument("tag \"" + Shown(key) + "\": missing '=' and value");
    }
    ++pos;
    std::string value = ReadToken(line, &pos, ", ", ",= \\");
    if (key.empty() || value.empty()) {
      return Status::InvalidArgument("tag \"" + Shown(key) + "\" has an empty key or value");
    }
    out->tags.push_back({std::move(key), std::move(value)});
  }
  if (pos >= line.size() || line[pos] != ' ') {
    return Status::InvalidArgument("measurement \"" + Shown(out->measurement) + "\" has no fields");
  }
  while (pos < line.size() && line[pos] == ' ') ++pos;
  for (;;) {
    std::string key = ReadToken(line, &pos, "= ,", ",= \\");
    if (key.empty() || pos >= line.size() || line[pos] != '=') {
      return Status::InvalidArgument("field \"" + Shown(key) + "\": expected key=value");
    }
    ++pos;
    Field field;
    field.key = std::move(key);
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      std::string s;
      bool closed = false;
      while (pos < line.size()) {
        char c = line[pos++];
        if (c == '\\' && pos < line.size() && (line[pos] == '"' || line[pos] == '\\')) {
          s.push_back(line[pos++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          s.push_back(c);
        }
      }
      if (!closed) {
        return Status::InvalidArgument("field \"" + Shown(field.key) +
                                       "\": unterminated string value");
      }
      field.value.kind = FieldValue::Kind::kString;
      field.value.s = std::move(s);
    } else {
      size_t start = pos;
      while (pos < line.size() && line[pos] != ',' && line[pos] != ' ') ++pos;
      NANOTDB_RETURN_IF_ERROR(
          ParseFieldValue(line.substr(start, pos - start), field.key, &field.value));
    }
    out->fields.push_back(std::move(field));
    if (pos < line.size() && line[pos] == ',') {
      ++pos;
      continue;
    }
    break;
  }
  while (pos < line.size() && line[pos] == ' ') ++pos;
  if (pos == line.size()) {
    out->ts = now;
    return Status::Ok();
  }
  std::string_view ts = line.substr(pos);
  while (!ts.empty() && ts.back() == ' ') ts.remove_suffix(1);
  NANOTDB_ASSIGN_OR_RETURN(out->ts, ParseTimestamp(ts, precision));
  return Status::Ok();
}

}  // namespace nanotdb::influx
