#include "server/gzip.h"

#include <gtest/gtest.h>

namespace nanotdb::server {
namespace {

TEST(GzipTest, RoundTripsText) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "cpu.temp " + std::to_string(i) + "\n";
  std::string compressed = GzipCompress(text);
  EXPECT_LT(compressed.size(), text.size());
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);  // gzip magic
  std::string out;
  bool too_large = true;
  ASSERT_TRUE(GzipDecompress(compressed, 1 << 20, &out, &too_large).ok());
  EXPECT_FALSE(too_large);
  EXPECT_EQ(out, text);
}

TEST(GzipTest, ConcatenatedMembersAreAllDecompressed) {
  std::string both = GzipCompress("first\n") + GzipCompress("second\n");
  std::string out;
  bool too_large = false;
  ASSERT_TRUE(GzipDecompress(both, 1024, &out, &too_large).ok());
  EXPECT_EQ(out, "first\nsecond\n");
}

TEST(GzipTest, TruncatedStreamIsAnError) {
  std::string compressed = GzipCompress(std::string(10000, 'q'));
  compressed.resize(compressed.size() / 2);
  std::string out;
  bool too_large = false;
  Status st = GzipDecompress(compressed, 1 << 20, &out, &too_large);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_FALSE(too_large);
}

TEST(GzipTest, OutputLimitStopsDecompression) {
  std::string out;
  bool too_large = false;
  Status st = GzipDecompress(GzipCompress(std::string(100000, 'a')), 1000, &out, &too_large);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(too_large);
  EXPECT_LE(out.size(), 1000u);
}

TEST(GzipTest, InflaterTakesTheStreamByteByByte) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "mem " + std::to_string(i) + "\n";
  std::string compressed = GzipCompress(text) + GzipCompress("tail\n");
  GzipInflater inflater(1 << 20);
  std::string out;
  bool too_large = false;
  for (char c : compressed) {
    ASSERT_TRUE(inflater.Feed(std::string_view(&c, 1), &out, &too_large).ok());
  }
  EXPECT_TRUE(inflater.Finish().ok());
  EXPECT_EQ(out, text + "tail\n");
}

TEST(GzipTest, InflaterReportsAStreamCutInsideAMember) {
  std::string compressed = GzipCompress(std::string(5000, 'q'));
  GzipInflater inflater(1 << 20);
  std::string out;
  bool too_large = false;
  ASSERT_TRUE(inflater.Feed(std::string_view(compressed).substr(0, 10), &out, &too_large).ok());
  EXPECT_TRUE(inflater.Finish().IsInvalidArgument());
}

}  // namespace
}  // namespace nanotdb::server
