#include "series_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "rans.h"

namespace nanotdb::metricfiles {
namespace {

std::vector<uint64_t> RoundTripIntegers(const std::vector<uint64_t>& x) {
  std::string body;
  EncodeIntegers(x, &body);
  std::vector<uint64_t> out;
  Status st = DecodeIntegers(body, x.size(), &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

uint64_t D(double v) { return std::bit_cast<uint64_t>(v); }

TEST(RansTest, RandomSymbolsUnderContextsRoundTrip) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const size_t n = 1 + rng() % 5000;
    std::vector<uint8_t> symbols(n), contexts(n);
    std::array<std::array<uint32_t, kAlphabet>, kMaxContexts> counts{};
    const int spread = 1 + static_cast<int>(rng() % 256);
    for (size_t i = 0; i < n; ++i) {
      symbols[i] = static_cast<uint8_t>((rng() % spread) * (rng() % 2 ? 1 : 0));
      contexts[i] = static_cast<uint8_t>(rng() % kMaxContexts);
      ++counts[contexts[i]][symbols[i]];
    }
    std::array<FreqTable, kMaxContexts> tables;
    for (int c = 0; c < kMaxContexts; ++c) tables[c].Normalise(counts[c]);
    std::string stream;
    RansEncode(symbols, contexts, tables, &stream);
    RansDecoder dec(stream, tables);
    ASSERT_TRUE(dec.Init());
    for (size_t i = 0; i < n; ++i) {
      uint8_t s;
      ASSERT_TRUE(dec.Next(contexts[i], &s));
      ASSERT_EQ(s, symbols[i]) << i;
    }
    EXPECT_TRUE(dec.Done());
  }
}

TEST(RansTest, FrequencyTableRoundTripsAndRejectsBadSums) {
  std::array<uint32_t, kAlphabet> counts{};
  counts[0] = 1000000;
  counts[3] = 1;
  counts[255] = 7;
  FreqTable t;
  t.Normalise(counts);
  EXPECT_GE(t.freq[3], 1);
  std::string bytes;
  PutFreqTable(t, &bytes);
  FreqTable back;
  size_t pos = 0;
  ASSERT_TRUE(GetFreqTable(bytes, &pos, &back));
  EXPECT_EQ(back.freq, t.freq);
  EXPECT_EQ(pos, bytes.size());
  bytes.back() = static_cast<char>(bytes.back() + 1);  // the last frequency no longer sums
  pos = 0;
  EXPECT_FALSE(GetFreqTable(bytes, &pos, &back));
}

TEST(BitsTest, WriterAndReaderAgreeOnEveryWidth) {
  std::mt19937_64 rng(3);
  BitWriter w;
  std::vector<std::pair<uint64_t, int>> put;
  for (int i = 0; i < 2000; ++i) {
    const int width = static_cast<int>(rng() % 65);
    const uint64_t v = width == 64 ? rng() : rng() & ((uint64_t{1} << width) - 1);
    w.Put(v, width);
    put.push_back({v, width});
  }
  const std::string bytes = w.Finish();
  BitReader r(bytes);
  for (auto [v, width] : put) {
    uint64_t got;
    ASSERT_TRUE(r.Get(width, &got));
    ASSERT_EQ(got, v);
  }
  EXPECT_TRUE(r.AtEnd());
  uint64_t more;
  EXPECT_FALSE(r.Get(9, &more));
}

TEST(SeriesCodecTest, IntegersOfEveryShapeRoundTrip) {
  std::mt19937_64 rng(11);
  const uint64_t kMin = static_cast<uint64_t>(std::numeric_limits<int64_t>::min());
  std::vector<std::vector<uint64_t>> cases = {
      {}, {42}, {1, 2}, {kMin, ~kMin, 0, kMin, ~uint64_t{0}}, std::vector<uint64_t>(5000, 77),
  };
  std::vector<uint64_t> counter, noise, steps, wrapping;
  uint64_t c = 2147480000;
  for (int i = 0; i < 9000; ++i) {
    c += 4096 * (rng() % 9);
    counter.push_back(c);
    noise.push_back(rng());
    steps.push_back(21000 + 625 * (rng() % 12) / 10);  // few distinct values: ranks
    wrapping.push_back(static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(c))));
  }
  cases.push_back(counter);
  cases.push_back(noise);
  cases.push_back(steps);
  cases.push_back(wrapping);
  for (const auto& x : cases) EXPECT_EQ(RoundTripIntegers(x), x) << x.size();
}

