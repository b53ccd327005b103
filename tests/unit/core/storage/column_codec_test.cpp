#include "storage/column_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "base/coding.h"

namespace nanotdb {
namespace {

uint64_t D(double v) { return std::bit_cast<uint64_t>(v); }
uint64_t I(int64_t v) { return static_cast<uint64_t>(v); }

std::vector<Sample> WithTimes(const std::vector<Timestamp>& ts) {
  std::vector<Sample> s;
  for (Timestamp t : ts) s.push_back(Sample{t, 0});
  return s;
}

std::vector<Sample> WithValues(const std::vector<uint64_t>& bits) {
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

void ExpectValuesRoundTrip(ValueType type, const std::vector<uint64_t>& bits) {
  std::string body;
  EncodeValues(type, WithValues(bits), &body);
  std::vector<uint64_t> back;
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

TEST(ColumnCodecTest, Int64ExtremesAndWrappingCountersRoundTrip) {
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  ExpectValuesRoundTrip(ValueType::kInt64, {I(lo)});
  ExpectValuesRoundTrip(ValueType::kInt64, {I(lo), I(hi), I(lo), I(0), I(hi), I(-1)});
  ExpectValuesRoundTrip(ValueType::kInt64, {I(hi - 2), I(hi - 1), I(hi), I(lo), I(lo + 1)});
  ExpectValuesRoundTrip(ValueType::kInt64, {I(5000000000), I(218927059), I(-2147483649)});
  std::mt19937_64 rng(3);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint64_t> v(1 + rng() % 300);
    for (auto& x : v) x = rng() >> (rng() % 64);
    ExpectValuesRoundTrip(ValueType::kInt64, v);
  }
}

TEST(ColumnCodecTest, WrappingCounterStaysSmall) {
  std::vector<uint64_t> v;
  uint64_t c = 0x7ffffffffffff000u;
  for (int i = 0; i < 1000; ++i) v.push_back(c += 1500);
  std::string body;
  EncodeValues(ValueType::kInt64, WithValues(v), &body);
  EXPECT_LT(body.size(), 1100u);  // a constant rate costs ~1 byte even across the wrap
  ExpectValuesRoundTrip(ValueType::kInt64, v);
}

TEST(ColumnCodecTest, PageSizedStepsAreDividedOut) {
  std::vector<uint64_t> v;
  std::mt19937 rng(2);
  int64_t c = 5'000'000'000;
  for (int i = 0; i < 1000; ++i) v.push_back(I(c += 4096 * (rng() % 64)));
  std::string body;
  EncodeValues(ValueType::kInt64, WithValues(v), &body);
  EXPECT_LT(body.size(), 1020u);  // steps < 64 pages: one zigzag varint byte once divided
  ExpectValuesRoundTrip(ValueType::kInt64, v);
  std::vector<uint64_t> big;  // float64 byte counts move in whole pages too
  for (int i = 0; i < 1000; ++i) big.push_back(D(3e9 + 4096.0 * (rng() % 100)));
  ExpectValuesRoundTrip(ValueType::kFloat64, big);
  EXPECT_EQ(ChooseValueEncoding(ValueType::kFloat64, WithValues(big)),
            BlockEncoding::kFloat64Decimal);
}

TEST(ColumnCodecTest, SpecialFloatsRoundTripBitExactly) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double denorm = std::numeric_limits<double>::denorm_min();
  const double max = std::numeric_limits<double>::max();
  ExpectValuesRoundTrip(ValueType::kFloat64, {D(nan), D(inf), D(-inf), D(-0.0), D(0.0), D(denorm),
                                              D(-denorm), D(max), D(-max), D(1.5)});
  // NaN payloads and signalling NaNs are bit patterns like any other.
  ExpectValuesRoundTrip(ValueType::kFloat64,
                        {0x7ff8000000000001u, 0xfff123456789abcdu, 0x7ff0000000000001u});
  ExpectValuesRoundTrip(ValueType::kFloat64, {D(-0.0)});
  ExpectValuesRoundTrip(ValueType::kFloat64, {D(21.5)});
}

TEST(ColumnCodecTest, ValuesThatFloat32LostRoundTripExactly) {
  // issue 10: 4-byte values moved these by up to 60 s and 3 bytes.
  ExpectValuesRoundTrip(ValueType::kFloat64, {D(1.796196412e+09), D(1.796196413e+09)});
  ExpectValuesRoundTrip(ValueType::kFloat64, {D(218927059), D(218927060), D(218927123)});
  EXPECT_EQ(ChooseValueEncoding(ValueType::kFloat64, WithValues({D(1.796196412e+09)})),
            BlockEncoding::kFloat64Decimal);
  ExpectValuesRoundTrip(ValueType::kFloat64, {D(0.1 + 0.2), D(1.0 / 3.0), D(M_PI)});
}

TEST(ColumnCodecTest, RandomDoubleBitsRoundTrip) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint64_t> v(1 + rng() % 300);
    switch (round % 3) {
      case 0:  // any bit pattern: NaNs with payloads, subnormals, infinities
        for (auto& x : v) x = rng();
        break;
      case 1:  // short decimals with the odd arbitrary double among them
        for (auto& x : v) {
          x = rng() % 10 ? D(static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) /
                             std::pow(10.0, static_cast<double>(rng() % 7)))
                         : rng();
        }
        break;
      default:  // a random walk
        double walk = 0;
        for (auto& x : v) x = D(walk += std::ldexp(static_cast<double>(rng() % 1000) - 500, -10));
        break;
    }
    ExpectValuesRoundTrip(ValueType::kFloat64, v);
  }
}

