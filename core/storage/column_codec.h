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

// First byte of every block body: which layout follows. Part of the on-disk format.
enum class BlockEncoding : uint8_t {
  kTimestamps = 1,    // delta(-of-delta) of timestamps divided by a power of ten
  kInt32Delta = 2,    // int32 values, zigzag residuals of order 0..2 (mod 2^32)
  kFloatDecimal = 3,  // float32 values scaled by 10^k to integers, zigzag residuals
  kFloatXor = 4,      // float32 values, Gorilla XOR bit stream
};

// Timestamps of one column (any order, any values; sorted input compresses best).
void EncodeTimestamps(std::span<const Sample> samples, std::string* out);
Status DecodeTimestamps(std::string_view in, size_t count, std::vector<Timestamp>* out);

// Values of one column of the given type; `bits` is Sample::bits.
void EncodeValues(ValueType type, std::span<const Sample> samples, std::string* out);
Status DecodeValues(ValueType type, std::string_view in, size_t count, std::vector<uint32_t>* out);

// The smallest k in 0..9 such that every float32 in `float_bits`, multiplied by 10^k, is an
// integer x (|x| <= 2^53) with float(double(x) / 10^k) having the same bits; -1 when there is
// none (NaN, infinities, -0.0, or values with more than 9 decimals). Exposed for tests.
int FindDecimalExponent(std::span<const uint32_t> float_bits);

// Which encoding EncodeValues picked for this column (for tests, benchmarks and inspection).
BlockEncoding ChooseValueEncoding(ValueType type, std::span<const Sample> samples);

}  // namespace nanotdb
