#include "plugins/ingest-lineproto/lineproto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "nanotdb/time_util.h"

namespace nanotdb {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kS = 1'000'000'000;
constexpr Timestamp kNow = 1779624000 * kS;  // 2026-05-24 12:00:00 UTC

ParsedLine Parse(std::string_view line) {
  ParsedLine out;
  bool skip = true;
  Status st = ParseLine(line, kNow, &out, &skip);
  EXPECT_TRUE(st.ok()) << line << ": " << st.ToString();
  EXPECT_FALSE(skip) << line;
  return out;
}

std::string Error(std::string_view line) {
  ParsedLine out;
  bool skip = false;
  Status st = ParseLine(line, kNow, &out, &skip);
  EXPECT_FALSE(st.ok()) << line;
  EXPECT_TRUE(st.IsInvalidArgument()) << line;
  return st.message();
}

TEST(LineProtoTest, LabelledSeriesKeysAreOneTargetEvenWithBlanksInValues) {
  ParsedLine p =
      Parse("home/hass_temp{friendly_name=\"Living room\",unit='C'} 21.5 1779624000000000000");
  EXPECT_EQ(p.db, "home");
  EXPECT_EQ(p.metric, "hass_temp{friendly_name=\"Living room\",unit='C'}");
  EXPECT_EQ(p.ts, 1779624000 * kS);
  p = Parse("home/m{a=\"x \\\" }y\"} 1");  // an escaped quote and a brace inside the value
  EXPECT_EQ(p.metric, "m{a=\"x \\\" }y\"}");
  EXPECT_EQ(p.value.AsDouble(), 1);
  EXPECT_THAT(Error("home/m{a=1} 2"), HasSubstr("expected a quoted value for label \"a\""));
  EXPECT_THAT(Error("home/m{a=\"1\" 2"), HasSubstr("expected 'DB/metric value [timestamp]'"));
  // FormatLine writes the key as it is; it parses back to the same series.
  std::string line = FormatLine("home", "m{a=\"x y\"}", Value::Int64(5), 7, true);
  EXPECT_EQ(line, "home/m{a=\"x y\"} 5i 7");
  EXPECT_EQ(Parse(line).metric, "m{a=\"x y\"}");
}

TEST(LineProtoTest, ParsesFloatLineWithoutTimestampAsNow) {
  ParsedLine p = Parse("home/cpu.temp 21.5");
  EXPECT_EQ(p.db, "home");
  EXPECT_EQ(p.metric, "cpu.temp");
  EXPECT_EQ(p.ts, kNow);
  EXPECT_EQ(p.value.type, ValueType::kFloat64);
  EXPECT_EQ(p.value.AsFloat64(), 21.5);
}

TEST(LineProtoTest, SuffixIMakesInt64) {
  ParsedLine p = Parse("home/door 42i 1779624000000000000");
  EXPECT_EQ(p.value.type, ValueType::kInt64);
  EXPECT_EQ(p.value.AsInt64(), 42);
  EXPECT_EQ(p.ts, kNow);
  EXPECT_EQ(Parse("a/b -7i").value.AsInt64(), -7);
  EXPECT_EQ(Parse("a/b +7i").value.AsInt64(), 7);
  EXPECT_EQ(Parse("a/b 2147483647i").value.AsInt64(), 2147483647);
  EXPECT_EQ(Parse("a/b -2147483648i").value.AsInt64(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(Parse("a/b 5000000000i").value.AsInt64(), 5000000000);
  EXPECT_EQ(Parse("a/b 9223372036854775807i").value.AsInt64(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Parse("a/b -9223372036854775808i").value.AsInt64(),
            std::numeric_limits<int64_t>::min());
}

TEST(LineProtoTest, BareIntegerIsFloat64LikeTheReference) {
  ParsedLine p = Parse("a/b 42");
  EXPECT_EQ(p.value.type, ValueType::kFloat64);
  EXPECT_EQ(p.value.AsFloat64(), 42.0);
  EXPECT_EQ(Parse("a/b 3000000000").value.AsFloat64(), 3e9);
}

TEST(LineProtoTest, AcceptsEveryFloatSpelling) {
  EXPECT_EQ(Parse("a/b -7").value.AsFloat64(), -7.0);
  EXPECT_EQ(Parse("a/b 1e-3").value.AsFloat64(), 1e-3);
  EXPECT_EQ(Parse("a/b 2.5E2").value.AsFloat64(), 250.0);
  EXPECT_EQ(Parse("a/b .5").value.AsFloat64(), 0.5);
  EXPECT_EQ(Parse("a/b +3.25").value.AsFloat64(), 3.25);
  EXPECT_TRUE(std::isnan(Parse("a/b NaN").value.AsFloat64()));
  EXPECT_EQ(Parse("a/b Inf").value.AsFloat64(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Parse("a/b +Inf").value.AsFloat64(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Parse("a/b -Inf").value.AsFloat64(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Parse("a/b 1e-400").value.AsFloat64(), 0.0);  // underflow rounds to zero
  EXPECT_EQ(Parse("a/b 4e-324").value.AsFloat64(), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(Parse("a/b 1.796196412e+09").value.AsFloat64(), 1796196412.0);
  EXPECT_EQ(Parse("a/b 218927059").value.AsFloat64(), 218927059.0);
  EXPECT_EQ(Parse("a/b 0.1").value.AsFloat64(), 0.1);
  EXPECT_EQ(Parse("a/b 1.7976931348623157e308").value.AsFloat64(),
            std::numeric_limits<double>::max());
  EXPECT_TRUE(std::isnan(Parse("a/b nan").value.AsFloat64()));
  EXPECT_EQ(Parse("a/b -inf").value.AsFloat64(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::signbit(Parse("a/b -0").value.AsFloat64()));
}

TEST(LineProtoTest, TimestampIsTheRestOfTheLine) {
  EXPECT_EQ(Parse("db/m 1.5 2026-05-01 12:00:00.5").ts,
            DaysFromCivil(2026, 5, 1) * 86400 * kS + 12 * 3600 * kS + kS / 2);
  EXPECT_EQ(Parse("db/m 1.5 2026-05-24").ts, kNow - 12 * 3600 * kS);
  EXPECT_EQ(Parse("db/m 1.5 2026-05-24 12:30").ts, kNow + 30 * 60 * kS);
  EXPECT_EQ(Parse("db/m 1.5 -20s").ts, kNow - 20 * kS);
  EXPECT_EQ(Parse("db/m 1.5 -1.5h").ts, kNow - 5400 * kS);
  EXPECT_EQ(Parse("db/m\t1.5\t\t2026-05-24\t12:00:00").ts, kNow);
  EXPECT_EQ(Parse("  db/m   1.5   123  \r").ts, 123);
}

TEST(LineProtoTest, TargetSplitsAtFirstSlashAndMetricMayNotHoldAnother) {
  EXPECT_THAT(Error("db/a/b 1"), HasSubstr("invalid metric name \"a/b\""));
}

TEST(LineProtoTest, SkipsBlankAndCommentLines) {
  for (std::string_view line : {"", "   ", "\r", "# a comment", "   # indented", "\t"}) {
    ParsedLine out;
    out.ts = 99;
    bool skip = false;
    EXPECT_TRUE(ParseLine(line, kNow, &out, &skip).ok()) << line;
    EXPECT_TRUE(skip) << line;
    EXPECT_EQ(out.ts, 99);
  }
}

TEST(LineProtoTest, ErrorsNameTheToken) {
  EXPECT_EQ(Error("home/cpu 4x2"),
            "invalid value \"4x2\" (expected a number, or an integer with suffix i for int64)");
  EXPECT_EQ(Error("home/cpu"), "invalid line \"home/cpu\": expected 'DB/metric value [timestamp]'");
  EXPECT_EQ(Error("homecpu 1"), "invalid target \"homecpu\": expected DB/metric");
  EXPECT_EQ(Error("/cpu 1"), "invalid target \"/cpu\": expected DB/metric");
  EXPECT_EQ(Error("home/ 1"), "invalid target \"home/\": expected DB/metric");
  EXPECT_THAT(Error("home/cpu 4.5i"), HasSubstr("invalid int value \"4.5i\""));
  EXPECT_THAT(Error("home/cpu i"), HasSubstr("invalid int value \"i\""));
  EXPECT_EQ(Error("home/cpu 9223372036854775808i"),
            "int value \"9223372036854775808i\" out of int64 range "
            "(-9223372036854775808..9223372036854775807); drop the i suffix to store it as "
            "float64");
  EXPECT_THAT(Error("home/cpu -9223372036854775809i"), HasSubstr("out of int64 range"));
  EXPECT_EQ(Error("home/cpu 1e400"),
            "float value \"1e400\" out of range for float64 (magnitude above 1.8e308)");
  EXPECT_THAT(Error("home/cpu -1e309"), HasSubstr("float value \"-1e309\" out of range"));
  EXPECT_THAT(Error("home/cpu infinityx"), HasSubstr("invalid value \"infinityx\""));
  EXPECT_THAT(Error("home/cpu 1e"), HasSubstr("invalid value \"1e\""));
  EXPECT_THAT(Error("home/cpu +-1"), HasSubstr("invalid value \"+-1\""));
  EXPECT_THAT(Error("home/cpu 0x10"), HasSubstr("invalid value \"0x10\""));
  EXPECT_THAT(Error("home/cpu 1 yesterday"), HasSubstr("invalid timestamp \"yesterday\""));
  EXPECT_THAT(Error("home/cpu 1 2026-05-24 12:00 extra"),
              HasSubstr("invalid timestamp \"2026-05-24 12:00 extra\""));
  EXPECT_THAT(Error(".hidden/cpu 1"), HasSubstr("invalid database name \".hidden\""));
  EXPECT_THAT(Error("ho$me/cpu 1"), HasSubstr("character \"$\" at position 2"));
}

TEST(LineProtoTest, LongLinesAreShortenedInErrors) {
  std::string line = "x" + std::string(1000, 'a');
  std::string msg = Error(line);
  EXPECT_LT(msg.size(), 200u);
  EXPECT_THAT(msg, HasSubstr("...\""));
}

TEST(LineProtoTest, FormatsCanonicalLines) {
  EXPECT_EQ(FormatLine("home", "cpu.temp", Value::Float64(21.5), kNow),
            "home/cpu.temp 21.5 2026-05-24 12:00:00.000000000");
  EXPECT_EQ(FormatLine("home", "door", Value::Int64(-3), kNow + 1),
            "home/door -3i 2026-05-24 12:00:00.000000001");
  EXPECT_EQ(FormatLine("home", "door", Value::Int64(3), kNow, true),
            "home/door 3i 1779624000000000000");
  EXPECT_EQ(FormatLine("home", "door", Value::Int64(3), -1, true),
            "home/door 3i 1969-12-31 23:59:59.999999999");
  EXPECT_EQ(FormatLine("h", "big", Value::Float64(1e6), 0),
            "h/big 1000000 1970-01-01 00:00:00.000000000");
}

TEST(LineProtoTest, BodyCountsLinesAndKeepsGoingPastErrors) {
  std::string body =
      "# header\r\n"
      "a/x 1 10\r\n"
      "\n"
      "a/x bad 11\n"
      "a/y 2i 12\n"
      "b/z 3";
  std::vector<std::pair<size_t, ParsedLine>> seen;
  ParseSummary sum =
      ParseBody(body, kNow, [&](size_t n, const ParsedLine& p) { seen.emplace_back(n, p); });
  EXPECT_EQ(sum.lines, 6u);
  EXPECT_EQ(sum.samples, 3u);
  EXPECT_EQ(sum.skipped, 2u);
  EXPECT_EQ(sum.errors, 1u);
  ASSERT_EQ(sum.first_errors.size(), 1u);
  EXPECT_EQ(sum.first_errors[0].line, 4u);
  EXPECT_THAT(sum.first_errors[0].status.message(), HasSubstr("invalid value \"bad\""));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].first, 2u);
  EXPECT_EQ(seen[0].second.ts, 10);
  EXPECT_EQ(seen[1].first, 5u);
  EXPECT_EQ(seen[1].second.value.AsInt64(), 2);
  EXPECT_EQ(seen[2].first, 6u);
  EXPECT_EQ(seen[2].second.db, "b");
  EXPECT_EQ(seen[2].second.ts, kNow);
}

TEST(LineProtoTest, BodyKeepsOnlyMaxErrorsButCountsAll) {
  std::string body;
  for (int i = 0; i < 50; ++i) body += "bad line here\n";
  body += "a/b 1 5\n";
  size_t calls = 0;
  ParseSummary sum = ParseBody(
      body, kNow, [&](size_t, const ParsedLine&) { ++calls; }, 20);
  EXPECT_EQ(sum.lines, 51u);
  EXPECT_EQ(sum.errors, 50u);
  EXPECT_EQ(sum.first_errors.size(), 20u);
  EXPECT_EQ(sum.first_errors.back().line, 20u);
  EXPECT_EQ(calls, 1u);
}

TEST(LineProtoTest, ShortDecimalsRoundLikeAFullParse) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200000; ++i) {
    std::string digits = std::to_string(rng() % (i % 2 ? 10'000'000 : 1'000'000'000'000'000));
    size_t dot = rng() % (digits.size() + 4);
    std::string text = dot <= digits.size() ? digits.substr(0, dot) + "." + digits.substr(dot)
                                            : "0." + std::string(dot - digits.size(), '0') + digits;
    if (rng() % 2) text = "-" + text;
    double expected = 0;
    std::from_chars(text.data(), text.data() + text.size(), expected);
    ParsedLine p = Parse("a/b " + text + " 1");
    uint64_t want;
    std::memcpy(&want, &expected, 8);
    ASSERT_EQ(p.value.bits, want) << text;
  }
}

TEST(LineProtoTest, NineteenDigitTimestampsStopAtInt64Max) {
  EXPECT_EQ(Parse("a/b 1 9223372036854775807").ts, std::numeric_limits<int64_t>::max());
  EXPECT_THAT(Error("a/b 1 9223372036854775808"), HasSubstr("beyond the int64 nanosecond range"));
  EXPECT_EQ(Parse("a/b 1 0000000000000000001").ts, 1);
}

TEST(LineProtoTest, RandomSamplesRoundTripThroughFormatLine) {
  std::mt19937_64 rng(42);
  const std::string metric_chars = "abcdefghijklmnopqrstuvwxyz0123456789._-:";
  for (int i = 0; i < 20000; ++i) {
    std::string db = "db" + std::to_string(rng() % 100);
    std::string metric(1 + rng() % 20, 'm');
    for (size_t k = 1; k < metric.size(); ++k)
      metric[k] = metric_chars[rng() % metric_chars.size()];
    Value v;
    if (rng() % 2) {
      v = Value::Int64(static_cast<int64_t>(rng() >> (rng() % 64)));
    } else {
      v.type = ValueType::kFloat64;
      v.bits = rng();
    }
    Timestamp ts = static_cast<Timestamp>(rng());
    bool ns = rng() % 2;
    std::string line = FormatLine(db, metric, v, ts, ns);
    ParsedLine p = Parse(line);
    ASSERT_EQ(p.db, db) << line;
    ASSERT_EQ(p.metric, metric) << line;
    ASSERT_EQ(p.ts, ts) << line;
    ASSERT_EQ(p.value.type, v.type) << line;
    if (v.type == ValueType::kFloat64 && std::isnan(v.AsFloat64())) {
      ASSERT_TRUE(std::isnan(p.value.AsFloat64())) << line;
    } else {
      ASSERT_EQ(p.value.bits, v.bits) << line;
    }
  }
}

}  // namespace
}  // namespace nanotdb
