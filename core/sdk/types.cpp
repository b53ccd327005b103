#include "nanotdb/types.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "nanotdb/status.h"

namespace nanotdb {

const char* ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kInt32:
      return "int32";
    case ValueType::kFloat32:
      return "float32";
    case ValueType::kInt64:
      return "int64";
    case ValueType::kFloat64:
      return "float64";
  }
  return "unknown";
}

bool ParseValueType(std::string_view name, ValueType* out) {
  for (ValueType t :
       {ValueType::kInt32, ValueType::kFloat32, ValueType::kInt64, ValueType::kFloat64}) {
    if (name == ValueTypeName(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

Status ValidateDatabaseName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("database name cannot be empty");
  if (name.size() > kMaxDatabaseNameBytes) {
    return Status::InvalidArgument("database name \"" + std::string(name) + "\" too long (max " +
                                   std::to_string(kMaxDatabaseNameBytes) + " bytes)");
  }
  if (name == "." || name == "..") {
    return Status::InvalidArgument("invalid database name \"" + std::string(name) + "\": reserved");
  }
  if (name[0] == '.' || name[0] == '-') {
    return Status::InvalidArgument("invalid database name \"" + std::string(name) +
                                   "\": first character must be a letter, digit or '_'");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) {
      std::string shown = (c >= 0x20 && c < 0x7f) ? std::string(1, static_cast<char>(c))
                                                  : "\\x" + std::to_string(c);
      return Status::InvalidArgument(
          "invalid database name \"" + std::string(name) + "\": character \"" + shown +
          "\" at position " + std::to_string(i) + " (allowed: letters, digits, '_', '-', '.')");
    }
  }
  return Status::Ok();
}

Status ValidateMetricName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("metric name cannot be empty");
  if (name.size() > kMaxMetricNameBytes) {
    return Status::InvalidArgument("metric name \"" + std::string(name.substr(0, 32)) +
                                   "...\" too long (" + std::to_string(name.size()) +
                                   " bytes, max " + std::to_string(kMaxMetricNameBytes) + ")");
  }
  for (unsigned char c : name) {
    if (c == '/') {
      return Status::InvalidArgument("invalid metric name \"" + std::string(name) +
                                     "\": '/' separates database and metric and cannot be used "
                                     "in a metric name");
    }
    if (c <= 0x20 || c == 0x7f) {
      return Status::InvalidArgument("invalid metric name \"" + std::string(name) +
                                     "\": whitespace and control characters are not allowed");
    }
  }
  return Status::Ok();
}

double WidenFloat32(float f) {
  if (!std::isfinite(f)) return static_cast<double>(f);
  // The shortest fixed notation that reads back as f: exactly what FormatValue printed for a
  // float32 before values were 64-bit (e.g. "218927056", "21.15").
  char buf[64];
  const auto end = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed).ptr;
  double d = 0;
  std::from_chars(buf, end, d);
  return d;
}

std::string FormatValue(Value v) {
  if (IsIntegerType(v.type)) return std::to_string(v.AsInt64());
  const double d = v.AsFloat64();
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits; plain notation where it stays short (1e-7 <= |d| < 1e21, as
  // JavaScript prints numbers), exponent form beyond, where plain would be dozens of zeros.
  const double mag = std::fabs(d);
  const auto format = mag == 0 || (mag >= 1e-7 && mag < 1e21) ? std::chars_format::fixed
                                                              : std::chars_format::scientific;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, format);
  return std::string(buf, res.ptr);
}

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

bool ParseFloat64(std::string_view text, double* out, std::string* error) {
  std::string_view num = text;
  bool neg = false;
  if (!num.empty() && (num[0] == '+' || num[0] == '-')) {
    neg = num[0] == '-';
    num.remove_prefix(1);
  }
  if (EqualsIgnoreCase(num, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (EqualsIgnoreCase(num, "inf") || EqualsIgnoreCase(num, "infinity")) {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  // from_chars would also take "inf"/"nan" spellings and a second sign; both are handled above
  // or refused here, so only digits, '.', and an exponent reach it.
  if (num.empty() || !((num[0] >= '0' && num[0] <= '9') || num[0] == '.')) {
    *error = "not a number";
    return false;
  }
  double d = 0;
  const char* end = num.data() + num.size();
  auto [ptr, ec] = std::from_chars(num.data(), end, d, std::chars_format::general);
  if (ptr != end) {
    *error = "not a number";
    return false;
  }
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves d alone on overflow and on underflow alike; strtod (C locale, the
    // text is only digits, '.' and an exponent here) tells them apart and rounds a tiny value.
    const std::string copy(num);
    d = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(d)) {
      *error = "out of range for float64 (magnitude above 1.8e308)";
      return false;
    }
  }
  *out = neg ? -d : d;
  return true;
}

bool ParseInt64(std::string_view text, int64_t* out, std::string* error) {
  std::string_view digits = text;
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-') digits.remove_prefix(1);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || ptr != digits.data() + digits.size()) {
    *error = "not an integer";
    return false;
  }
  if (ec == std::errc::result_out_of_range) {
    *error = "out of range for int64 (-9223372036854775808..9223372036854775807)";
    return false;
  }
  *out = v;
  return true;
}

}  // namespace nanotdb
