#include "base/repair_code.h"

#include <gtest/gtest.h>

#include <random>

namespace nanotdb {
namespace {

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string Repair(std::string_view data) {
  std::string r;
  AppendRepairBytes(data, &r);
  return r;
}

TEST(RepairCodeTest, SizeIsTwoBytesPerCodewordOf253) {
  EXPECT_EQ(RepairBytes(0), 0u);
  EXPECT_EQ(RepairBytes(1), 2u);
  EXPECT_EQ(RepairBytes(253), 2u);
  EXPECT_EQ(RepairBytes(254), 4u);
  EXPECT_EQ(RepairBytes(29369), 2u * 117);
  EXPECT_EQ(Repair(RandomBytes(1000, 1)).size(), RepairBytes(1000));
}

TEST(RepairCodeTest, IntactDataNeedsNoRepair) {
  for (size_t n : {1u, 17u, 253u, 254u, 5000u}) {
    std::string data = RandomBytes(n, static_cast<uint32_t>(n));
    const std::string want = data;
    EXPECT_EQ(RepairInPlace(&data, Repair(data)), 0) << n;
    EXPECT_EQ(data, want);
  }
}

TEST(RepairCodeTest, EveryDamagedByteIsRepairedWhateverItsNewValue) {
  for (size_t n : {1u, 2u, 100u, 253u, 254u, 700u}) {
    const std::string want = RandomBytes(n, static_cast<uint32_t>(n) + 7);
    const std::string repair = Repair(want);
    for (size_t at = 0; at < n; ++at) {
      for (int x = 1; x < 256; x += (n > 300 ? 37 : 1)) {
        std::string bad = want;
        bad[at] = static_cast<char>(bad[at] ^ x);
        ASSERT_EQ(RepairInPlace(&bad, repair), 1) << "n=" << n << " at=" << at << " x=" << x;
        ASSERT_EQ(bad, want) << "n=" << n << " at=" << at << " x=" << x;
      }
    }
  }
}

TEST(RepairCodeTest, ADamagedRepairByteLeavesTheDataAlone) {
  const std::string want = RandomBytes(600, 3);
  const std::string repair = Repair(want);
  for (size_t at = 0; at < repair.size(); ++at) {
    std::string bad_repair = repair;
    bad_repair[at] = static_cast<char>(bad_repair[at] ^ 0x41);
    std::string data = want;
    EXPECT_EQ(RepairInPlace(&data, bad_repair), 0) << at;
    EXPECT_EQ(data, want) << at;
  }
}

TEST(RepairCodeTest, ARunOfOneDamagedBytePerCodewordIsRepaired) {
  const std::string want = RandomBytes(2000, 4);  // 8 codewords
  const std::string repair = Repair(want);
  const size_t m = repair.size() / 2;
  ASSERT_EQ(m, 8u);
  for (size_t start = 0; start + m <= want.size(); start += 97) {
    std::string bad = want;
    for (size_t i = start; i < start + m; ++i) bad[i] = static_cast<char>(~bad[i]);
    EXPECT_EQ(RepairInPlace(&bad, repair), static_cast<int>(m)) << start;
    EXPECT_EQ(bad, want) << start;
  }
}

TEST(RepairCodeTest, TwoDamagedBytesInOneCodewordAreBeyondRepair) {
  // Beyond the code's reach: whatever it does (at most one byte per codeword changes), the
  // data stays different from the intact bytes, so the caller's CRC rejects it.
  const std::string want = RandomBytes(200, 5);
  const std::string repair = Repair(want);
  for (size_t a = 0; a < want.size(); a += 7) {
    for (size_t b = a + 1; b < want.size(); b += 11) {
      std::string bad = want;
      bad[a] = static_cast<char>(bad[a] ^ 0x10);
      bad[b] = static_cast<char>(bad[b] ^ 0x01);
      RepairInPlace(&bad, repair);
      EXPECT_NE(bad, want) << a << "," << b;
    }
  }
}

TEST(RepairCodeTest, WrongSizedRepairIsRefused) {
  std::string data = RandomBytes(300, 6);
  EXPECT_EQ(RepairInPlace(&data, "ab"), -1);
}

}  // namespace
}  // namespace nanotdb
