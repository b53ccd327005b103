// The data model shared by storage, query, plugins and tools.
//
// A database holds metrics; a metric is a named stream of samples (timestamp, value) whose value
// type is fixed at its first write: int32 or float32. Timestamps are Unix nanoseconds, UTC.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

namespace nanotdb {

using Timestamp = int64_t;  // Unix nanoseconds, UTC
inline constexpr Timestamp kMinTimestamp = std::numeric_limits<int64_t>::min();
inline constexpr Timestamp kMaxTimestamp = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Numeric codes are part of the on-disk formats (catalog, WAL): never renumber.
enum class ValueType : uint8_t { kInt32 = 1, kFloat32 = 2 };

const char* ValueTypeName(ValueType t);  // "int32" / "float32"
bool ParseValueType(std::string_view name, ValueType* out);

// A typed 4-byte value. `bits` holds the int32 or the IEEE-754 float32 bit pattern.
struct Value {
  ValueType type = ValueType::kFloat32;
  uint32_t bits = 0;

  static Value Int32(int32_t v) {
    Value out;
    out.type = ValueType::kInt32;
    std::memcpy(&out.bits, &v, 4);
    return out;
  }
  static Value Float32(float v) {
    Value out;
    out.type = ValueType::kFloat32;
    std::memcpy(&out.bits, &v, 4);
    return out;
  }
  int32_t AsInt32() const {
    int32_t v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  float AsFloat32() const {
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  double AsDouble() const {
    return type == ValueType::kInt32 ? static_cast<double>(AsInt32())
                                     : static_cast<double>(AsFloat32());
  }
};

// One stored sample. Its value type is the metric's type (known from the catalog).
struct Sample {
  Timestamp ts = 0;
  uint32_t bits = 0;
  bool operator==(const Sample&) const = default;
};

using MetricId = uint32_t;  // 1-based, assigned in order of first write, never reused

// Name rules (see docs/concepts.md). Both return OK or InvalidArgument naming the problem.
class Status;
Status ValidateDatabaseName(std::string_view name);
Status ValidateMetricName(std::string_view name);
inline constexpr size_t kMaxDatabaseNameBytes = 64;
inline constexpr size_t kMaxMetricNameBytes = 255;
inline constexpr std::string_view kInternalDatabase = "internal";

// Canonical text of a value: int32 as decimal; float32 as the shortest decimal that round-trips
// float32, without exponent ("21.5", "1000000", "0.001").
std::string FormatValue(Value v);

}  // namespace nanotdb
