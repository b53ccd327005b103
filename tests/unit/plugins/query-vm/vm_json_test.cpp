#include "nanotdb/vm_json.h"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>

namespace nanotdb::vm {
namespace {

std::string Seconds(Timestamp ts) {
  std::string out;
  AppendSeconds(&out, ts);
  return out;
}

std::string Computed(double v) {
  std::string out;
  AppendComputedValue(&out, v);
  return out;
}

TEST(VmJsonTest, TimestampsAreExactFloatSeconds) {
  EXPECT_EQ(Seconds(1715000000000000000), "1715000000");
  EXPECT_EQ(Seconds(1715000000123000000), "1715000000.123");
  EXPECT_EQ(Seconds(1715000000000000001), "1715000000.000000001");
  EXPECT_EQ(Seconds(0), "0");
  EXPECT_EQ(Seconds(-1), "-0.000000001");
  EXPECT_EQ(Seconds(-1'500'000'000), "-1.5");
}

TEST(VmJsonTest, ComputedValuesAreStringsInPrometheusForm) {
  EXPECT_EQ(Computed(21.5), "\"21.5\"");
  EXPECT_EQ(Computed(21.65), "\"21.65\"");
  EXPECT_EQ(Computed(1e6), "\"1000000\"");
  EXPECT_EQ(Computed(16777217), "\"16777217\"");
  EXPECT_EQ(Computed(1.796196412e+09), "\"1796196412\"");
  EXPECT_EQ(Computed(0.1 + 0.2), "\"0.30000000000000004\"");
  EXPECT_EQ(Computed(std::nan("")), "\"NaN\"");
  EXPECT_EQ(Computed(std::numeric_limits<double>::infinity()), "\"+Inf\"");
  EXPECT_EQ(Computed(-std::numeric_limits<double>::infinity()), "\"-Inf\"");
}

// WriteValue prints short decimals without std::to_chars; its text must be to_chars' shortest
// fixed form for every double, whichever path printed it.
TEST(VmJsonTest, WrittenValuesAreThoseOfToCharsForEveryKindOfDouble) {
  auto expected = [](double v) {
    char buf[kMaxValueChars];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed).ptr);
  };
  auto written = [](double v) {
    char buf[kMaxValueChars];
    return std::string(buf, WriteValue(buf, v));
  };
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                -1.0,
                                0.1,
                                0.2,
                                0.3,
                                0.1 + 0.2,
                                1e-7,
                                123e-9,
                                5e-324,
                                1e15,
                                1e16,
                                1125899906842623.5,
                                1125899906842624.0,
                                9007199254740993.0,
                                1e300,
                                -1e300,
                                std::numeric_limits<double>::max(),
                                37.125,
                                33.1,
                                2.675};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    // Short decimals of every length and magnitude, their neighbours, and any bit pattern.
    const int k = static_cast<int>(rng() % 12);
    const int64_t n = static_cast<int64_t>(rng() % 2000000000000000ull) >> (rng() % 50);
    const double d = static_cast<double>(n) / std::pow(10.0, k);
    values.push_back(i % 2 ? d : -d);
    values.push_back(std::nextafter(d, 0.0));
    values.push_back(std::nextafter(d, 1e308));
    values.push_back(std::bit_cast<double>(rng()));
  }
  for (double v : values) {
    if (std::isnan(v) || std::isinf(v)) continue;
    ASSERT_EQ(written(v), expected(v)) << std::hexfloat << v;
  }
  EXPECT_EQ(written(std::nan("")), "NaN");
  EXPECT_EQ(written(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(VmJsonTest, WrittenStoredValuesAreFormatValue) {
  std::vector<Value> values = {Value::Int64(0),
                               Value::Int64(-1),
                               Value::Int64(INT64_MIN),
                               Value::Int64(INT64_MAX),
                               Value::Float64(0.0),
                               Value::Float64(-0.0),
                               Value::Float64(1e-7),
                               Value::Float64(9.99e-8),
                               Value::Float64(1e21),
                               Value::Float64(9.99e20),
                               Value::Float64(std::nan("")),
                               Value::Float64(-std::numeric_limits<double>::infinity()),
                               Value::Float64(5e-324),
                               Value::Float64(37.125)};
  std::mt19937_64 rng(11);
  for (int i = 0; i < 100000; ++i) {
    values.push_back(Value::Int64(static_cast<int64_t>(rng()) >> (rng() % 64)));
    values.push_back(Value::Float64(std::bit_cast<double>(rng())));
    values.push_back(Value::Float64(static_cast<double>(rng() % 100000000) / 1000.0));
  }
  for (const Value& v : values) {
    char buf[kMaxValueChars];
    ASSERT_EQ(std::string(buf, WriteStoredValue(buf, v)), FormatValue(v))
        << static_cast<int>(v.type) << " " << v.bits;
  }
}

TEST(VmJsonTest, WrittenSecondsAreTheAppendedOnes) {
  for (Timestamp ts : {Timestamp{0}, Timestamp{1}, Timestamp{-1}, kMinTimestamp, kMaxTimestamp,
                       Timestamp{1715000000123000000}}) {
    char buf[kMaxSecondsChars];
    EXPECT_EQ(std::string(buf, WriteSeconds(buf, ts)), Seconds(ts));
  }
  EXPECT_EQ(Seconds(kMinTimestamp), "-9223372036.854775808");
  EXPECT_EQ(Seconds(1767225600000535506), "1767225600.000535506");
  EXPECT_EQ(Seconds(1767225610003728780), "1767225610.00372878");
  EXPECT_EQ(Seconds(1767225610100000000), "1767225610.1");
  EXPECT_EQ(Seconds(1767225610000000010), "1767225610.00000001");
  // Every fraction length and position of zeros, against the decimal text of the fraction.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) {
    const int64_t whole = static_cast<int64_t>(rng() % 4000000000ull);
    int64_t frac = static_cast<int64_t>(rng() % 1000000000ull);
    for (int z = static_cast<int>(rng() % 10); z > 0; --z) frac = frac / 10;  // z digits less,
    while (frac != 0 && frac < 100000000) frac *= 10;  // then zero-filled back to nine digits
    char digits[16];
    std::snprintf(digits, sizeof digits, "%09lld", static_cast<long long>(frac));
    std::string want = std::to_string(whole);
    std::string f = digits;
    while (!f.empty() && f.back() == '0') f.pop_back();
    if (!f.empty()) want += "." + f;
    ASSERT_EQ(Seconds(whole * kNanosPerSecond + frac), want);
  }
}

TEST(VmJsonTest, WindowLabelsUseGoDurationText) {
  EXPECT_EQ(GoDurationString(5 * 60 * kNanosPerSecond), "5m0s");
  EXPECT_EQ(GoDurationString(30 * kNanosPerSecond), "30s");
  EXPECT_EQ(GoDurationString(3600 * kNanosPerSecond), "1h0m0s");
  EXPECT_EQ(GoDurationString(90 * 60 * kNanosPerSecond), "1h30m0s");
  EXPECT_EQ(GoDurationString(1'500'000'000), "1.5s");
  EXPECT_EQ(GoDurationString(250'000'000), "250ms");
  EXPECT_EQ(GoDurationString(1'500'000), "1.5ms");
  EXPECT_EQ(GoDurationString(7), "7ns");
}

TEST(VmJsonTest, StringsAreEscaped) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\"");
}

TEST(VmJsonTest, ErrorEnvelopeCarriesTypeAndMessage) {
  HttpResponse resp;
  RespondError(resp, 400, "bad_data", "missing query parameter");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.content_type, "application/json");
  EXPECT_EQ(resp.body,
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"missing query "
            "parameter\"}\n");
}

}  // namespace
}  // namespace nanotdb::vm
