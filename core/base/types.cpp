#include "nanotdb/types.h"

#include <charconv>
#include <cmath>
#include <string>

#include "nanotdb/status.h"

namespace nanotdb {

const char* ValueTypeName(ValueType t) { return t == ValueType::kInt32 ? "int32" : "float32"; }

bool ParseValueType(std::string_view name, ValueType* out) {
  if (name == "int32") {
    *out = ValueType::kInt32;
    return true;
  }
  if (name == "float32") {
    *out = ValueType::kFloat32;
    return true;
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

std::string FormatValue(Value v) {
  if (v.type == ValueType::kInt32) return std::to_string(v.AsInt32());
  float f = v.AsFloat32();
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

}  // namespace nanotdb
