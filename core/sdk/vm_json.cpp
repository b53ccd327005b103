#include "nanotdb/vm_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

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

char* WriteSeconds(char* p, Timestamp ts) {
  // Exact decimal text of ts/1e9; a double would lose the nanoseconds of current dates.
  uint64_t magnitude = ts < 0 ? 0 - static_cast<uint64_t>(ts) : static_cast<uint64_t>(ts);
  if (ts < 0) *p++ = '-';
  uint64_t frac = magnitude % kNanosPerSecond;
  p = std::to_chars(p, p + 20, magnitude / kNanosPerSecond).ptr;
  if (frac == 0) return p;
  // Nine fraction digits without the trailing zeros: the significant ones, zero-padded on the
  // left (scraped and collected timestamps mostly carry all nine).
  int len = 9;
  while (frac % 10 == 0) {
    frac /= 10;
    --len;
  }
  char digits[9];
  const int n = static_cast<int>(std::to_chars(digits, digits + sizeof digits, frac).ptr - digits);
  *p++ = '.';
  std::memset(p, '0', static_cast<size_t>(len - n));
  std::memcpy(p + (len - n), digits, static_cast<size_t>(n));
  return p + len;
}

void AppendSeconds(std::string* out, Timestamp ts) {
  char buf[kMaxSecondsChars];
  out->append(buf, WriteSeconds(buf, ts));
}

namespace {

constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
// Below this, n / 10^k for an integer n has an ulp under half of 10^-k, so at most one decimal
// with k fraction digits reads back as a given double.
constexpr double kExactBelow = 1125899906842624.0;  // 2^50

// Stored samples are mostly short decimals ("37.125"): find the fewest fraction digits k whose
// decimal reads back as v and print it with integer arithmetic. std::to_chars' shortest fixed
// form is that same text (fewest digits; unique at this magnitude), so the answer does not
// depend on which path printed it; anything else goes to std::to_chars.
char* WriteShortDecimal(char* p, double v) {
  const double a = std::fabs(v);
  for (int k = 0; k < 10; ++k) {
    const double scaled = a * kPow10[k];
    if (scaled >= kExactBelow) break;
    // Any integer near `scaled` will do, since the division below checks it: a truncating
    // conversion is inline, where std::nearbyint is a library call on baseline x86-64.
    const uint64_t digits = static_cast<uint64_t>(scaled + 0.5);
    if (static_cast<double>(digits) / kPow10[k] != a) continue;
    if (v < 0) *p++ = '-';
    const uint64_t scale = static_cast<uint64_t>(kPow10[k]);
    p = std::to_chars(p, p + 20, digits / scale).ptr;
    if (k == 0) return p;
    *p++ = '.';
    uint64_t frac = digits % scale;
    for (int i = k - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    return p + k;
  }
  return std::to_chars(p, p + kMaxValueChars, v, std::chars_format::fixed).ptr;
}

}  // namespace

char* WriteValue(char* p, double v) {
  if (std::isnan(v)) return std::copy_n("NaN", 3, p);
  if (std::isinf(v)) return std::copy_n(v > 0 ? "+Inf" : "-Inf", 4, p);
  if (v == 0) return std::signbit(v) ? std::copy_n("-0", 2, p) : std::copy_n("0", 1, p);
  return WriteShortDecimal(p, v);
}

char* WriteStoredValue(char* p, Value v) {
  if (IsIntegerType(v.type)) return std::to_chars(p, p + 20, v.AsInt64()).ptr;
  const double d = v.AsFloat64();
  const double mag = std::fabs(d);
  // FormatValue's exponent form beyond plain notation's short range; NaN and infinities fail
  // the comparison and go to WriteValue, as zero does.
  if (mag != 0 && (mag < 1e-7 || mag >= 1e21) && std::isfinite(d)) {
    return std::to_chars(p, p + kMaxValueChars, d, std::chars_format::scientific).ptr;
  }
  return WriteValue(p, d);
}

void AppendComputedValue(std::string* out, double v) {
  char buf[kMaxValueChars + 2];
  buf[0] = '"';
  char* end = WriteValue(buf + 1, v);
  *end++ = '"';
  out->append(buf, end);
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
