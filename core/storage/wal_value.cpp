#include "storage/wal_value.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#include "base/coding.h"

namespace nanotdb {
namespace {

unsigned BytesNeeded(uint64_t v) { return v == 0 ? 0 : (64 - std::countl_zero(v) + 7) / 8; }

void PutBytesLe(std::string* out, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

bool GetBytesLe(std::string_view* in, unsigned n, uint64_t* v) {
  if (in->size() < n) return false;
  uint64_t out = 0;
  for (unsigned i = 0; i < n; ++i) {
    out |= static_cast<uint64_t>(static_cast<uint8_t>((*in)[i])) << (8 * i);
  }
  in->remove_prefix(n);
  *v = out;
  return true;
}

bool Truncated(std::string* why) {
  *why = "truncated value";
  return false;
}

// ---- Format version 2: 64-bit patterns ----
//
//   0        unchanged, no bytes
//   1..8     XOR with prev, the low `kind` bytes of the XOR
//   9..15    XOR with prev, the high `kind - 8` bytes of the XOR (its low bytes are zero)
//   16..23   prev + unzigzag(payload), `kind - 15` bytes (wrapping 64-bit add)
//   24..47   decimal: scale = (kind - 24) / 4 (0..5), len = (kind - 24) % 4 + 1; the value is
//            double(S) / 10^scale with S = llround(double(prev) * 10^scale) + unzigzag(payload)
//   48..63   invalid
constexpr unsigned kSame = 0;
constexpr unsigned kXorLowFirst = 1;
constexpr unsigned kXorHighFirst = 9;
constexpr unsigned kDeltaFirst = 16;
constexpr unsigned kDecimalFirst = 24;
constexpr unsigned kDecimalScales = 6;
constexpr unsigned kDecimalMaxLen = 4;
constexpr unsigned kEnd = kDecimalFirst + kDecimalScales * kDecimalMaxLen;  // 48
static_assert(kEnd <= (1u << kWalKindBits));

constexpr double kPow10[kDecimalScales] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5};
// |prev * 10^scale| bound: llround is defined and S + delta cannot overflow.
constexpr double kMaxScaled = 1e15;

bool ScaledDecimal(uint64_t bits, unsigned scale, int64_t* out) {
  const double v = std::bit_cast<double>(bits) * kPow10[scale];
  if (!std::isfinite(v) || std::fabs(v) > kMaxScaled) return false;
  *out = std::llround(v);
  return true;
}

uint64_t FromScaledDecimal(int64_t scaled, unsigned scale) {
  return std::bit_cast<uint64_t>(static_cast<double>(scaled) / kPow10[scale]);
}

// ---- Format version 1: 32-bit patterns ----
//
//   0        unchanged
//   1..10    XOR with prev, shape kXorShapesV1[kind - 1] = (shift, len) in bytes
//   11..14   prev + unzigzag32(payload), kind - 10 bytes (wrapping 32-bit add)
//   15..26   decimal: scale = (kind - 15) / 3 (0..3), len = (kind - 15) % 3 + 1; the value is
//            float(double(S) / 10^scale), S = llround(double(float(prev)) * 10^scale) + delta
struct XorShape {
  uint8_t shift, len;
};
constexpr XorShape kXorShapesV1[10] = {{0, 1}, {0, 2}, {0, 3}, {0, 4}, {1, 1},
                                       {1, 2}, {1, 3}, {2, 1}, {2, 2}, {3, 1}};
constexpr unsigned kXorFirstV1 = 1;
constexpr unsigned kDeltaFirstV1 = 11;
constexpr unsigned kDecimalFirstV1 = 15;
constexpr unsigned kEndV1 = 27;

bool ScaledDecimalV1(uint32_t bits, unsigned scale, int64_t* out) {
  const double v = static_cast<double>(std::bit_cast<float>(bits)) * kPow10[scale];
  if (!std::isfinite(v) || std::fabs(v) > kMaxScaled) return false;
  *out = std::llround(v);
  return true;
}

}  // namespace

void PutWalValue(uint64_t control_high, uint64_t prev, uint64_t bits, std::string* out) {
  const uint64_t control = control_high << kWalKindBits;
  if (bits == prev) {
    PutVarint64(out, control | kSame);
    return;
  }
  const uint64_t x = bits ^ prev;
  unsigned best_len = 8 - static_cast<unsigned>(std::countl_zero(x)) / 8;
  unsigned best_kind = kXorLowFirst + best_len - 1;
  uint64_t best_payload = x;
  const unsigned low_zero_bytes = static_cast<unsigned>(std::countr_zero(x)) / 8;
  if (low_zero_bytes > 0 && 8 - low_zero_bytes < best_len) {
    best_len = 8 - low_zero_bytes;
    best_kind = kXorHighFirst + best_len - 1;
    best_payload = x >> (8 * low_zero_bytes);
  }
  const uint64_t delta = ZigZagEncode64(static_cast<int64_t>(bits - prev));
  if (BytesNeeded(delta) < best_len) {
    best_len = BytesNeeded(delta);
    best_kind = kDeltaFirst + best_len - 1;
    best_payload = delta;
  }
  // The first scale at which the value is an exact decimal is the only one worth trying: at
  // the next scale its integer is ten times larger while prev's moves by at most 5 more, so the
  // difference never shrinks (it is already 0 when it could not grow).
  int64_t from, to;
  for (unsigned scale = 0; scale < kDecimalScales && best_len > 1; ++scale) {
    if (!ScaledDecimal(bits, scale, &to)) break;  // larger scales are out of range too
    if (FromScaledDecimal(to, scale) != bits) continue;
    if (ScaledDecimal(prev, scale, &from)) {
      const uint64_t code = ZigZagEncode64(to - from);
      const unsigned len = std::max(1u, BytesNeeded(code));
      if (len <= kDecimalMaxLen && len < best_len) {
        best_len = len;
        best_kind = kDecimalFirst + kDecimalMaxLen * scale + len - 1;
        best_payload = code;
      }
    }
    break;
  }
  PutVarint64(out, control | best_kind);
  PutBytesLe(out, best_payload, best_len);
}

bool GetWalValue(unsigned kind, uint64_t prev, std::string_view* in, uint64_t* bits,
                 std::string* why) {
  uint64_t raw;
  if (kind == kSame) {
    *bits = prev;
  } else if (kind < kXorHighFirst) {
    if (!GetBytesLe(in, kind - kXorLowFirst + 1, &raw)) return Truncated(why);
    *bits = prev ^ raw;
  } else if (kind < kDeltaFirst) {
    const unsigned len = kind - kXorHighFirst + 1;
    if (!GetBytesLe(in, len, &raw)) return Truncated(why);
    *bits = prev ^ (raw << (8 * (8 - len)));
  } else if (kind < kDecimalFirst) {
    if (!GetBytesLe(in, kind - kDeltaFirst + 1, &raw)) return Truncated(why);
    *bits = prev + static_cast<uint64_t>(ZigZagDecode64(raw));
  } else if (kind < kEnd) {
    const unsigned scale = (kind - kDecimalFirst) / kDecimalMaxLen;
    int64_t from;
    if (!GetBytesLe(in, (kind - kDecimalFirst) % kDecimalMaxLen + 1, &raw)) return Truncated(why);
    if (!ScaledDecimal(prev, scale, &from)) {
      *why = "decimal after a non-decimal";
      return false;
    }
    *bits = FromScaledDecimal(from + ZigZagDecode64(raw), scale);
  } else {
    *why = "unknown value kind " + std::to_string(kind);
    return false;
  }
  return true;
}

bool GetWalValueV1(unsigned kind, uint64_t prev64, std::string_view* in, uint64_t* bits,
                   std::string* why) {
  const auto prev = static_cast<uint32_t>(prev64);
  uint64_t raw;
  uint32_t out = prev;
  if (kind >= kXorFirstV1 && kind < kDeltaFirstV1) {
    const XorShape& shape = kXorShapesV1[kind - kXorFirstV1];
    if (!GetBytesLe(in, shape.len, &raw)) return Truncated(why);
    out = prev ^ static_cast<uint32_t>(raw << (8 * shape.shift));
  } else if (kind >= kDeltaFirstV1 && kind < kDecimalFirstV1) {
    if (!GetBytesLe(in, kind - kDeltaFirstV1 + 1, &raw)) return Truncated(why);
    const auto zz = static_cast<uint32_t>(raw);
    out =
        prev + static_cast<uint32_t>(static_cast<int32_t>(zz >> 1) ^ -static_cast<int32_t>(zz & 1));
  } else if (kind >= kDecimalFirstV1 && kind < kEndV1) {
    const unsigned scale = (kind - kDecimalFirstV1) / 3;
    int64_t from;
    if (!GetBytesLe(in, (kind - kDecimalFirstV1) % 3 + 1, &raw)) return Truncated(why);
    if (!ScaledDecimalV1(prev, scale, &from)) {
      *why = "decimal after a non-decimal";
      return false;
    }
    out = std::bit_cast<uint32_t>(
        static_cast<float>(static_cast<double>(from + ZigZagDecode64(raw)) / kPow10[scale]));
  } else if (kind != 0) {
    *why = "unknown value kind " + std::to_string(kind);
    return false;
  }
  *bits = out;
  return true;
}

}  // namespace nanotdb