TEST(ColumnCodecTest, DecimalExponentIsTheSmallestThatRoundTrips) {
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(1), D(2), D(-300)}), 0);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(21.5), D(22)}), 1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(0.1), D(0.25)}), 2);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(41.437), D(-0.001)}), 3);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(0.0)}), 0);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(1e-9)}), 9);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(1e-15)}), 15);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(16777217.0), D(1e10)}), 0);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(1.796196412e+09)}), 0);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(12.345678)}), 6);
}

TEST(ColumnCodecTest, DecimalDetectionRejectsWhatCannotBeScaled) {
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(-0.0)}), -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(1), D(std::nan(""))}), -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(std::numeric_limits<double>::infinity())}),
            -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(1e-16)}), -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(1e20)}), -1);  // beyond 2^53
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(9007199254740993.0 * 2)}), -1);
  EXPECT_EQ(
      FindDecimalExponent(std::vector<uint64_t>{D(std::numeric_limits<double>::denorm_min())}), -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(0.1 + 0.2)}), -1);
  EXPECT_EQ(FindDecimalExponent(std::vector<uint64_t>{D(1.0 / 3.0)}), -1);
}

TEST(ColumnCodecTest, ShortDecimalsUseScaledIntegersAndNoiseUsesXor) {
  std::vector<uint64_t> temps, noise;
  std::mt19937 rng(5);
  for (int i = 0; i < 500; ++i) {
    temps.push_back(D(static_cast<double>(41000 + static_cast<int>(rng() % 200)) / 1000.0));
    noise.push_back(D(std::ldexp(static_cast<double>(rng()), -40) / 3.0));
  }
  EXPECT_EQ(ChooseValueEncoding(ValueType::kFloat64, WithValues(temps)),
            BlockEncoding::kFloat64Decimal);
  EXPECT_EQ(ChooseValueEncoding(ValueType::kFloat64, WithValues(noise)),
            BlockEncoding::kFloat64Xor);
  ExpectValuesRoundTrip(ValueType::kFloat64, temps);
  ExpectValuesRoundTrip(ValueType::kFloat64, noise);
  std::string body;
  EncodeValues(ValueType::kFloat64, WithValues(temps), &body);
  EXPECT_LT(body.size(), 2 * temps.size());  // steps of 0.001 within 0.2: ~1-2 bytes each
}

