// The data model shared by storage, query, plugins and tools.
//
// A database holds metrics; a metric is a named stream of samples (timestamp, value) whose value
// type is fixed at its first write: int64 or float64, both stored bit for bit. Timestamps are
// Unix nanoseconds, UTC.
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

// Numeric codes are part of the on-disk formats (catalog, WAL, frames): never renumber.
// kInt32 and kFloat32 are the 4-byte types of format version 1: still read from old files
// (widened exactly to kInt64 / kFloat64 as they are read), never written or held in memory.
enum class ValueType : uint8_t { kInt32 = 1, kFloat32 = 2, kInt64 = 3, kFloat64 = 4 };

const char* ValueTypeName(ValueType t);  // "int32" / "float32" / "int64" / "float64"
bool ParseValueType(std::string_view name, ValueType* out);
// The 64-bit type a stored 4-byte type is read as (int32 -> int64, float32 -> float64); a
// 64-bit type maps to itself.
constexpr ValueType WidenType(ValueType t) {
  return t == ValueType::kInt32     ? ValueType::kInt64
         : t == ValueType::kFloat32 ? ValueType::kFloat64
                                    : t;
}
constexpr bool IsIntegerType(ValueType t) {
  return t == ValueType::kInt32 || t == ValueType::kInt64;
}

// How a stored float32 becomes a float64: the double nearest to the decimal that NanoTDB
// printed for it when values were 4 bytes (the shortest fixed notation that reads back as the
// float32: 21.15f -> 21.15, not 21.149999618530273; 218927056f -> 218927056). Old float32
// data therefore reads back as the numbers it was shown and exported as. NaN and infinities
// keep their class (NaN payloads are not kept).
double WidenFloat32(float f);

// A typed value. `bits` holds the int64 two's complement or the IEEE-754 binary64 bit pattern
// (for the legacy 4-byte types, the int32 / binary32 pattern in the low 32 bits).
struct Value {
  ValueType type = ValueType::kFloat64;
  uint64_t bits = 0;

  static Value Int64(int64_t v) {
    Value out;
    out.type = ValueType::kInt64;
    std::memcpy(&out.bits, &v, 8);
    return out;
  }
  static Value Float64(double v) {
    Value out;
    out.type = ValueType::kFloat64;
    std::memcpy(&out.bits, &v, 8);
    return out;
  }
  int64_t AsInt64() const {
    if (type == ValueType::kInt32) return static_cast<int32_t>(static_cast<uint32_t>(bits));
    if (type == ValueType::kFloat32 || type == ValueType::kFloat64) {
      return static_cast<int64_t>(AsFloat64());  // callers check the type; defined for finite
    }
    int64_t v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  double AsFloat64() const {
    if (type == ValueType::kFloat32) {
      const auto b = static_cast<uint32_t>(bits);
      float f;
      std::memcpy(&f, &b, 4);
      return WidenFloat32(f);
    }
    if (IsIntegerType(type)) return static_cast<double>(AsInt64());
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  // The value as a double, whatever its type (int64 beyond 2^53 rounds to nearest).
  double AsDouble() const { return AsFloat64(); }
  // The same value in its 64-bit type (exact); 64-bit values are returned unchanged.
  Value Widened() const {
    if (type == ValueType::kInt32) return Int64(AsInt64());
    if (type == ValueType::kFloat32) return Float64(AsFloat64());
    return *this;
  }
};

// One stored sample. Its value type is the metric's type (known from the catalog); 16 bytes.
struct Sample {
  Timestamp ts = 0;
  uint64_t bits = 0;
  bool operator==(const Sample&) const = default;
};
static_assert(sizeof(Sample) == 16);

using MetricId = uint32_t;  // 1-based, assigned in order of first write, never reused

// Name rules (see docs/concepts.md). Both return OK or InvalidArgument naming the problem.
class Status;
Status ValidateDatabaseName(std::string_view name);
Status ValidateMetricName(std::string_view name);
inline constexpr size_t kMaxDatabaseNameBytes = 64;
inline constexpr size_t kMaxMetricNameBytes = 255;
inline constexpr std::string_view kInternalDatabase = "internal";

// Canonical text of a value: integers as decimal; floats as the shortest decimal that parses
// back to the same bits: without exponent when 1e-7 <= |v| < 1e21 ("21.5", "1000000",
// "0.001", "1796196412"), else in exponent form ("1e+21", "5e-324"); "NaN", "+Inf", "-Inf";
// "-0" for negative zero. Legacy 4-byte values are formatted as their widened value.
std::string FormatValue(Value v);

// Parses the canonical float text (and any decimal or exponent form std::from_chars accepts,
// plus "NaN", "Inf", "+Inf", "-Inf", case-insensitive) into a double. False (with *error
// saying why: "not a number", "out of range for float64") when the whole of `text` is not
// one finite-or-special number; underflow to a subnormal or zero is accepted as rounded.
bool ParseFloat64(std::string_view text, double* out, std::string* error);
// Parses a decimal integer (optional sign) into int64; false with *error ("out of range for
// int64 (-9223372036854775808..9223372036854775807)", "not an integer") otherwise.
bool ParseInt64(std::string_view text, int64_t* out, std::string* error);

}  // namespace nanotdb
