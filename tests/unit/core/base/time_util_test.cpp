#include "nanotdb/time_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace nanotdb {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kM = 60 * kS;
constexpr int64_t kH = 60 * kM;
constexpr int64_t kD = 24 * kH;
// 2026-05-24 12:00:00 UTC
constexpr Timestamp kNoon = 1779624000 * kS;

int64_t Dur(std::string_view s) {
  Result<int64_t> r = ParseDuration(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

std::string DurError(std::string_view s) {
  Result<int64_t> r = ParseDuration(s);
  EXPECT_FALSE(r.ok()) << s;
  return r.status().message();
}

Timestamp Line(std::string_view s, Timestamp now = kNoon) {
  Result<Timestamp> r = ParseLineTimestamp(s, now);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

std::string LineError(std::string_view s) {
  Result<Timestamp> r = ParseLineTimestamp(s, kNoon);
  EXPECT_FALSE(r.ok()) << s;
  EXPECT_TRUE(r.status().IsInvalidArgument());
  return r.status().message();
}

Timestamp Arg(std::string_view s, TimeUnit unit = TimeUnit::kNanoseconds) {
  Result<Timestamp> r = ParseTimeArg(s, kNoon, unit);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

TEST(TimeUtilTest, ParsesEveryDurationUnit) {
  EXPECT_EQ(Dur("1ns"), 1);
  EXPECT_EQ(Dur("250us"), 250'000);
  EXPECT_EQ(Dur("250\xC2\xB5s"), 250'000);
  EXPECT_EQ(Dur("500ms"), 500'000'000);
  EXPECT_EQ(Dur("10s"), 10 * kS);
  EXPECT_EQ(Dur("5m"), 5 * kM);
  EXPECT_EQ(Dur("2h"), 2 * kH);
  EXPECT_EQ(Dur("3d"), 3 * kD);
  EXPECT_EQ(Dur("2w"), 14 * kD);
  EXPECT_EQ(Dur("0s"), 0);
  EXPECT_EQ(Dur("0"), 0);
}

TEST(TimeUtilTest, ParsesCompoundAndFractionalDurations) {
  EXPECT_EQ(Dur("1h30m"), 90 * kM);
  EXPECT_EQ(Dur("1d2h3m4s5ms"), kD + 2 * kH + 3 * kM + 4 * kS + 5'000'000);
  EXPECT_EQ(Dur("1.5d"), 36 * kH);
  EXPECT_EQ(Dur("1.5s"), 1'500'000'000);
  EXPECT_EQ(Dur(".5h"), 30 * kM);
  EXPECT_EQ(Dur("0.000000001s"), 1);
  EXPECT_EQ(Dur("1.0000000019s"), kS + 1);  // truncated to whole nanoseconds
}

TEST(TimeUtilTest, DurationErrorsQuoteTheText) {
  EXPECT_THAT(DurError(""), HasSubstr("invalid duration \"\": empty"));
  EXPECT_THAT(DurError("10"), HasSubstr("invalid duration \"10\": missing unit after \"10\""));
  EXPECT_THAT(DurError("5x"), HasSubstr("unknown unit \"x\""));
  EXPECT_THAT(DurError("-5s"), HasSubstr("invalid duration \"-5s\": expected a number"));
  EXPECT_THAT(DurError("h"), HasSubstr("expected a number"));
  EXPECT_THAT(DurError("1h30"), HasSubstr("missing unit after \"30\""));
  EXPECT_THAT(DurError("100000000w"), HasSubstr("too large"));
  EXPECT_THAT(DurError("99999999999999999999s"), HasSubstr("too large"));
  EXPECT_THAT(DurError("5s1"), HasSubstr("units ns, us, ms, s, m, h, d, w"));
}

TEST(TimeUtilTest, FormatsCompactDurations) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(1), "1ns");
  EXPECT_EQ(FormatDuration(250'000), "250us");
  EXPECT_EQ(FormatDuration(1'500), "1.5us");
  EXPECT_EQ(FormatDuration(500'000'000), "500ms");
  EXPECT_EQ(FormatDuration(10 * kS), "10s");
  EXPECT_EQ(FormatDuration(1'500'000'000), "1.5s");
  EXPECT_EQ(FormatDuration(5 * kM), "5m");
  EXPECT_EQ(FormatDuration(90 * kM), "1h30m");
  EXPECT_EQ(FormatDuration(kH + 5 * kS), "1h5s");
  EXPECT_EQ(FormatDuration(2 * kD + 3 * kH), "2d3h");
  EXPECT_EQ(FormatDuration(-5 * kM), "-5m");
  EXPECT_EQ(FormatDuration(std::numeric_limits<int64_t>::min()), "-106751d23h47m16.854775808s");
}

TEST(TimeUtilTest, FormattedDurationsParseBack) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    int64_t ns = static_cast<int64_t>(rng() >> (rng() % 63 + 1));
    EXPECT_EQ(Dur(FormatDuration(ns)), ns) << FormatDuration(ns);
  }
}

TEST(TimeUtilTest, FormatsCanonicalTimestamps) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01 00:00:00.000000000");
  EXPECT_EQ(FormatTimestamp(kNoon), "2026-05-24 12:00:00.000000000");
  EXPECT_EQ(FormatTimestamp(kNoon + 500'000'000), "2026-05-24 12:00:00.500000000");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999999999");
  EXPECT_EQ(FormatTimestamp(std::numeric_limits<int64_t>::min()), "1677-09-21 00:12:43.145224192");
  EXPECT_EQ(FormatTimestamp(std::numeric_limits<int64_t>::max()), "2262-04-11 23:47:16.854775807");
}

TEST(TimeUtilTest, FormatsRfc3339WithTrimmedFraction) {
  EXPECT_EQ(FormatRfc3339(kNoon), "2026-05-24T12:00:00Z");
  EXPECT_EQ(FormatRfc3339(kNoon + 500'000'000), "2026-05-24T12:00:00.5Z");
  EXPECT_EQ(FormatRfc3339(kNoon + 1), "2026-05-24T12:00:00.000000001Z");
  EXPECT_EQ(FormatRfc3339(-kS / 2), "1969-12-31T23:59:59.5Z");
}

TEST(TimeUtilTest, LineTimestampAcceptsNanosecondsAndDates) {
  EXPECT_EQ(Line("1779624000000000000"), kNoon);
  EXPECT_EQ(Line("0"), 0);
  EXPECT_EQ(Line("2026-05-24"), kNoon - 12 * kH);
  EXPECT_EQ(Line("2026-05-24 12"), kNoon);
  EXPECT_EQ(Line("2026-05-24 12:30"), kNoon + 30 * kM);
  EXPECT_EQ(Line("2026-05-24 12:00:07"), kNoon + 7 * kS);
  EXPECT_EQ(Line("2026-05-24 12:00:00.5"), kNoon + 500'000'000);
  EXPECT_EQ(Line("2026-05-24 12:00:00.123456789"), kNoon + 123'456'789);
  EXPECT_EQ(Line("2026-05-24 12:00:00.1234567891"), kNoon + 123'456'789);
  EXPECT_EQ(Line("2026-05-24   12:00:00"), kNoon);
  EXPECT_EQ(Line("2026-05-24T12:00:00Z"), kNoon);
  EXPECT_EQ(Line(" 2026-05-24 12:00:00 "), kNoon);
  EXPECT_EQ(Line("1969-12-31 23:59:59.999999999"), -1);
  EXPECT_EQ(Line("2024-02-29"), DaysFromCivil(2024, 2, 29) * kD);
}

TEST(TimeUtilTest, LineTimestampAcceptsRelativeTimes) {
  EXPECT_EQ(Line("-20s"), kNoon - 20 * kS);
  EXPECT_EQ(Line("-1.5h"), kNoon - 90 * kM);
  EXPECT_EQ(Line("-2d"), kNoon - 2 * kD);
  EXPECT_EQ(Line("-1w"), kNoon - 7 * kD);
  EXPECT_EQ(Line("-20"), kNoon - 20 * kS);  // a bare relative number is seconds
  EXPECT_EQ(Line("-3650d"), kNoon - 3650 * kD);
}

TEST(TimeUtilTest, LineTimestampErrorsNameTheText) {
  EXPECT_THAT(LineError(""), HasSubstr("invalid timestamp \"\": empty"));
  EXPECT_THAT(LineError("yesterday"),
              HasSubstr("invalid timestamp \"yesterday\": expected Unix nanoseconds"));
  EXPECT_THAT(LineError("-3654d"),
              HasSubstr("invalid timestamp \"-3654d\": relative duration exceeds the maximum of "
                        "10 years"));
  EXPECT_THAT(LineError("-5q"), HasSubstr("expected a relative time such as -20s"));
  EXPECT_THAT(LineError("99999999999999999999"), HasSubstr("beyond the int64 nanosecond range"));
  EXPECT_THAT(LineError("2026-13-01"), HasSubstr("month 13 is not 1..12"));
  EXPECT_THAT(LineError("2025-02-29"), HasSubstr("day 29 does not exist in that month"));
  EXPECT_THAT(LineError("2026-05-24 24:00"), HasSubstr("time of day out of range"));
  EXPECT_THAT(LineError("2026-05-24 12:00:00."), HasSubstr("expected Unix nanoseconds"));
  EXPECT_THAT(LineError("2026-05-24 12:00 junk"), HasSubstr("expected Unix nanoseconds"));
  EXPECT_THAT(LineError("2300-01-01"), HasSubstr("outside the representable range"));
  EXPECT_THAT(LineError("12abc"), HasSubstr("invalid timestamp \"12abc\""));
}

TEST(TimeUtilTest, TimeArgAcceptsEveryForm) {
  EXPECT_EQ(Arg("now"), kNoon);
  EXPECT_EQ(Arg("-20s"), kNoon - 20 * kS);
  EXPECT_EQ(Arg("-1d"), kNoon - kD);
  EXPECT_EQ(Arg("2m"), kNoon - 2 * kM);
  EXPECT_EQ(Arg("-20", TimeUnit::kSeconds), kNoon - 20 * kS);
  EXPECT_EQ(Arg("-20", TimeUnit::kMilliseconds), kNoon - 20'000'000);
  EXPECT_EQ(Arg("1779624000", TimeUnit::kSeconds), kNoon);
  EXPECT_EQ(Arg("1779624000.5", TimeUnit::kSeconds), kNoon + 500'000'000);
  EXPECT_EQ(Arg("1779624000000", TimeUnit::kMilliseconds), kNoon);
  EXPECT_EQ(Arg("1779624000000000", TimeUnit::kMicroseconds), kNoon);
  EXPECT_EQ(Arg("1779624000000000000"), kNoon);
  EXPECT_EQ(Arg("2026-05-24T12:00:00Z"), kNoon);
  EXPECT_EQ(Arg("2026-05-24T12:00:00.25Z"), kNoon + 250'000'000);
  EXPECT_EQ(Arg("2026-05-24T14:00:00+02:00"), kNoon);
  EXPECT_EQ(Arg("2026-05-24T07:30:00-0430"), kNoon);
  EXPECT_EQ(Arg("2026-05-24 12"), kNoon);
  EXPECT_EQ(Arg("2026-05-24T12:00"), kNoon);
  EXPECT_EQ(Arg("2026-05-24"), kNoon - 12 * kH);
}

TEST(TimeUtilTest, TimeArgErrorsListTheForms) {
  Result<Timestamp> r = ParseTimeArg("tomorrow", kNoon, TimeUnit::kSeconds);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("invalid time \"tomorrow\": expected now"));
  EXPECT_THAT(r.status().message(), HasSubstr("RFC 3339"));
  r = ParseTimeArg("-11y", kNoon, TimeUnit::kSeconds);
  EXPECT_THAT(r.status().message(), HasSubstr("expected a relative time"));
  r = ParseTimeArg("-400000000", kNoon, TimeUnit::kSeconds);
  EXPECT_THAT(r.status().message(), HasSubstr("exceeds the maximum of 10 years"));
  r = ParseTimeArg("99999999999", kNoon, TimeUnit::kSeconds);
  EXPECT_THAT(r.status().message(), HasSubstr("beyond the int64 nanosecond range"));
  r = ParseTimeArg("2026-05-24T12:00:00+25:00", kNoon, TimeUnit::kSeconds);
  EXPECT_THAT(r.status().message(), HasSubstr("zone offset out of range"));
}

TEST(TimeUtilTest, ParsesTimeUnits) {
  TimeUnit u = TimeUnit::kSeconds;
  EXPECT_TRUE(ParseTimeUnit("ns", &u));
  EXPECT_EQ(u, TimeUnit::kNanoseconds);
  EXPECT_TRUE(ParseTimeUnit("us", &u));
  EXPECT_EQ(u, TimeUnit::kMicroseconds);
  EXPECT_TRUE(ParseTimeUnit("ms", &u));
  EXPECT_EQ(u, TimeUnit::kMilliseconds);
  EXPECT_TRUE(ParseTimeUnit("s", &u));
  EXPECT_EQ(u, TimeUnit::kSeconds);
  EXPECT_FALSE(ParseTimeUnit("min", &u));
  EXPECT_EQ(u, TimeUnit::kSeconds);
  EXPECT_EQ(TimeUnitNanos(TimeUnit::kMilliseconds), 1'000'000);
}

TEST(TimeUtilTest, CivilDaysRoundTripAcrossEras) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  for (int64_t z = -800'000; z <= 800'000; z += 7) {
    int y;
    unsigned m, d;
    CivilFromDays(z, &y, &m, &d);
    ASSERT_EQ(DaysFromCivil(y, m, d), z);
  }
}

TEST(TimeUtilTest, FormattedTimestampsParseBack) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 5000; ++i) {
    Timestamp ts = static_cast<Timestamp>(rng());
    ASSERT_EQ(Line(FormatTimestamp(ts)), ts) << FormatTimestamp(ts);
    ASSERT_EQ(Arg(FormatRfc3339(ts)), ts) << FormatRfc3339(ts);
  }
}

}  // namespace
}  // namespace nanotdb
