#include "nanotdb/vm_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace nanotdb::vm {

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendSeconds(std::string* out, Timestamp ts) {
  // Exact decimal text of ts/1e9; a double would lose the nanoseconds of current dates.
  uint64_t magnitude = ts < 0 ? 0 - static_cast<uint64_t>(ts) : static_cast<uint64_t>(ts);
  if (ts < 0) out->push_back('-');
  uint64_t frac = magnitude % kNanosPerSecond;
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, magnitude / kNanosPerSecond);
  out->append(buf, res.ptr);
  if (frac == 0) return;
  char digits[9];
  for (int i = 8; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int len = 9;
  while (digits[len - 1] == '0') --len;
  out->push_back('.');
  out->append(digits, len);
}

void AppendComputedValue(std::string* out, double v) {
  out->push_back('"');
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[400];  // fixed notation of the largest double needs 309 digits
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    out->append(buf, res.ptr);
  }
  out->push_back('"');
}

namespace {

// "<whole>[.<fraction>]<unit>" for value/unit, the fraction trimmed as Go prints it.
std::string FractionalUnit(int64_t value, int64_t unit, const char* suffix) {
  std::string out = std::to_string(value / unit);
  int64_t frac = value % unit;
  if (frac != 0) {
    std::string digits = std::to_string(unit + frac).substr(1);  // zero-padded to unit's width
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + suffix;
}

}  // namespace

std::string GoDurationString(int64_t ns) {
  if (ns <= 0) return "0s";
  if (ns < 1000) return std::to_string(ns) + "ns";
  if (ns < 1'000'000) return FractionalUnit(ns, 1000, "µs");
  if (ns < kNanosPerSecond) return FractionalUnit(ns, 1'000'000, "ms");
  constexpr int64_t kMinuteNs = 60 * kNanosPerSecond;
  constexpr int64_t kHourNs = 60 * kMinuteNs;
  std::string out;
  if (ns >= kHourNs) out += std::to_string(ns / kHourNs) + "h";
  if (ns >= kMinuteNs) out += std::to_string(ns % kHourNs / kMinuteNs) + "m";
  return out + FractionalUnit(ns % kMinuteNs, kNanosPerSecond, "s");
}

void BeginSuccess(std::string* out) { out->append("{\"status\":\"success\",\"data\":"); }

void EndSuccess(std::string* out) { out->append("}\n"); }

void RespondSuccess(HttpResponse& resp, std::string_view data_json) {
  resp.status = 200;
  resp.content_type = "application/json";
  resp.body.clear();
  resp.body.reserve(data_json.size() + 40);
  BeginSuccess(&resp.body);
  resp.body.append(data_json);
  EndSuccess(&resp.body);
}

void RespondError(HttpResponse& resp, int http_status, std::string_view error_type,
                  std::string_view message) {
  resp.status = http_status;
  resp.content_type = "application/json";
  resp.body = "{\"status\":\"error\",\"errorType\":";
  AppendJsonString(&resp.body, error_type);
  resp.body.append(",\"error\":");
  AppendJsonString(&resp.body, message);
  resp.body.append("}\n");
}

}  // namespace nanotdb::vm
