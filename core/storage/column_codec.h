// Column codecs: how one column of a frame (the timestamps of a metric, or its values) becomes
// bytes and back. Used by frame.cpp; the byte layout is documented in docs/format/data-file.md.
//
// Every encoder appends an uncompressed block body to *out and cannot fail; the frame decides
// whether to zstd it. Every decoder is given the exact body and the sample count from the
// frame directory, bound-checks every read, and returns Corruption (never crashes, never reads
// past `in`) when the bytes do not decode to exactly `count` items.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

// First byte of every block body: which layout follows. Part of the on-disk format. Codes 2..4
// hold the 4-byte types of format version 1 and are only read (widened exactly as they are);
// the encoder writes 5..7.
enum class BlockEncoding : uint8_t {
  kTimestamps = 1,      // delta(-of-delta) of timestamps divided by a power of ten
  kInt32Delta = 2,      // int32 values, zigzag residuals of order 0..2 (mod 2^32)
  kFloatDecimal = 3,    // float32 values scaled by 10^k to integers, zigzag residuals
  kFloatXor = 4,        // float32 values, Gorilla XOR bit stream
  kInt64Delta = 5,      // int64 values, zigzag residuals of order 0..2 (mod 2^64)
  kFloat64Decimal = 6,  // float64 values scaled by 10^k to integers, zigzag residuals
  kFloat64Xor = 7,      // float64 values, Gorilla XOR bit stream
};

// Timestamps of one column (any order, any values; sorted input compresses best).
void EncodeTimestamps(std::span<const Sample> samples, std::string* out);
Status DecodeTimestamps(std::string_view in, size_t count, std::vector<Timestamp>* out);

// Values of one column of a 64-bit type (kInt64 or kFloat64; `bits` is Sample::bits): the
// smallest of EncodeValueCandidates' bodies (the first on a tie).
void EncodeValues(ValueType type, std::span<const Sample> samples, std::string* out);
// Every body that encodes the column: int64 one (kInt64Delta); float64 kFloat64Decimal when
// the values are short decimals, then kFloat64Xor. The frame keeps whichever is smallest
// after compression (raw size misjudges: 1-bit XOR repeats lose to zstd'd zero residuals).
void EncodeValueCandidates(ValueType type, std::span<const Sample> samples,
                           std::vector<std::string>* bodies);
// Decodes a column stored with `type` (any of the four) and appends its values as the bits of
// WidenType(type): an int32 column yields sign-extended int64s, a float32 column the exactly
// equal float64s.
Status DecodeValues(ValueType type, std::string_view in, size_t count, std::vector<uint64_t>* out);

// The largest decimal exponent the float64 decimal encoding uses.
inline constexpr int kMaxDecimalExponent = 15;

// The smallest k in 0..kMaxDecimalExponent such that every float64 in `double_bits`,
// multiplied by 10^k, is an integer x (|x| <= 2^53) with double(x) / 10^k having the same
// bits; -1 when there is none (NaN, infinities, -0.0, or values with more decimals). Exposed
// for tests.
int FindDecimalExponent(std::span<const uint64_t> double_bits);

// Which encoding EncodeValues picked for this column (for tests, benchmarks and inspection).
BlockEncoding ChooseValueEncoding(ValueType type, std::span<const Sample> samples);

}  // namespace nanotdb
