#include "storage/frame.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <vector>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/repair_code.h"

namespace nanotdb {
namespace {

uint64_t Bits64(double v) { return std::bit_cast<uint64_t>(v); }

constexpr Timestamp kStart = 1767225600000000000;  // 2026-01-01T00:00:00Z

struct Column {
  MetricId id;
  ValueType type;
  std::vector<Sample> samples;
};

std::vector<ColumnInput> Inputs(const std::vector<Column>& cols) {
  std::vector<ColumnInput> in;
  for (const Column& c : cols) in.push_back(ColumnInput{c.id, c.type, c.samples});
  return in;
}

// Three metrics sharing one jittered timestamp column, one with its own timestamps.
std::vector<Column> HostColumns(int n) {
  std::mt19937 rng(1);
  std::vector<Timestamp> ts;
  for (int i = 0; i < n; ++i) ts.push_back(kStart + i * 10 * kNanosPerSecond + rng() % 5000000);
  Column temp{7, ValueType::kFloat64, {}}, rx{3, ValueType::kInt64, {}},
      load{12, ValueType::kFloat64, {}}, odd{5, ValueType::kFloat64, {}};
  uint32_t counter = 0;
  for (int i = 0; i < n; ++i) {
    temp.samples.push_back({ts[i], Bits64(40.0f + (rng() % 100) / 10.0f)});
    rx.samples.push_back({ts[i], counter += rng() % 100000});
    load.samples.push_back({ts[i], Bits64((rng() % 400) / 100.0f)});
    odd.samples.push_back({ts[i] + 333, Bits64(static_cast<float>(rng()))});
  }
  return {temp, rx, load, odd};
}

std::string Encode(const std::vector<Column>& cols, int level = 3, bool repair_bytes = true) {
  std::string out;
  auto in = Inputs(cols);
  FrameOptions opts;
  opts.zstd_level = level;
  opts.repair_bytes = repair_bytes;
  Status s = EncodeFrame(in, opts, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(FrameTest, EveryColumnRoundTripsAndTheHeaderDescribesIt) {
  const auto cols = HostColumns(720);
  const std::string frame = Encode(cols);
  auto h = ParseFrameHeader(frame);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->frame_bytes, frame.size());
  EXPECT_EQ(h->samples, 4u * 720);
  EXPECT_EQ(h->raw_bytes, 16u * 4 * 720);
  EXPECT_EQ(h->columns.size(), 4u);
  EXPECT_EQ(h->ts_blocks.size(), 2u);  // three metrics share one timestamp block
  EXPECT_EQ(h->codec, "zstd");
  EXPECT_EQ(h->min_ts, cols[0].samples.front().ts);
  EXPECT_EQ(h->max_ts, cols[3].samples.back().ts);
  for (const Column& c : cols) {
    const FrameColumnInfo* info = h->Find(c.id);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->type, c.type);
    EXPECT_EQ(info->count, c.samples.size());
    EXPECT_EQ(info->min_ts, c.samples.front().ts);
    EXPECT_EQ(info->max_ts, c.samples.back().ts);
    std::vector<Sample> back;
    ASSERT_TRUE(DecodeFrameColumn(frame, *h, c.id, &back).ok());
    EXPECT_EQ(back, c.samples);
  }
  std::vector<Sample> none;
  EXPECT_TRUE(DecodeFrameColumn(frame, *h, 99, &none).IsNotFound());
}

TEST(FrameTest, AdversarialColumnsRoundTrip) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<Column> cols = {
      {1, ValueType::kInt64, {{kMinTimestamp, 0x80000000u}}},
      {2,
       ValueType::kFloat64,
       {{-5, Bits64(-0.0f)}, {-5, Bits64(nan)}, {-5, 1u}, {kMaxTimestamp, Bits64(-1e30f)}}},
      {3, ValueType::kInt64, {{0, 0x7fffffffu}, {0, 0x80000000u}, {1, 0xffffffffu}}},
  };
  for (int level : {1, 3, 19}) {
    const std::string frame = Encode(cols, level);
    auto h = ParseFrameHeader(frame);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(h->min_ts, kMinTimestamp);
    EXPECT_EQ(h->max_ts, kMaxTimestamp);
    for (const Column& c : cols) {
      std::vector<Sample> back;
      ASSERT_TRUE(DecodeFrameColumn(frame, *h, c.id, &back).ok());
      EXPECT_EQ(back, c.samples);
    }
  }
}

TEST(FrameTest, RandomFramesRoundTrip) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 50; ++round) {
    std::vector<Column> cols(1 + rng() % 20);
    MetricId id = 1;
    for (Column& c : cols) {
      c.id = id += 1 + rng() % 3;
      c.type = rng() % 2 ? ValueType::kInt64 : ValueType::kFloat64;
      Timestamp t = static_cast<Timestamp>(rng() % 1000000000000);
      for (size_t i = 0, n = 1 + rng() % 200; i < n; ++i) {
        t += static_cast<Timestamp>(rng() % 3 == 0 ? 0 : rng() % 100000000000);
        c.samples.push_back({t, (static_cast<uint64_t>(rng()) << 32 | rng())});
      }
    }
    std::shuffle(cols.begin(), cols.end(), rng);
    const std::string frame = Encode(cols);
    auto h = ParseFrameHeader(frame);
    ASSERT_TRUE(h.ok());
    for (const Column& c : cols) {
      std::vector<Sample> back;
      ASSERT_TRUE(DecodeFrameColumn(frame, *h, c.id, &back).ok());
      EXPECT_EQ(back, c.samples);
    }
  }
}

