// FastWidenFloat32 against the definition (WidenFloat32: to_chars in fixed notation, then
// from_chars), and the CRC-32C implementations against each other.
#include "widen.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include "bytes.h"
#include "nanotdb/types.h"

namespace nanotdb::metricfiles {
namespace {

// Counts the floats whose fast widening differs from the definition (NaNs compare as NaN).
uint64_t Mismatches(uint32_t bits, std::string* first) {
  const float f = std::bit_cast<float>(bits);
  const double fast = FastWidenFloat32(f), text = WidenFloat32(f);
  if (std::isnan(fast) && std::isnan(text)) return 0;
  if (std::bit_cast<uint64_t>(fast) == std::bit_cast<uint64_t>(text)) return 0;
  if (first->empty()) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "float bits %08x (%.9g): fast %.17g, text %.17g", bits, f, fast,
                  text);
    *first = buf;
  }
  return 1;
}

// Every 4099th bit pattern (about a million floats of every exponent and both signs); with
// NANOTDB_WIDEN_EXHAUSTIVE=1 every one of the 2^32 (minutes).
TEST(WidenTest, FastWideningEqualsTheDefinitionAcrossAllFloats) {
  const char* env = std::getenv("NANOTDB_WIDEN_EXHAUSTIVE");
  const uint64_t stride = env != nullptr && std::string(env) == "1" ? 1 : 4099;
  uint64_t bad = 0;
  std::string first;
  for (uint64_t b = 0; b < (uint64_t{1} << 32); b += stride) {
    bad += Mismatches(static_cast<uint32_t>(b), &first);
  }
  EXPECT_EQ(bad, 0u) << first;
}

// Where shortest-decimal printing has its edge cases: floats next to powers of two (the
// rounding interval is lopsided there), next to short decimals (ties between two candidates,
// interval ends exactly on a decimal), integers, and the smallest and largest magnitudes.
TEST(WidenTest, FastWideningEqualsTheDefinitionAtTheEdges) {
  uint64_t bad = 0;
  std::string first;
  auto around = [&](float f) {
    const uint32_t b = std::bit_cast<uint32_t>(f);
    for (int64_t d = -4; d <= 4; ++d) {
      const int64_t v = static_cast<int64_t>(b) + d;
      if (v < 0 || v > UINT32_MAX) continue;
      bad += Mismatches(static_cast<uint32_t>(v), &first);
      bad += Mismatches(static_cast<uint32_t>(v) ^ 0x80000000u, &first);
    }
  };
  for (int e = -149; e <= 127; ++e) around(std::ldexp(1.0f, e));
  for (int e = -45; e <= 38; ++e) {
    for (int d = 1; d <= 999; ++d) around(static_cast<float>(d * std::pow(10.0, e - 3)));
  }
  for (int i = 0; i <= 1 << 16; ++i) around(static_cast<float>(i) / 64);
  around(0.0f);
  around(std::numeric_limits<float>::max());
  around(std::numeric_limits<float>::min());
  around(std::numeric_limits<float>::denorm_min());
  EXPECT_EQ(bad, 0u) << first;
  EXPECT_EQ(FastWidenFloat32(21.15f), 21.15);
  EXPECT_EQ(FastWidenFloat32(218927056.0f), 218927056.0);
  EXPECT_EQ(FastWidenFloat32(0.1f), 0.1);
  EXPECT_EQ(FastWidenFloat32(-63.21457f), -63.21457);
  EXPECT_TRUE(std::signbit(FastWidenFloat32(-0.0f)));
  EXPECT_TRUE(std::isinf(FastWidenFloat32(-std::numeric_limits<float>::infinity())));
}

TEST(CrcTest, HardwareAndTableCrcAgree) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value
  EXPECT_EQ(Crc32cPortable("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  std::mt19937_64 rng(3);
  std::string data;
  for (int len = 0; len < 300; ++len) {
    EXPECT_EQ(Crc32c(data), Crc32cPortable(data)) << len;
    EXPECT_EQ(Crc32c(std::string_view(data).substr(len % 7), 0x1234567u),
              Crc32cPortable(std::string_view(data).substr(len % 7), 0x1234567u));
    data.push_back(static_cast<char>(rng()));
  }
  // Chained: the CRC of a whole is the CRC of its second part seeded with the first's.
  EXPECT_EQ(
      Crc32c(std::string_view(data).substr(100), Crc32c(std::string_view(data).substr(0, 100))),
      Crc32c(data));
}

}  // namespace
}  // namespace nanotdb::metricfiles
