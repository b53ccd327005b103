#include "storage/column_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace nanotdb {
namespace {

uint32_t F(float v) { return std::bit_cast<uint32_t>(v); }
uint32_t I(int32_t v) { return static_cast<uint32_t>(v); }

std::vector<Sample> WithTimes(const std::vector<Timestamp>& ts) {
  std::vector<Sample> s;
  for (Timestamp t : ts) s.push_back(Sample{t, 0});
  return s;
}

std::vector<Sample> WithValues(const std::vector<uint32_t>& bits) {
  std::vector<Sample> s;
  for (size_t i = 0; i < bits.size(); ++i) s.push_back(Sample{static_cast<Timestamp>(i), bits[i]});
  return s;
}

void ExpectTimestampsRoundTrip(const std::vector<Timestamp>& ts) {
  std::string body;
  EncodeTimestamps(WithTimes(ts), &body);
  std::vector<Timestamp> back;
  ASSERT_TRUE(DecodeTimestamps(body, ts.size(), &back).ok());
  EXPECT_EQ(back, ts);
}

void ExpectValuesRoundTrip(ValueType type, const std::vector<uint32_t>& bits) {
  std::string body;
  EncodeValues(type, WithValues(bits), &body);
  std::vector<uint32_t> back;
  Status s = DecodeValues(type, body, bits.size(), &back);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(back, bits);
}

TEST(ColumnCodecTest, ConstantCadenceTimestampsCostAboutOneBytePerSample) {
  std::vector<Timestamp> ts;
  for (int i = 0; i < 720; ++i) ts.push_back(1767225600000000000 + i * 10 * kNanosPerSecond);
  std::string body;
  EncodeTimestamps(WithTimes(ts), &body);
  EXPECT_LE(body.size(), 740u);
  ExpectTimestampsRoundTrip(ts);
}

TEST(ColumnCodecTest, AdversarialTimestampsRoundTrip) {
  ExpectTimestampsRoundTrip({42});
  ExpectTimestampsRoundTrip({-5, -5, -5});
  ExpectTimestampsRoundTrip(
      {kMinTimestamp, kMinTimestamp + 1, 0, kMaxTimestamp - 1, kMaxTimestamp});
  ExpectTimestampsRoundTrip({kMinTimestamp, kMaxTimestamp});
  ExpectTimestampsRoundTrip({-1000000000, 0, 1000000000, 1000000000, 5000000000000000000});
  ExpectTimestampsRoundTrip({1, 2, 4, 8, 1000000000000, 1000000000001});
}

TEST(ColumnCodecTest, RandomTimestampsRoundTrip) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<Timestamp> ts(1 + rng() % 300);
    for (auto& t : ts) t = static_cast<Timestamp>(rng() >> (rng() % 64));
    std::sort(ts.begin(), ts.end());
    ExpectTimestampsRoundTrip(ts);
  }
}

TEST(ColumnCodecTest, Int32ExtremesAndWrappingCountersRoundTrip) {
  const int32_t lo = std::numeric_limits<int32_t>::min();
  const int32_t hi = std::numeric_limits<int32_t>::max();
  ExpectValuesRoundTrip(ValueType::kInt32, {I(lo)});
  ExpectValuesRoundTrip(ValueType::kInt32, {I(lo), I(hi), I(lo), I(0), I(hi), I(-1)});
  ExpectValuesRoundTrip(ValueType::kInt32, {I(hi - 2), I(hi - 1), I(hi), I(lo), I(lo + 1)});
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint32_t> v(1 + rng() % 300);
    for (auto& x : v) x = rng() >> (rng() % 32);
    ExpectValuesRoundTrip(ValueType::kInt32, v);
  }
}

TEST(ColumnCodecTest, WrappingCounterStaysSmall) {
  std::vector<uint32_t> v;
  uint32_t c = 0x7ffff000u;
  for (int i = 0; i < 1000; ++i) v.push_back(c += 1500);
  std::string body;
  EncodeValues(ValueType::kInt32, WithValues(v), &body);
  EXPECT_LT(body.size(), 1100u);  // a constant rate costs ~1 byte even across the wrap
  ExpectValuesRoundTrip(ValueType::kInt32, v);
}

TEST(ColumnCodecTest, PageSizedStepsAreDividedOut) {
  std::vector<uint32_t> v;
  std::mt19937 rng(2);
  uint32_t c = 0;
  for (int i = 0; i < 1000; ++i) v.push_back(c += 4096 * (rng() % 64));
  std::string body;
  EncodeValues(ValueType::kInt32, WithValues(v), &body);
  EXPECT_LT(body.size(), 1020u);  // steps < 64 pages: one zigzag varint byte once divided
  ExpectValuesRoundTrip(ValueType::kInt32, v);
  std::vector<uint32_t> big;  // float32 byte counts above 2^31 move in steps of 256
  for (int i = 0; i < 1000; ++i) big.push_back(F(3e9f + 4096.0f * (rng() % 100)));
  ExpectValuesRoundTrip(ValueType::kFloat32, big);
  EXPECT_EQ(ChooseValueEncoding(ValueType::kFloat32, WithValues(big)),
            BlockEncoding::kFloatDecimal);
}

TEST(ColumnCodecTest, SpecialFloatsRoundTripBitExactly) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float denorm = std::numeric_limits<float>::denorm_min();
  ExpectValuesRoundTrip(ValueType::kFloat32, {F(nan), F(inf), F(-inf), F(-0.0f), F(0.0f), F(denorm),
                                              F(-denorm), F(3.4e38f), F(1.5f)});
  ExpectValuesRoundTrip(ValueType::kFloat32, {0x7fc00001u, 0xffc12345u, 0x7f800001u});
  ExpectValuesRoundTrip(ValueType::kFloat32, {F(-0.0f)});
  ExpectValuesRoundTrip(ValueType::kFloat32, {F(21.5f)});
}