TEST(FrameTest, EncodeAppendsAfterExistingBytes) {
  const auto cols = HostColumns(10);
  std::string out = "prefix";
  auto in = Inputs(cols);
  ASSERT_TRUE(EncodeFrame(in, FrameOptions{}, &out).ok());
  auto h = ParseFrameHeader(std::string_view(out).substr(6));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->frame_bytes + 6, out.size());
}

TEST(FrameTest, InvalidInputIsRejectedNamingTheMetric) {
  std::string out;
  EXPECT_TRUE(EncodeFrame({}, FrameOptions{}, &out).IsInvalidArgument());
  std::vector<Column> unsorted = {{4, ValueType::kInt64, {{10, 1}, {9, 2}}}};
  Status s = EncodeFrame(Inputs(unsorted), FrameOptions{}, &out);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("metric id 4"), std::string::npos) << s.message();
  std::vector<Column> empty = {{6, ValueType::kInt64, {}}};
  EXPECT_TRUE(EncodeFrame(Inputs(empty), FrameOptions{}, &out).IsInvalidArgument());
  std::vector<Column> dup = {{2, ValueType::kInt64, {{1, 1}}}, {2, ValueType::kInt64, {{1, 1}}}};
  s = EncodeFrame(Inputs(dup), FrameOptions{}, &out);
  EXPECT_NE(s.message().find("metric id 2 appears twice"), std::string::npos) << s.message();
  EXPECT_TRUE(out.empty());
}

TEST(FrameTest, HeaderNeedsOnlyItsOwnBytes) {
  const std::string frame = Encode(HostColumns(100));
  auto h = ParseFrameHeader(frame);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(ParseFrameHeader(std::string_view(frame).substr(0, h->header_bytes)).ok());
  for (size_t n = 0; n < h->header_bytes; ++n) {
    EXPECT_TRUE(ParseFrameHeader(std::string_view(frame).substr(0, n)).status().IsCorruption())
        << n;
  }
}

// Flips every bit of a small frame in turn: the header CRC or a block CRC must catch it, and
// whatever still decodes must be exactly the original samples.
TEST(FrameTest, WithoutRepairBytesEveryFlippedBitIsDetectedAndNeverYieldsWrongSamples) {
  const auto cols = HostColumns(6);
  const std::string frame = Encode(cols, 3, /*repair_bytes=*/false);
  for (size_t byte = 0; byte < frame.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = frame;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      auto h = ParseFrameHeader(bad, /*repair_bytes=*/false);
      if (!h.ok()) {
        EXPECT_TRUE(h.status().IsCorruption());
        continue;
      }
      int failures = 0;
      for (const Column& c : cols) {
        std::vector<Sample> back;
        Status s = DecodeFrameColumn(bad, *h, c.id, &back);
        if (s.ok()) {
          EXPECT_EQ(back, c.samples) << "byte " << byte << " bit " << bit;
        } else {
          EXPECT_TRUE(s.IsCorruption());
          EXPECT_NE(s.message().find("metric id " + std::to_string(c.id)), std::string::npos);
          ++failures;
        }
      }
      EXPECT_GE(failures, 1) << "byte " << byte << " bit " << bit;
    }
  }
}

