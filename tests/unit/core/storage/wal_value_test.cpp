// The WAL's value coding: every pattern decodes to itself, and the encoder picks the fewest
// bytes, checked against an exhaustive search of every kind.
#include "storage/wal_value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "base/coding.h"

namespace nanotdb {
namespace {

unsigned Bytes(uint64_t v) { return v == 0 ? 0 : (64 - std::countl_zero(v) + 7) / 8; }

// The fewest payload bytes any kind of format version 2 needs (docs/format/wal.md), trying
// every decimal scale, not only the first exact one.
unsigned FewestBytes(uint64_t prev, uint64_t bits) {
  if (bits == prev) return 0;
  const uint64_t x = bits ^ prev;
  unsigned best = std::min(Bytes(x), 8 - static_cast<unsigned>(std::countr_zero(x)) / 8);
  best = std::min(best, Bytes(ZigZagEncode64(static_cast<int64_t>(bits - prev))));
  for (unsigned scale = 0; scale < 6; ++scale) {
    const double p10 = std::pow(10.0, scale);
    const double a = std::bit_cast<double>(prev) * p10, b = std::bit_cast<double>(bits) * p10;
    if (!std::isfinite(a) || !std::isfinite(b) || std::fabs(a) > 1e15 || std::fabs(b) > 1e15) {
      continue;
    }
    const int64_t to = std::llround(b);
    if (std::bit_cast<uint64_t>(static_cast<double>(to) / p10) != bits) continue;
    const unsigned len = std::max(1u, Bytes(ZigZagEncode64(to - std::llround(a))));
    if (len <= 4) best = std::min(best, len);
  }
  return best;
}

void RoundTrip(uint64_t prev, uint64_t bits) {
  std::string out;
  PutWalValue(3, prev, bits, &out);
  std::string_view in = out;
  uint64_t control = 0;
  ASSERT_TRUE(GetVarint64(&in, &control));
  EXPECT_EQ(control >> kWalKindBits, 3u);
  const size_t payload = in.size();
  uint64_t got = 0;
  std::string why;
  ASSERT_TRUE(GetWalValue(control & ((1u << kWalKindBits) - 1), prev, &in, &got, &why)) << why;
  EXPECT_EQ(got, bits) << std::bit_cast<double>(prev) << " -> " << std::bit_cast<double>(bits);
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(payload, FewestBytes(prev, bits))
      << std::bit_cast<double>(prev) << " -> " << std::bit_cast<double>(bits);
}

TEST(WalValueTest, DecimalsOfEveryScaleTakeTheFewestBytes) {
  std::mt19937_64 rng(7);
  for (int scale = 0; scale <= 7; ++scale) {
    const double p10 = std::pow(10.0, scale);
    std::uniform_int_distribution<int64_t> mant(-2'000'000, 2'000'000), step(-300, 300);
    for (int i = 0; i < 20000; ++i) {
      const int64_t m = mant(rng);
      const double prev = static_cast<double>(m) / p10;
      const double next = static_cast<double>(m + step(rng)) / p10;
      RoundTrip(std::bit_cast<uint64_t>(prev), std::bit_cast<uint64_t>(next));
    }
  }
}

TEST(WalValueTest, ArbitraryPatternsIntegersAndSpecialsRoundTrip) {
  std::mt19937_64 rng(11);
  std::vector<double> specials = {0.0, -0.0, 1e300, -1e300, 5e-324, INFINITY,     -INFINITY,
                                  NAN, 1e15, 1e16,  0.1,    0.3,    123456789.125};
  for (double a : specials) {
    for (double b : specials) RoundTrip(std::bit_cast<uint64_t>(a), std::bit_cast<uint64_t>(b));
  }
  for (int i = 0; i < 50000; ++i) {
    const uint64_t a = rng(), b = i % 2 ? rng() : a ^ (rng() >> (rng() % 64));
    RoundTrip(a, b);  // float64 patterns of every kind, NaN payloads included
    const int64_t n = static_cast<int64_t>(rng() % 2'000'000) - 1'000'000;
    RoundTrip(static_cast<uint64_t>(n), static_cast<uint64_t>(n + static_cast<int64_t>(i % 97)));
  }
  for (int i = 0; i < 20000; ++i) {
    const double a = std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    RoundTrip(std::bit_cast<uint64_t>(a), std::bit_cast<uint64_t>(a * 1.0001));
  }
}

}  // namespace
}  // namespace nanotdb