// The decoder writes straight into the caller's vector, after what it already holds, and
// leaves it as it was when the stream is bad.
TEST(SeriesCodecTest, DecodingAppendsToTheCallersVector) {
  std::mt19937_64 rng(17);
  std::vector<uint64_t> x;
  for (int i = 0; i < 3000; ++i) x.push_back(1000 + rng() % 5000);
  std::string body;
  EncodeIntegers(x, &body);
  std::vector<uint64_t> out = {1, 2, 3};
  ASSERT_TRUE(DecodeIntegers(body, x.size(), &out).ok());
  ASSERT_EQ(out.size(), 3 + x.size());
  EXPECT_EQ(std::vector<uint64_t>(out.begin() + 3, out.end()), x);
  out = {1, 2, 3};
  EXPECT_FALSE(DecodeIntegers(body.substr(0, body.size() - 1), x.size(), &out).ok());
  EXPECT_EQ(out, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(SeriesCodecTest, SmoothCountersCostLittle) {
  std::vector<uint64_t> x;
  for (uint64_t i = 0; i < 8640; ++i) x.push_back(1000000 + 10 * i);
  std::string body;
  EncodeIntegers(x, &body);
  EXPECT_LT(body.size(), 40u);
}

TEST(SeriesCodecTest, FloatValuesKeepEveryBitPattern) {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> odd = {D(std::numeric_limits<double>::quiet_NaN()),
                               0x7ff0000000000001ull,  // signalling NaN
                               0xfff8000000000123ull,  // negative NaN payload
                               D(std::numeric_limits<double>::infinity()),
                               D(-std::numeric_limits<double>::infinity()),
                               D(-0.0),
                               D(0.0),
                               D(5e-324),
                               D(-2.2250738585072014e-308),
                               D(1.7976931348623157e308)};
  std::vector<std::vector<uint64_t>> cases = {odd};
  std::vector<uint64_t> decimals, floats32, random;
  for (int i = 0; i < 5000; ++i) {
    decimals.push_back(D(static_cast<double>(static_cast<int>(rng() % 100000)) / 1000));
    floats32.push_back(D(WidenFloat32(static_cast<float>((rng() % 1000000) / 3.7))));
    random.push_back(rng());
  }
  cases.push_back(decimals);
  cases.push_back(floats32);
  cases.push_back(random);
  for (const auto& bits : cases) {
    std::string block;
    EncodeValues(ValueType::kFloat64, bits, &block);
    std::vector<uint64_t> out;
    Status st = DecodeValues(ValueType::kFloat64, block, bits.size(), &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(out, bits);
  }
  EXPECT_EQ(ChooseDomain(ValueType::kFloat64, decimals), ValueDomain::kDecimal);
  EXPECT_EQ(ChooseDomain(ValueType::kFloat64, floats32), ValueDomain::kFloat32);
  EXPECT_EQ(ChooseDomain(ValueType::kFloat64, odd), ValueDomain::kBits);
}

TEST(SeriesCodecTest, FastWidenMatchesWidenFloat32) {
  std::mt19937 rng(9);
  for (int i = 0; i < 200000; ++i) {
    const auto f = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    const double a = FastWidenFloat32(f), b = WidenFloat32(f);
    if (std::isnan(a) && std::isnan(b)) continue;
    ASSERT_EQ(std::bit_cast<uint64_t>(a), std::bit_cast<uint64_t>(b)) << f;
  }
}

TEST(SeriesCodecTest, IntegerDomainDoesNotDecodeAsFloat) {
  std::string block;
  EncodeValues(ValueType::kInt64, std::vector<uint64_t>{1, 2, 3}, &block);
  std::vector<uint64_t> out;
  EXPECT_TRUE(DecodeValues(ValueType::kFloat64, block, 3, &out).IsCorruption());
}

TEST(SeriesCodecTest, TruncatedOrFlippedBlocksNeverCrash) {
  std::mt19937_64 rng(13);
  std::vector<uint64_t> bits;
  for (int i = 0; i < 3000; ++i) bits.push_back(D(20 + (rng() % 1000) / 100.0));
  std::string block;
  EncodeValues(ValueType::kFloat64, bits, &block);
  std::vector<uint64_t> out;
  for (size_t len = 0; len < block.size(); ++len) {
    out.clear();
    EXPECT_FALSE(DecodeValues(ValueType::kFloat64, block.substr(0, len), bits.size(), &out).ok())
        << len;
  }
  for (int i = 0; i < 2000; ++i) {
    std::string bad = block;
    bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    out.clear();
    Status st = DecodeValues(ValueType::kFloat64, bad, bits.size(), &out);
    if (st.ok()) EXPECT_EQ(out.size(), bits.size());  // the file's CRC catches the rest
  }
  out.clear();
  EXPECT_FALSE(DecodeValues(ValueType::kFloat64, block, bits.size() + 1, &out).ok());
}

}  // namespace
}  // namespace nanotdb::metricfiles
