#include "nanotdb/series.h"

#include <gtest/gtest.h>

namespace nanotdb {
namespace {

TEST(SeriesKeyTest, MetricWithoutLabelsIsItsOwnKey) {
  Result<std::string> key = MakeSeriesKey("cpu.usage_active", {});
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(*key, "cpu.usage_active");
}

TEST(SeriesKeyTest, LabelsAreSortedAndValuesEscaped) {
  Result<std::string> key = MakeSeriesKey("node_cpu_seconds_total",
                                          {{"mode", "idle"}, {"cpu", "0"}, {"note", "a\"b\\c\nd"}});
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(*key, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\",note=\"a\\\"b\\\\c\\nd\"}");
}

TEST(SeriesKeyTest, EmptyLabelValuesAreDropped) {
  Result<std::string> key = MakeSeriesKey("up", {{"job", ""}, {"instance", "x"}});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "up{instance=\"x\"}");
}

TEST(SeriesKeyTest, ParseRoundTripsTheCanonicalForm) {
  std::string key = "m{a=\"1\",b=\"x \\\"y\\\" \\\\ \\n\"}";
  Result<SeriesName> parsed = ParseSeriesKey(key);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->metric, "m");
  ASSERT_EQ(parsed->labels.size(), 2u);
  EXPECT_EQ(parsed->labels[1].value, "x \"y\" \\ \n");
  std::string again;
  AppendSeriesKey(parsed->metric, parsed->labels, &again);
  EXPECT_EQ(again, key);
  EXPECT_TRUE(IsCanonicalSeriesKey(key));
}

TEST(SeriesKeyTest, ParseAcceptsLooseFormsAndNormalises) {
  Result<SeriesName> parsed = ParseSeriesKey("m{ b='2', a=\"1\", }");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  std::string key;
  AppendSeriesKey(parsed->metric, parsed->labels, &key);
  EXPECT_EQ(key, "m{a=\"1\",b=\"2\"}");
  EXPECT_FALSE(IsCanonicalSeriesKey("m{ b='2', a=\"1\", }"));
}

TEST(SeriesKeyTest, ValidateAcceptsAnyLabelTextButOnlyTheCanonicalForm) {
  // What node_exporter's info series carry: '/', blanks, '#', parentheses, UTF-8.
  Result<std::string> key =
      MakeSeriesKey("node_uname_info", {{"version", "#1 SMP PREEMPT_DYNAMIC @0"},
                                        {"name", "Debian GNU/Linux"},
                                        {"room", "Wohnzimmer °C (süd)"}});
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_TRUE(ValidateSeriesKey(*key).ok()) << ValidateSeriesKey(*key).message();
  EXPECT_TRUE(ValidateSeriesKey("cpu.usage_active").ok());
  EXPECT_NE(ValidateSeriesKey("a b").message().find("whitespace"), std::string::npos);
  EXPECT_NE(ValidateSeriesKey("a/b").message().find("'/'"), std::string::npos);
  EXPECT_NE(ValidateSeriesKey("m}").message().find("'}'"), std::string::npos);
  EXPECT_NE(
      ValidateSeriesKey("m{b=\"2\",a=\"1\"}").message().find("write it as m{a=\"1\",b=\"2\"}"),
      std::string::npos);
  EXPECT_NE(ValidateSeriesKey("m x{a=\"1\"}").message().find("whitespace"), std::string::npos);
}

TEST(SeriesKeyTest, ErrorsNameTheProblem) {
  auto message = [](std::string_view key) { return ParseSeriesKey(key).status().message(); };
  EXPECT_NE(message("m{a=\"1\"").find("missing '}'"), std::string::npos) << message("m{a=\"1\"");
  EXPECT_NE(message("m{a=1}").find("expected a quoted value for label \"a\""), std::string::npos);
  EXPECT_NE(message("m{a=\"1\",a=\"2\"}").find("label \"a\" given twice"), std::string::npos);
  EXPECT_NE(message("m{db=\"x\"}").find("exported_db"), std::string::npos);
  EXPECT_NE(message("m{__x=\"x\"}").find("reserved"), std::string::npos);
  EXPECT_NE(message("m{1a=\"x\"}").find("invalid label name \"1a\""), std::string::npos);
  EXPECT_NE(message("m{a=\"x\\q\"}").find("unknown escape"), std::string::npos);
  EXPECT_NE(message("m{a=\"x\"} tail").find("unexpected text after '}'"), std::string::npos);
  EXPECT_NE(message("a/b").find("'/'"), std::string::npos);
  EXPECT_FALSE(MakeSeriesKey("m}", {}).ok());
}

TEST(SeriesKeyTest, LimitsAreEnforced) {
  Labels many;
  for (int i = 0; i < 65; ++i) many.push_back({"l" + std::to_string(i), "v"});
  EXPECT_FALSE(MakeSeriesKey("m", many).ok());
  EXPECT_FALSE(MakeSeriesKey("m", {{"a", std::string(1025, 'x')}}).ok());
  EXPECT_FALSE(ParseSeriesKey(std::string(5000, 'm')).ok());
}

TEST(SeriesKeyTest, MetricNamePartNeedsNoParse) {
  EXPECT_EQ(SeriesMetricName("cpu{core=\"0\"}"), "cpu");
  EXPECT_EQ(SeriesMetricName("cpu"), "cpu");
}

}  // namespace
}  // namespace nanotdb
