#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace nanotdb {
namespace {

// Bit-at-a-time reference: the definition the table and hardware paths must match.
uint32_t BitwiseCrc32c(std::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0);
  }
  return crc ^ 0xffffffffu;
}

TEST(Crc32cTest, MatchesPublishedCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32cTest, MatchesRfc3720Vectors) {
  std::string zeros(32, '\0');
  std::string ones(32, '\xff');
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, PortableAndAcceleratedAgreeOnEveryLengthAndAlignment) {
  std::mt19937 rng(42);
  std::string buf(300, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; len + start <= buf.size(); len += 7) {
      std::string_view piece(buf.data() + start, len);
      uint32_t expected = BitwiseCrc32c(piece);
      ASSERT_EQ(Crc32cExtendPortable(0, piece), expected) << start << "+" << len;
      ASSERT_EQ(Crc32c(piece), expected) << start << "+" << len;
    }
  }
}

TEST(Crc32cTest, ExtendEqualsChecksumOfConcatenation) {
  std::string a = "hello ", b = "world, this spans more than eight bytes";
  EXPECT_EQ(Crc32cExtend(Crc32c(a), b), Crc32c(a + b));
  EXPECT_EQ(Crc32cExtendPortable(Crc32cExtendPortable(0, a), b), Crc32c(a + b));
}

TEST(Crc32cTest, SingleBitFlipChangesChecksum) {
  std::string data(64, 'x');
  uint32_t base = Crc32c(data);
  for (size_t i = 0; i < data.size() * 8; ++i) {
    std::string flipped = data;
    flipped[i / 8] = static_cast<char>(flipped[i / 8] ^ (1 << (i % 8)));
    ASSERT_NE(Crc32c(flipped), base) << "bit " << i;
  }
}

}  // namespace
}  // namespace nanotdb
