#include "nanotdb/int128.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

namespace nanotdb {
namespace {

// The portable types are what the 32-bit ARM builds use; here they are checked against the
// compiler's own 128-bit integers, operation by operation, on edge values and random ones.
#if defined(__SIZEOF_INT128__)
using Native = __int128;
using NativeU = unsigned __int128;

PortableUInt128 ToPortable(NativeU v) {
  return PortableUInt128::FromParts(static_cast<uint64_t>(v >> 64), static_cast<uint64_t>(v));
}
NativeU ToNative(PortableUInt128 v) { return (NativeU{v.high()} << 64) | v.low(); }
PortableInt128 ToPortable(Native v) { return PortableInt128{ToPortable(static_cast<NativeU>(v))}; }
Native ToNative(PortableInt128 v) {
  return static_cast<Native>(ToNative(static_cast<PortableUInt128>(v)));
}

std::vector<NativeU> Operands() {
  const NativeU max = ~NativeU{0};
  std::vector<NativeU> v = {0,
                            1,
                            2,
                            3,
                            7,
                            10,
                            0xffffffff,
                            0x100000000,
                            std::numeric_limits<uint64_t>::max(),
                            NativeU{1} << 64,
                            (NativeU{1} << 64) + 1,
                            NativeU{1} << 127,
                            (NativeU{1} << 127) - 1,
                            max,
                            max - 1,
                            static_cast<NativeU>(static_cast<Native>(-1'000'000'007)),
                            static_cast<NativeU>(std::numeric_limits<int64_t>::min()),
                            static_cast<NativeU>(Native{std::numeric_limits<int64_t>::max()})};
  std::mt19937_64 rng(20261203);
  for (int i = 0; i < 300; ++i) {
    const uint64_t hi = rng(), lo = rng();
    const int shape = i % 4;  // full width, 64-bit, small, negative small
    if (shape == 0) v.push_back((NativeU{hi} << 64) | lo);
    if (shape == 1) v.push_back(lo);
    if (shape == 2) v.push_back(lo % 100000);
    if (shape == 3) v.push_back(static_cast<NativeU>(-static_cast<Native>(lo % 100000)));
  }
  return v;
}

TEST(Int128Test, PortableUnsignedMatchesBuiltIn) {
  const std::vector<NativeU> ops = Operands();
  for (NativeU a : ops) {
    const PortableUInt128 pa = ToPortable(a);
    EXPECT_EQ(ToNative(~pa), ~a);
    EXPECT_EQ(ToNative(-pa), -a);
    for (int s : {0, 1, 31, 32, 63, 64, 65, 100, 127}) {
      EXPECT_EQ(ToNative(pa << s), a << s) << s;
      EXPECT_EQ(ToNative(pa >> s), a >> s) << s;
    }
    for (NativeU b : ops) {
      const PortableUInt128 pb = ToPortable(b);
      ASSERT_EQ(ToNative(pa + pb), a + b);
      ASSERT_EQ(ToNative(pa - pb), a - b);
      ASSERT_EQ(ToNative(pa * pb), a * b);
      ASSERT_EQ(ToNative(pa & pb), a & b);
      ASSERT_EQ(ToNative(pa | pb), a | b);
      ASSERT_EQ(ToNative(pa ^ pb), a ^ b);
      ASSERT_EQ(pa < pb, a < b);
      ASSERT_EQ(pa == pb, a == b);
      ASSERT_EQ(pa >= pb, a >= b);
      if (b != 0) {
        ASSERT_EQ(ToNative(pa / pb), a / b);
        ASSERT_EQ(ToNative(pa % pb), a % b);
      }
    }
  }
}

TEST(Int128Test, PortableSignedMatchesBuiltIn) {
  const std::vector<NativeU> bits = Operands();
  for (NativeU ua : bits) {
    const Native a = static_cast<Native>(ua);
    const PortableInt128 pa = ToPortable(a);
    EXPECT_EQ(ToNative(-pa), static_cast<Native>(-ua));
    for (int s : {0, 1, 63, 64, 65, 126}) EXPECT_EQ(ToNative(pa >> s), a >> s) << s;
    EXPECT_EQ(static_cast<int64_t>(pa), static_cast<int64_t>(a));
    EXPECT_EQ(static_cast<uint64_t>(pa), static_cast<uint64_t>(a));
    for (NativeU ub : bits) {
      const Native b = static_cast<Native>(ub);
      const PortableInt128 pb = ToPortable(b);
      ASSERT_EQ(ToNative(pa + pb), static_cast<Native>(ua + ub));
      ASSERT_EQ(ToNative(pa - pb), static_cast<Native>(ua - ub));
      ASSERT_EQ(ToNative(pa * pb), static_cast<Native>(ua * ub));
      ASSERT_EQ(pa < pb, a < b);
      ASSERT_EQ(pa > pb, a > b);
      ASSERT_EQ(pa == pb, a == b);
      const Native min = static_cast<Native>(NativeU{1} << 127);
      if (b != 0 && !(a == min && b == -1)) {  // the built-in overflows there
        ASSERT_EQ(ToNative(pa / pb), a / b);
        ASSERT_EQ(ToNative(pa % pb), a % b);
      }
    }
  }
}
#endif

TEST(Int128Test, PortableConversionsExtendAsTheBuiltInDoes) {
  EXPECT_EQ(PortableInt128{int64_t{-1}}, PortableInt128{-1});
  EXPECT_LT(PortableInt128{-1}, PortableInt128{0});
  // An unsigned 64-bit value is zero-extended, a negative signed one sign-extended.
  EXPECT_GT(PortableInt128{std::numeric_limits<uint64_t>::max()}, PortableInt128{0});
  EXPECT_EQ(PortableUInt128{-1}.high(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(PortableUInt128{uint32_t{7}}.high(), 0u);
  EXPECT_EQ(static_cast<int64_t>(PortableInt128{std::numeric_limits<int64_t>::min()} - 1),
            std::numeric_limits<int64_t>::max());  // the low 64 bits, as a cast keeps them
  EXPECT_TRUE(static_cast<bool>(PortableUInt128::FromParts(1, 0)));
  EXPECT_FALSE(static_cast<bool>(PortableUInt128{0}));
}

TEST(Int128Test, PortableArithmeticIsConstexpr) {
  constexpr PortableUInt128 kTen19 = PortableUInt128{10'000'000'000} * 1'000'000'000;
  static_assert(kTen19 > std::numeric_limits<uint64_t>::max() / 2);
  static_assert((kTen19 * 1000) / 1000 == kTen19);  // 10^22 needs more than 64 bits
  static_assert((kTen19 * 1000).high() == 542);
  constexpr PortableInt128 kNeg = PortableInt128{-7} / 2;
  static_assert(kNeg == -3 && PortableInt128{-7} % 2 == -1);
  // The day number of 2262-04-12 (beyond int64 nanoseconds) times a day, compared with int64.
  constexpr PortableInt128 kPastEnd = PortableInt128{106752} * (86400 * int64_t{1'000'000'000});
  static_assert(kPastEnd > std::numeric_limits<int64_t>::max());
  EXPECT_EQ(static_cast<uint64_t>(kTen19 % 7), 10'000'000'000'000'000'000u % 7);
}

}  // namespace
}  // namespace nanotdb
