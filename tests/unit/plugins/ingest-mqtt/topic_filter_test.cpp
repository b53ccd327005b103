// Topic filters with every '+' captured, and the templates that use the captures.
#include "topic_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nanotdb::mqtt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TopicFilter F(std::string_view text) {
  auto f = TopicFilter::Parse(text);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *f : TopicFilter();
}

std::vector<std::string> Captures(std::string_view filter, std::string_view topic) {
  std::vector<std::string_view> c;
  if (!F(filter).Match(topic, &c)) return {"<no match>"};
  return {c.begin(), c.end()};
}

TEST(TopicFilterTest, EveryPlusLevelIsCapturedInOrder) {
  EXPECT_THAT(Captures("sensors/+/temperature", "sensors/room1/temperature"), ElementsAre("room1"));
  EXPECT_THAT(Captures("+/+/+", "home/kitchen/temp"), ElementsAre("home", "kitchen", "temp"));
  EXPECT_THAT(Captures("tele/+/SENSOR", "tele/plug 1/SENSOR"), ElementsAre("plug 1"));
  EXPECT_THAT(Captures("a/+", "a/"), ElementsAre(""));
}

TEST(TopicFilterTest, HashMatchesTheParentAndEveryLevelBelow) {
  EXPECT_THAT(Captures("sport/#", "sport"), ElementsAre(""));
  EXPECT_THAT(Captures("sport/#", "sport/tennis/player1"), ElementsAre("tennis/player1"));
  EXPECT_THAT(Captures("+/x/#", "a/x/b/c"), ElementsAre("a", "b/c"));
  EXPECT_THAT(Captures("#", "a/b"), ElementsAre("a/b"));
}

TEST(TopicFilterTest, NonMatches) {
  EXPECT_FALSE(F("sensors/+/temperature").Match("sensors/room1/humidity", nullptr));
  EXPECT_FALSE(F("sensors/+").Match("sensors/a/b", nullptr));
  EXPECT_FALSE(F("sensors/+").Match("sensors", nullptr));
  EXPECT_FALSE(F("a/b").Match("a/b/", nullptr));
  EXPECT_FALSE(F("a").Match("A", nullptr));
}

TEST(TopicFilterTest, DollarTopicsAreNotMatchedByALeadingWildcard) {
  EXPECT_FALSE(F("#").Match("$SYS/broker/uptime", nullptr));
  EXPECT_FALSE(F("+/broker/uptime").Match("$SYS/broker/uptime", nullptr));
  EXPECT_TRUE(F("$SYS/#").Match("$SYS/broker/uptime", nullptr));
}

TEST(TopicFilterTest, InvalidFiltersNameTheProblem) {
  EXPECT_THAT(TopicFilter::Parse("").status().message(), HasSubstr("must not be empty"));
  EXPECT_THAT(TopicFilter::Parse("a/b+").status().message(), HasSubstr("whole level"));
  EXPECT_THAT(TopicFilter::Parse("a/#/b").status().message(), HasSubstr("must be the last"));
  EXPECT_THAT(TopicFilter::Parse("a#").status().message(), HasSubstr("whole level"));
  EXPECT_THAT(TopicFilter::Parse("\xff").status().message(), HasSubstr("UTF-8"));
}

TEST(TemplateTest, PlaceholdersRenderCapturesTopicAndField) {
  TopicFilter f = F("home/+/+/#");
  auto t = Template::Parse("{2}.{field}@{1} {{{#}}} {topic}", f, true);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::vector<std::string_view> c;
  ASSERT_TRUE(f.Match("home/kitchen/plug/x/y", &c));
  EXPECT_EQ(t->Render({"home/kitchen/plug/x/y", &c, 2, "power"}),
            "plug.power@kitchen {x/y} home/kitchen/plug/x/y");
  EXPECT_TRUE(t->uses_field());
}

TEST(TemplateTest, PlaceholdersAreCheckedAgainstTheFilter) {
  TopicFilter f = F("sensors/+/temperature");
  EXPECT_THAT(Template::Parse("{2}", f, true).status().message(),
              HasSubstr("{2} but filter \"sensors/+/temperature\" has 1 '+' level"));
  EXPECT_THAT(Template::Parse("{0}", f, true).status().message(), HasSubstr("has 1"));
  EXPECT_THAT(Template::Parse("{#}", f, true).status().message(), HasSubstr("ending in '#'"));
  EXPECT_THAT(Template::Parse("{field}", f, false).status().message(),
              HasSubstr("only with format = \"json\""));
  EXPECT_THAT(Template::Parse("{room}", f, true).status().message(),
              HasSubstr("unknown placeholder {room}"));
  EXPECT_THAT(Template::Parse("{1", f, true).status().message(), HasSubstr("without '}'"));
  EXPECT_THAT(Template::Parse("a}", f, true).status().message(), HasSubstr("lone '}'"));
}

}  // namespace
}  // namespace nanotdb::mqtt
