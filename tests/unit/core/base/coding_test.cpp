#include "base/coding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace nanotdb {
namespace {

TEST(CodingTest, FixedWidthRoundTripIsLittleEndian) {
  std::string buf;
  PutFixed16(&buf, 0x0102);
  PutFixed32(&buf, 0x03040506u);
  PutFixed64(&buf, 0x0708090a0b0c0d0eull);
  ASSERT_EQ(buf.size(), 14u);
  EXPECT_EQ(buf[0], '\x02');
  EXPECT_EQ(buf[2], '\x06');
  EXPECT_EQ(buf[6], '\x0e');

  std::string_view in = buf;
  uint16_t a;
  uint32_t b;
  uint64_t c;
  ASSERT_TRUE(GetFixed16(&in, &a));
  ASSERT_TRUE(GetFixed32(&in, &b));
  ASSERT_TRUE(GetFixed64(&in, &c));
  EXPECT_EQ(a, 0x0102);
  EXPECT_EQ(b, 0x03040506u);
  EXPECT_EQ(c, 0x0708090a0b0c0d0eull);
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(GetFixed16(&in, &a));
}

TEST(CodingTest, EncodeFixedWritesInPlace) {
  char buf[12];
  EncodeFixed32(buf, 0xdeadbeefu);
  EncodeFixed64(buf + 4, 0x0123456789abcdefull);
  EXPECT_EQ(DecodeFixed32(buf), 0xdeadbeefu);
  EXPECT_EQ(DecodeFixed64(buf + 4), 0x0123456789abcdefull);
}

TEST(CodingTest, VarintRoundTripAtEveryLengthBoundary) {
  std::vector<uint64_t> values = {0,
                                  1,
                                  127,
                                  128,
                                  16383,
                                  16384,
                                  (1ull << 21) - 1,
                                  1ull << 21,
                                  (1ull << 35),
                                  (1ull << 63) - 1,
                                  1ull << 63,
                                  std::numeric_limits<uint64_t>::max()};
  std::string buf;
  for (uint64_t v : values) PutVarint64(&buf, v);
  std::string_view in = buf;
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
  std::string one;
  PutVarint64(&one, 127);
  EXPECT_EQ(one.size(), 1u);
  one.clear();
  PutVarint64(&one, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(one.size(), 10u);
}

TEST(CodingTest, TruncatedVarintFailsWithoutReadingPastEnd) {
  std::string buf;
  PutVarint64(&buf, 1ull << 40);
  for (size_t len = 0; len < buf.size(); ++len) {
    std::string_view in(buf.data(), len);
    uint64_t v;
    EXPECT_FALSE(GetVarint64(&in, &v)) << len;
  }
}

TEST(CodingTest, OverlongVarintIsRejected) {
  std::string eleven(10, '\xff');
  eleven.push_back('\x01');
  std::string_view in = eleven;
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
  std::string overflow(9, '\xff');
  overflow.push_back('\x02');  // the tenth byte may only carry one bit
  in = overflow;
  EXPECT_FALSE(GetVarint64(&in, &v));
}

TEST(CodingTest, Varint32RejectsValuesAbove32BitsAndKeepsCursor) {
  std::string buf;
  PutVarint64(&buf, 1ull << 32);
  std::string_view in = buf;
  uint32_t v;
  EXPECT_FALSE(GetVarint32(&in, &v));
  EXPECT_EQ(in.size(), buf.size());
  buf.clear();
  PutVarint32(&buf, 0xffffffffu);
  in = buf;
  ASSERT_TRUE(GetVarint32(&in, &v));
  EXPECT_EQ(v, 0xffffffffu);
}

TEST(CodingTest, ZigZagMapsSmallMagnitudesToSmallCodes) {
  EXPECT_EQ(ZigZagEncode64(0), 0u);
  EXPECT_EQ(ZigZagEncode64(-1), 1u);
  EXPECT_EQ(ZigZagEncode64(1), 2u);
  EXPECT_EQ(ZigZagEncode64(-2), 3u);
  for (int64_t v : {int64_t{0}, int64_t{-5}, int64_t{12345}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(ZigZagDecode64(ZigZagEncode64(v)), v);
  }
}

TEST(CodingTest, GetBytesTakesExactlyNOrFails) {
  std::string_view in = "abcdef";
  std::string_view out;
  ASSERT_TRUE(GetBytes(&in, 4, &out));
  EXPECT_EQ(out, "abcd");
  EXPECT_EQ(in, "ef");
  EXPECT_FALSE(GetBytes(&in, 3, &out));
}

}  // namespace
}  // namespace nanotdb
