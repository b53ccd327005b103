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

using Op = LabelMatcher::Op;

// Whether every matcher on `label` accepts `value` (matchers on other labels are ignored).
bool Accepts(const SeriesSelector& sel, std::string_view label, std::string_view value) {
  for (const LabelMatcher& m : sel.matchers) {
    if (m.label == label && !m.Matches(value)) return false;
  }
  return true;
}

TEST(SeriesSelectorTest, BareNameIsANameEquality) {
  SeriesSelector sel = Parse("demo/room.temp");
  ASSERT_EQ(sel.matchers.size(), 1u);
  EXPECT_EQ(sel.matchers[0].label, "__name__");
  EXPECT_EQ(sel.matchers[0].op, Op::kEqual);
  EXPECT_EQ(sel.matchers[0].value, "demo/room.temp");
  EXPECT_FALSE(Accepts(sel, "__name__", "demo/room.temps"));
}

TEST(SeriesSelectorTest, BracedNameMatcherEqualsBareName) {
  SeriesSelector sel = Parse(" {__name__=\"demo/room.temp\"} ");
  ASSERT_EQ(sel.matchers.size(), 1u);
  EXPECT_EQ(sel.matchers[0].value, "demo/room.temp");
  EXPECT_TRUE(Accepts(sel, "__name__", "demo/room.temp"));
}

TEST(SeriesSelectorTest, RegexMatchesTheWholeValue) {
  SeriesSelector sel = Parse("{__name__=~\"demo/room\\\\..*\", db!=\"other\"}");
  ASSERT_EQ(sel.matchers.size(), 2u);
  EXPECT_EQ(sel.matchers[0].op, Op::kRegex);
  EXPECT_TRUE(Accepts(sel, "__name__", "demo/room.temp"));
  EXPECT_FALSE(Accepts(sel, "__name__", "demo/roomXtemp"));
  EXPECT_FALSE(Accepts(sel, "__name__", "xdemo/room.temp"));
  EXPECT_FALSE(Accepts(sel, "db", "other"));
}

TEST(SeriesSelectorTest, LabelMatchersAndNegativeRegex) {
  SeriesSelector sel = Parse("up{db=\"demo\",job!~\".*test\", instance=''}");
  ASSERT_EQ(sel.matchers.size(), 4u);
  EXPECT_TRUE(Accepts(sel, "job", "node"));
  EXPECT_FALSE(Accepts(sel, "job", "node-test"));
  EXPECT_TRUE(Accepts(sel, "instance", ""));  // absent
  EXPECT_FALSE(Accepts(sel, "instance", "x"));
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
