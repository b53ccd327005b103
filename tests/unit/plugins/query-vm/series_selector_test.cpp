#include "series_selector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

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

// The value of the equality matcher on `label`, "" when there is none.
std::string Equality(const SeriesSelector& sel, std::string_view label) {
  for (const LabelMatcher& m : sel.matchers) {
    if (m.label == label && m.op == Op::kEqual) return m.value;
  }
  return "";
}

TEST(SeriesSelectorTest, EveryNameFormIsTheMetricAndItsDatabase) {
  // The forms a query accepts, and the labels of an answer pasted back.
  for (std::string_view text :
       {"demo/room.temp", " {__name__=\"demo/room.temp\"} ", "{\"demo/room.temp\"}",
        "room.temp{db=\"demo\"}", "{__name__=\"room.temp\",db=\"demo\"}",
        "{\"room.temp\", db=\"demo\"}"}) {
    SeriesSelector sel = Parse(text);
    EXPECT_EQ(sel.matchers.size(), 2u) << text;
    EXPECT_EQ(Equality(sel, "__name__"), "room.temp") << text;
    EXPECT_EQ(Equality(sel, "db"), "demo") << text;
    EXPECT_FALSE(Accepts(sel, "__name__", "room.temps")) << text;
  }
  SeriesSelector bare = Parse("room.temp");
  ASSERT_EQ(bare.matchers.size(), 1u);
  EXPECT_EQ(Equality(bare, "__name__"), "room.temp");
}

TEST(SeriesSelectorTest, QuotedNamesAndValuesHoldAnyText) {
  SeriesSelector sel = Parse(
      "{\"temp\xc3\xa9rature-\xe2\x84\x83\", room=\"living room/1\", "
      "note=\"caf\\u00e9 \\\"q\\\" \\\\ \\n\"}");
  EXPECT_EQ(Equality(sel, "__name__"), "temp\xc3\xa9rature-\xe2\x84\x83");
  EXPECT_EQ(Equality(sel, "room"), "living room/1");
  EXPECT_EQ(Equality(sel, "note"), "caf\xc3\xa9 \"q\" \\ \n");
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

TEST(SeriesSelectorTest, PromQlThatIsNoSelectorIsRejectedByName) {
  EXPECT_THAT(ParseError("rate(demo/x[5m])"),
              HasSubstr("match[] must be a series selector, got a call to function \"rate\""));
  EXPECT_THAT(ParseError("demo/x[5m]"), HasSubstr("got a range vector"));
  EXPECT_THAT(ParseError("demo/x + 1"), HasSubstr("got an expression with operator \"+\""));
  EXPECT_THAT(ParseError("sum by (db) (demo/x)"), HasSubstr("got an aggregation \"sum\""));
  EXPECT_THAT(ParseError("demo/x offset 5m"), HasSubstr("got a selector with offset"));
  EXPECT_THAT(ParseError("(demo/x)"), HasSubstr("got an expression in parentheses"));
}

TEST(SeriesSelectorTest, MalformedSelectorsNameThePosition) {
  EXPECT_EQ(ParseError("{__name__=~\"(\"}"),
            "1:12: parse error: invalid regular expression \"(\" for label \"__name__\": missing "
            "): (");
  EXPECT_EQ(ParseError("{__name__=\"demo/x}"), "1:11: parse error: unterminated quoted string");
  EXPECT_THAT(ParseError("{__name__=\"demo/x\""), HasSubstr("1:19: parse error: unexpected end"));
  EXPECT_THAT(ParseError("{__name__ \"x\"}"),
              HasSubstr("1:11: parse error: unexpected string \"x\" in label matching"));
  EXPECT_EQ(ParseError("{}"),
            "1:1: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(ParseError("{job=~\".*\"}"),
            "1:1: parse error: vector selector must contain at least one non-empty matcher");
}

TEST(SeriesSelectorTest, MatcherAndRegexLimitsAreEnforcedBeforeCompiling) {
  std::string many = "{";
  for (size_t i = 0; i < kMaxRegexMatchers + 1; ++i) many += "db=~\"d.*\",";
  many += "}";
  Result<SeriesSelector> r = ParseSeriesSelector(many);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("more than 16 regex matchers (=~, !~)"));

  std::string equal = "{";
  for (size_t i = 0; i < kMaxMatchers + 1; ++i) equal += "db=\"d\",";
  equal += "}";
  r = ParseSeriesSelector(equal);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("more than 64 label matchers"));

  r = ParseSeriesSelector("{db=~\"" + std::string(kMaxRegexBytes + 1, 'a') + "\"}");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("at most 4096 are accepted"));

  // A regex whose program needs more than kRegexMaxMem fails instead of growing (with RE2's
  // default budget the same pattern compiles).
  std::string big;
  for (int i = 0; i < 100; ++i) big += "(\\w{1000})";
  ASSERT_TRUE(re2::RE2(big, re2::RE2::Quiet).ok());
  r = ParseSeriesSelector("{db=~\"" + big + "\"}");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("invalid regular expression"));
  EXPECT_THAT(r.status().message(), HasSubstr("pattern too large"));

  EXPECT_TRUE(ParseSeriesSelector("{db=~\"d.*\", __name__=~\"demo/.*\"}").ok());
}

}  // namespace
}  // namespace nanotdb::queryvm