// A crafted frame can carry a valid header CRC over a nonsense directory: parsing must still
// bound every offset and count, and decoding must fail cleanly rather than crash.
TEST(FrameTest, NonsenseDirectoryUnderAValidChecksumIsHandled) {
  const auto cols = HostColumns(40);
  const std::string frame = Encode(cols);
  const uint32_t header_bytes = ParseFrameHeader(frame)->header_bytes;
  std::mt19937 rng(21);
  int parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string bad = frame;
    for (int flips = 1 + rng() % 2; flips > 0; --flips) {
      bad[4 + rng() % (header_bytes - 8)] ^= static_cast<char>(1 << (rng() % 8));
    }
    const uint32_t declared = DecodeFixed32(bad.data() + 8);
    if (declared < 16 || declared > bad.size()) continue;
    EncodeFixed32(&bad[declared - 4], Crc32c(std::string_view(bad).substr(0, declared - 4)));
    auto h = ParseFrameHeader(bad);
    if (!h.ok()) continue;
    ++parsed;
    for (const FrameColumnInfo& c : h->columns) {
      std::vector<Sample> out;
      Status s = DecodeFrameColumn(bad, *h, c.id, &out);
      if (s.ok()) EXPECT_EQ(out.size(), c.count);
    }
  }
  EXPECT_GT(parsed, 0);
}

// With repair bytes (version 3), any one flipped bit is repaired: the header parses and every
// column decodes to its samples. Only the header length is beyond repair (it locates the
// repair bytes); a flip there is detected.
TEST(FrameTest, WithRepairBytesEveryFlippedBitIsRepaired) {
  const auto cols = HostColumns(6);
  const std::string frame = Encode(cols);
  for (size_t byte = 0; byte < frame.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = frame;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      auto h = ParseFrameHeader(bad);
      if (byte >= 8 && byte < 12) {
        EXPECT_FALSE(h.ok()) << "byte " << byte << " bit " << bit;
        continue;
      }
      ASSERT_TRUE(h.ok()) << "byte " << byte << " bit " << bit << ": " << h.status().ToString();
      uint32_t repaired = h->repaired_bytes;
      for (const Column& c : cols) {
        std::vector<Sample> back;
        Status s = DecodeFrameColumn(bad, *h, c.id, &back, &repaired);
        ASSERT_TRUE(s.ok()) << "byte " << byte << " bit " << bit << ": " << s.ToString();
        EXPECT_EQ(back, c.samples) << "byte " << byte << " bit " << bit;
      }
      EXPECT_LE(repaired, cols.size())
          << "byte " << byte << " bit " << bit;  // a shared block counts per column
    }
  }
}

TEST(FrameTest, CorruptValueBlockFailsOnlyItsMetric) {
  for (bool repair : {false, true}) {
    const auto cols = HostColumns(100);
    std::string frame = Encode(cols, 3, repair);
    auto h = ParseFrameHeader(frame, repair);
    ASSERT_TRUE(h.ok());
    const FrameColumnInfo* rx = h->Find(3);
    // Two damaged bytes in one repair codeword: beyond repair.
    const size_t at = rx->values.offset + rx->values.stored_len / 2;
    frame[at] ^= 0x10;
    frame[at + RepairBytes(rx->values.stored_len) / 2] ^= 0x04;
    for (const Column& c : cols) {
      std::vector<Sample> back;
      Status s = DecodeFrameColumn(frame, *h, c.id, &back);
      EXPECT_EQ(s.ok(), c.id != 3) << s.ToString();
    }
  }
}

TEST(FrameTest, RepairBytesCostAboutOnePercent) {
  const auto cols = HostColumns(720);
  const size_t with = Encode(cols).size(), without = Encode(cols, 3, false).size();
  EXPECT_GT(with, without);
  EXPECT_LT(with, without + without / 50) << with << " vs " << without;
}

}  // namespace
}  // namespace nanotdb