// Format version 1 blocks (int32 / float32 columns), written by hand as the old encoder laid
// them out, decode widened: int32 sign-extended, float32 as the number it was printed as.
std::string LegacyResiduals(const std::vector<int64_t>& values) {
  std::string s(1, '\0');  // order 0
  PutVarint64(&s, 1);      // divisor
  for (int64_t v : values) PutVarint64(&s, ZigZagEncode64(v));
  return s;
}

TEST(ColumnCodecTest, Int32BlocksOfFormatVersion1DecodeSignExtended) {
  std::string body(1, static_cast<char>(BlockEncoding::kInt32Delta));
  body += LegacyResiduals({-5, 2147483647, -2147483648LL, 3});
  std::vector<uint64_t> out;
  ASSERT_TRUE(DecodeValues(ValueType::kInt32, body, 4, &out).ok());
  EXPECT_EQ(out, (std::vector<uint64_t>{I(-5), I(2147483647), I(-2147483648LL), I(3)}));
}

TEST(ColumnCodecTest, Float32BlocksOfFormatVersion1DecodeAsTheirPrintedDecimal) {
  std::string body(1, static_cast<char>(BlockEncoding::kFloatDecimal));
  body.push_back(2);  // k
  body += LegacyResiduals({2115, 10, -700});
  std::vector<uint64_t> out;
  ASSERT_TRUE(DecodeValues(ValueType::kFloat32, body, 3, &out).ok());
  EXPECT_EQ(out, (std::vector<uint64_t>{D(21.15), D(0.1), D(-7)}));

  // XOR: 32 bits of 218927056.0f, then '0' (repeat), then 21.5f via a new window.
  std::string x(1, static_cast<char>(BlockEncoding::kFloatXor));
  const uint32_t a = std::bit_cast<uint32_t>(218927056.0f);
  for (int i = 3; i >= 0; --i) x.push_back(static_cast<char>(a >> (8 * i)));
  std::vector<uint64_t> xs;
  x.push_back(0);  // control '0', padded
  ASSERT_TRUE(DecodeValues(ValueType::kFloat32, x, 2, &xs).ok());
  EXPECT_EQ(xs, (std::vector<uint64_t>{D(218927056), D(218927056)}));
  EXPECT_TRUE(DecodeValues(ValueType::kFloat64, x, 2, &xs).IsCorruption());
}

TEST(ColumnCodecTest, TruncatedOrGarbledBodiesAreCorruptionNotCrashes) {
  std::vector<uint64_t> v;
  for (int i = 0; i < 100; ++i) v.push_back(D(i * 0.5));
  for (ValueType type : {ValueType::kInt64, ValueType::kFloat64}) {
    std::string body;
    EncodeValues(type, WithValues(v), &body);
    for (size_t n = 0; n < body.size(); ++n) {
      std::vector<uint64_t> out;
      EXPECT_FALSE(DecodeValues(type, body.substr(0, n), v.size(), &out).ok()) << n;
    }
    std::vector<uint64_t> out;
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
      x = {t,
           round % 3 == 0 ? static_cast<uint64_t>(rng()) << 32 | rng() : D((rng() % 5000) / 100.0)};
    }
    const auto type = round % 2 ? ValueType::kInt64 : ValueType::kFloat64;
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
    std::vector<uint64_t> values;
    if (DecodeValues(type, value_body, n, &values).ok()) EXPECT_EQ(values.size(), n);
  }
}

TEST(ColumnCodecTest, FloatBlockIsRejectedForAnIntColumn) {
  std::string body;
  EncodeValues(ValueType::kFloat64, WithValues({D(1.5), D(2.5)}), &body);
  std::vector<uint64_t> out;
  EXPECT_TRUE(DecodeValues(ValueType::kInt64, body, 2, &out).IsCorruption());
  EXPECT_TRUE(DecodeValues(ValueType::kFloat32, body, 2, &out).IsCorruption());
  EncodeValues(ValueType::kInt64, WithValues({I(1), I(2)}), &body);
  EXPECT_TRUE(DecodeValues(ValueType::kInt32, body, 2, &out).IsCorruption());
}

}  // namespace
}  // namespace nanotdb
