// The metric file's column codecs: one series' timestamps or values as an entropy-coded
// residual stream, and back. Byte layout: docs/format/metric-file.md ("Integer stream",
// "Value block").
//
// Every value becomes a 64-bit integer first (its domain: int64 as it is; float64 as a scaled
// decimal, as the float32 it was printed from, or as its bit pattern in an order-preserving
// map), then a predictor (order 0, 1 or 2 differences) leaves residuals, which are divided by
// their greatest common divisor, centred on their median and coded with rANS (rans.h) under
// tables conditioned on the previous residual's size. The encoder picks the domain, order and
// number of contexts that code smallest. Every bit pattern round-trips (NaN payloads, -0,
// subnormals, infinities, int64 extremes).
//
// Pure and thread-safe. Decoders return Corruption (never crash, never read outside `in`)
// when the bytes do not decode to exactly `count` items.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/types.h"
#include "widen.h"  // FastWidenFloat32

namespace nanotdb::metricfiles {

// How the values of a block were mapped to integers (the block's first byte).
enum class ValueDomain : uint8_t {
  kInteger = 0,  // int64 as it is
  kDecimal = 1,  // float64 = x / 10^k (one IEEE division), x an integer, |x| <= 2^53
  kFloat32 = 2,  // float64 = WidenFloat32(f): x is f's bit pattern, order-preserving
  kBits = 3,     // float64 bit pattern, order-preserving
};

// A sequence of integers (any values, wrapping arithmetic) as an integer stream.
void EncodeIntegers(std::span<const uint64_t> x, std::string* out);
Status DecodeIntegers(std::string_view in, size_t count, std::vector<uint64_t>* out);

// Timestamps (any order) as an integer stream.
void EncodeTimes(std::span<const Timestamp> ts, std::string* out);
Status DecodeTimes(std::string_view in, size_t count, std::vector<Timestamp>* out);

// Values (Sample::bits) of a series of `type` (kInt64 or kFloat64) as a value block: the
// domain byte, for kDecimal the exponent byte, then an integer stream.
void EncodeValues(ValueType type, std::span<const uint64_t> bits, std::string* out);
Status DecodeValues(ValueType type, std::string_view in, size_t count, std::vector<uint64_t>* out);

// The domain EncodeValues picks for these values (tests, inspection).
ValueDomain ChooseDomain(ValueType type, std::span<const uint64_t> bits);
// The domain of an encoded value block; false for an empty or unknown one.
bool BlockDomain(std::string_view block, ValueDomain* domain);
const char* DomainName(ValueDomain d);  // "int", "decimal", "float32", "bits"

// The order-0 entropy, in bits, of the residuals of the best transform EncodeValues considers
// (each domain, each predictor order, divided by their divisor): the figure an order-0 coder
// of whole residual values could reach at best, for benchmarks.
double BestOrder0EntropyBits(ValueType type, std::span<const uint64_t> bits);

}  // namespace nanotdb::metricfiles