TEST(ColumnCodecTest, RandomFloatBitsRoundTrip) {
  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint32_t> v(1 + rng() % 300);
    for (auto& x : v) x = rng();
    ExpectValuesRoundTrip(ValueType::kFloat32, v);
  }
}

TEST(ColumnCodecTest, DecimalExponentIsTheSmallestThatRoundTrips) {
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(1), F(2), F(-300)}), 0);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(21.5f), F(22)}), 1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(0.1f), F(0.25f)}), 2);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(41.437f), F(-0.001f)}), 3);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(0.0f)}), 0);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(1e-9f)}), 9);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(16777216.0f), F(1e10f)}), 0);
}

TEST(ColumnCodecTest, DecimalDetectionRejectsWhatCannotBeScaled) {
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(-0.0f)}), -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(1), F(std::nanf(""))}), -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(std::numeric_limits<float>::infinity())}),
            -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(1e-10f)}), -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(1e20f)}), -1);  // beyond 2^53
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(std::numeric_limits<float>::denorm_min())}),
            -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(1.234e-7f)}), -1);
  // float32 holds ~7.2 significant digits, so 8 decimals pin down any value near 1.
  EXPECT_EQ(FindDecimalExponent(std::vector<uint32_t>{F(1.0f / 3.0f)}), 8);
}

TEST(ColumnCodecTest, ShortDecimalsUseScaledIntegersAndNoiseUsesXor) {
  std::vector<uint32_t> temps, noise;
  std::mt19937 rng(5);
  for (int i = 0; i < 500; ++i) {
    temps.push_back(F(static_cast<float>(41000 + static_cast<int>(rng() % 200)) / 1000.0f));
    noise.push_back(F(std::ldexp(static_cast<float>(rng() % 1000000), -17)));
  }
  EXPECT_EQ(ChooseValueEncoding(ValueType::kFloat32, WithValues(temps)),
            BlockEncoding::kFloatDecimal);
  EXPECT_EQ(ChooseValueEncoding(ValueType::kFloat32, WithValues(noise)), BlockEncoding::kFloatXor);
  ExpectValuesRoundTrip(ValueType::kFloat32, temps);
  ExpectValuesRoundTrip(ValueType::kFloat32, noise);
}

TEST(ColumnCodecTest, TruncatedOrGarbledBodiesAreCorruptionNotCrashes) {
  std::vector<uint32_t> v;
  for (int i = 0; i < 100; ++i) v.push_back(F(i * 0.5f));
  for (ValueType type : {ValueType::kInt32, ValueType::kFloat32}) {
    std::string body;
    EncodeValues(type, WithValues(v), &body);
    for (size_t n = 0; n < body.size(); ++n) {
      std::vector<uint32_t> out;
      EXPECT_FALSE(DecodeValues(type, body.substr(0, n), v.size(), &out).ok()) << n;
    }
    std::vector<uint32_t> out;
    EXPECT_FALSE(DecodeValues(type, body + "x", v.size(), &out).ok());
    EXPECT_FALSE(DecodeValues(type, body, v.size() + 1, &out).ok());
  }
  std::string ts_body;
  EncodeTimestamps(WithTimes({1, 2, 3, 5, 8}), &ts_body);
  for (size_t n = 0; n < ts_body.size(); ++n) {
    std::vector<Timestamp> out;
    EXPECT_FALSE(DecodeTimestamps(ts_body.substr(0, n), 5, &out).ok()) << n;
  }
  std::vector<Timestamp> out;
  EXPECT_FALSE(DecodeTimestamps(ts_body, 6, &out).ok());
}

// Block CRCs catch accidents; a crafted block can carry a valid CRC, so the decoders' own
// bounds checks must hold on any bytes: an error, or exactly `count` items.
TEST(ColumnCodecTest, GarbledBodiesNeverCrashOrReturnTheWrongCount) {
  std::mt19937 rng(13);
  for (int round = 0; round < 3000; ++round) {
    const size_t n = 1 + rng() % 64;
    std::vector<Sample> s(n);
    Timestamp t = static_cast<Timestamp>(rng());
    for (auto& x : s) {
      t += rng() % 3 ? 10'000'000'000 + rng() % 5'000'000 : 0;
      x = {t, round % 3 == 0 ? static_cast<uint32_t>(rng()) : F((rng() % 5000) / 100.0f)};
    }
    const auto type = round % 2 ? ValueType::kInt32 : ValueType::kFloat32;
    std::string ts_body, value_body;
    EncodeTimestamps(s, &ts_body);
    EncodeValues(type, s, &value_body);
    for (std::string* body : {&ts_body, &value_body}) {
      for (int flips = 1 + rng() % 3; flips > 0; --flips) {
        (*body)[rng() % body->size()] ^= static_cast<char>(1 << (rng() % 8));
      }
    }
    std::vector<Timestamp> ts;
    if (DecodeTimestamps(ts_body, n, &ts).ok()) EXPECT_EQ(ts.size(), n);
    std::vector<uint32_t> values;
    if (DecodeValues(type, value_body, n, &values).ok()) EXPECT_EQ(values.size(), n);
  }
}

TEST(ColumnCodecTest, FloatBlockIsRejectedForAnInt32Column) {
  std::string body;
  EncodeValues(ValueType::kFloat32, WithValues({F(1.5f), F(2.5f)}), &body);
  std::vector<uint32_t> out;
  EXPECT_TRUE(DecodeValues(ValueType::kInt32, body, 2, &out).IsCorruption());
}

}  // namespace
}  // namespace nanotdb
