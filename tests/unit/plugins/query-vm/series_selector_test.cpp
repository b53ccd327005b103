#include "series_selector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nanotdb::queryvm {
namespace {

using ::testing::HasSubstr;

SeriesSelector Parse(std::string_view text) {
  Result<SeriesSelector> sel = ParseSeriesSelector(text);
  EXPECT_TRUE(sel.ok()) << text << ": " << sel.status().ToString();
  return sel.ok() ? *sel : SeriesSelector{};
}

std::string ParseError(std::string_view text) {
  Result<SeriesSelector> sel = ParseSeriesSelector(text);
  EXPECT_FALSE(sel.ok()) << text << " parsed";
  return sel.ok() ? "" : sel.status().message();
}

TEST(SeriesSelectorTest, BareNameSelectsExactlyThatSeries) {
  SeriesSelector sel = Parse("demo/room.temp");
  EXPECT_EQ(sel.EqualValue("__name__"), "demo/room.temp");
  EXPECT_TRUE(sel.Matches("demo", "demo/room.temp"));
  EXPECT_FALSE(sel.Matches("demo", "demo/room.temps"));
}

TEST(SeriesSelectorTest, BracedNameMatcherEqualsBareName) {
  SeriesSelector sel = Parse(" {__name__=\"demo/room.temp\"} ");
  EXPECT_EQ(sel.EqualValue("__name__"), "demo/room.temp");
  EXPECT_TRUE(sel.Matches("demo", "demo/room.temp"));
}

TEST(SeriesSelectorTest, RegexMatchesTheWholeName) {
  SeriesSelector sel = Parse("{__name__=~\"demo/room\\\\..*\", db!=\"other\"}");
  EXPECT_FALSE(sel.EqualValue("__name__").has_value());
  EXPECT_TRUE(sel.Matches("demo", "demo/room.temp"));
  EXPECT_FALSE(sel.Matches("demo", "demo/roomXtemp"));
  EXPECT_FALSE(sel.Matches("demo", "xdemo/room.temp"));
}

TEST(SeriesSelectorTest, DbMatcherAndNegativeRegex) {
  SeriesSelector sel = Parse("{db=\"demo\",__name__!~\".*count\"}");
  EXPECT_EQ(sel.EqualValue("db"), "demo");
  EXPECT_TRUE(sel.Matches("demo", "demo/room.temp"));
  EXPECT_FALSE(sel.Matches("demo", "demo/room.count"));
  EXPECT_FALSE(sel.Matches("other", "other/room.temp"));
}

TEST(SeriesSelectorTest, AbsentLabelsAreEmpty) {
  EXPECT_TRUE(Parse("{job=\"\"}").Matches("demo", "demo/x"));
  EXPECT_FALSE(Parse("{job=\"node\"}").Matches("demo", "demo/x"));
  EXPECT_TRUE(Parse("{__name__!=\"\"}").Matches("demo", "demo/x"));
}

TEST(SeriesSelectorTest, PromQlConstructsAreRejectedByName) {
  EXPECT_NE(ParseError("rate(demo/x[5m])").find("function \"rate\" is not supported"),
            std::string::npos);
  EXPECT_NE(ParseError("demo/x[5m]").find("range vectors"), std::string::npos);
  EXPECT_NE(ParseError("demo/x + 1").find("unsupported query text \"+ 1\""), std::string::npos);
  EXPECT_NE(ParseError("sum by (db) (demo/x)").find("unsupported query text"), std::string::npos);
}

TEST(SeriesSelectorTest, MalformedSelectorsNameTheProblem) {
  EXPECT_NE(ParseError("{__name__=~\"(\"}").find("invalid regex \"(\""), std::string::npos);
  EXPECT_NE(ParseError("{__name__=\"demo/x}").find("unterminated string"), std::string::npos);
  EXPECT_NE(ParseError("{__name__=\"demo/x\"").find("unterminated '{'"), std::string::npos);
  EXPECT_NE(ParseError("{__name__ \"x\"}").find("expected =, !=, =~ or !~"), std::string::npos);
  EXPECT_NE(ParseError("{}").find("empty query"), std::string::npos);
}

TEST(SeriesSelectorTest, MatcherAndRegexLimitsAreEnforcedBeforeCompiling) {
  std::string many = "{";
  for (size_t i = 0; i < kMaxRegexMatchers + 1; ++i) many += "db=~\"d.*\",";
  many += "}";
  Result<SeriesSelector> r = ParseSeriesSelector(many);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("more than 16 regex matchers"));

  std::string equal = "{";
  for (size_t i = 0; i < kMaxMatchers + 1; ++i) equal += "db=\"d\",";
  equal += "}";
  r = ParseSeriesSelector(equal);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("more than 64 label matchers"));

  r = ParseSeriesSelector("{db=~\"" + std::string(kMaxRegexBytes + 1, 'a') + "\"}");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("at most 4096 are accepted"));

  // A regex whose program needs more than kRegexMaxMem fails instead of growing.
  r = ParseSeriesSelector("{db=~\"((a{1,100}){1,100}){1,100}\"}");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("invalid regex"));

  EXPECT_TRUE(ParseSeriesSelector("{db=~\"d.*\", __name__=~\"demo/.*\"}").ok());
}

}  // namespace
}  // namespace nanotdb::queryvm
