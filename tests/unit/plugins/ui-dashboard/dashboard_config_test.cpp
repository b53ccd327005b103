#include "dashboard_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace nanotdb::ui {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string Doc(const std::string& widgets, const std::string& refs = "\"w\"") {
  return R"({"title":"T","groups":[{"id":"g","label":"G","widgets":[)" + refs +
         R"(]}],"widgets":{)" + widgets + "}}";
}

TEST(DashboardConfigTest, ShippedDefaultDashboardIsValid) {
  std::ifstream in("etc/dashboard.json");
  ASSERT_TRUE(in) << "run from the source root";
  std::stringstream ss;
  ss << in.rdbuf();
  DashboardValidation v = ValidateDashboard(ss.str());
  EXPECT_THAT(v.errors, IsEmpty());
  EXPECT_THAT(v.normalized_json, HasSubstr("\"nanotdb_snapshot\""));
}

TEST(DashboardConfigTest, MinimalNumberWidgetNormalizesAliases) {
  DashboardValidation v = ValidateDashboard(Doc(
      R"("w":{"type":"number","series":[{"database":"metrics","query":"cpu.busy_pct",
          "scale":0.5,"unit":"%","transform":{},"thresholds":{}}]})"));
  ASSERT_TRUE(v.ok()) << v.errors[0];
  EXPECT_THAT(v.normalized_json, HasSubstr("\"db\": \"metrics\""));
  EXPECT_THAT(v.normalized_json, HasSubstr("\"metric\": \"cpu.busy_pct\""));
  EXPECT_THAT(v.normalized_json, HasSubstr("\"factor\": 0.5"));
  EXPECT_THAT(v.normalized_json, Not(HasSubstr("thresholds")));
  EXPECT_THAT(v.normalized_json, Not(HasSubstr("database")));
}

TEST(DashboardConfigTest, QueryWithDatabasePrefixSplitsIntoDbAndMetric) {
  DashboardValidation v =
      ValidateDashboard(Doc(R"("w":{"type":"number","series":[{"query":"internal/x.y"}]})"));
  ASSERT_TRUE(v.ok());
  EXPECT_THAT(v.normalized_json, HasSubstr("\"db\": \"internal\""));
  EXPECT_THAT(v.normalized_json, HasSubstr("\"metric\": \"x.y\""));
}

TEST(DashboardConfigTest, MeasurementAndFieldBecomeOneMetricName) {
  DashboardValidation v = ValidateDashboard(
      Doc(R"("w":{"type":"number","series":[{"measurement":"room","field":"temp"}]})"));
  ASSERT_TRUE(v.ok());
  EXPECT_THAT(v.normalized_json, HasSubstr("\"metric\": \"room.temp\""));
}

TEST(DashboardConfigTest, EveryProblemIsReportedNamingWidgetAndField) {
  DashboardValidation v = ValidateDashboard(Doc(
      R"("w":{"type":"line_chart","lookback":"1h30m","series":[
           {"label":"a","metric":"m","aggregate":"median"},
           {"label":"a","metric":"bad name"}]},
         "x":{"type":"pie","series":[]})",
      R"("w","x","nope")"));
  EXPECT_FALSE(v.ok());
  EXPECT_TRUE(v.normalized_json.empty());
  EXPECT_THAT(v.errors, Contains(AllOf(HasSubstr("widget \"w\""), HasSubstr("invalid lookback"),
                                       HasSubstr("1h30m"))));
  EXPECT_THAT(v.errors, Contains(AllOf(HasSubstr("widget \"w\""), HasSubstr("\"interval\""))));
  EXPECT_THAT(v.errors, Contains(AllOf(HasSubstr("series 1"), HasSubstr("\"aggregate\""),
                                       HasSubstr("median"))));
  EXPECT_THAT(v.errors, Contains(AllOf(HasSubstr("series 2"), HasSubstr("whitespace"))));
  EXPECT_THAT(v.errors, Contains(HasSubstr("two series have the label \"a\"")));
  EXPECT_THAT(v.errors, Contains(AllOf(HasSubstr("widget \"x\""), HasSubstr("unsupported type"))));
  EXPECT_THAT(v.errors,
              Contains(AllOf(HasSubstr("widget \"x\""), HasSubstr("at least one series"))));
  EXPECT_THAT(v.errors, Contains(AllOf(HasSubstr("group \"g\""), HasSubstr("\"nope\""))));
}

TEST(DashboardConfigTest, InvalidJsonIsReportedAsSuch) {
  DashboardValidation v = ValidateDashboard("{\"title\": ");
  ASSERT_EQ(v.errors.size(), 1u);
  EXPECT_THAT(v.errors[0], HasSubstr("invalid JSON"));
  EXPECT_THAT(ValidateDashboard("[1,2]").errors, Contains(HasSubstr("JSON object")));
}

TEST(DashboardConfigTest, TitleGroupsAndIdsAreRequiredAndUnique) {
  DashboardValidation v = ValidateDashboard(
      R"({"title":"  ","groups":[{"id":"a","widgets":[]},{"id":"a","widgets":[]}],"widgets":{}})");
  EXPECT_THAT(v.errors, Contains(HasSubstr("\"title\" is required")));
  EXPECT_THAT(v.errors, Contains(HasSubstr("group ids must be unique")));
  EXPECT_THAT(ValidateDashboard(R"({"title":"t","groups":[],"widgets":{}})").errors,
              Contains(HasSubstr("non-empty array")));
}

TEST(DashboardConfigTest, UnknownFieldsAreNamed) {
  DashboardValidation v = ValidateDashboard(
      Doc(R"("w":{"type":"number","colour":"red","series":[{"metric":"m","lable":"x"}]})"));
  EXPECT_THAT(v.errors, Contains(AllOf(HasSubstr("widget \"w\""), HasSubstr("\"colour\""))));
  EXPECT_THAT(v.errors, Contains(AllOf(HasSubstr("series 1"), HasSubstr("\"lable\""))));
}

TEST(DashboardConfigTest, ThresholdsNeedDirectionAndConsistentOrder) {
  auto with = [](const std::string& t) {
    return ValidateDashboard(
        Doc(R"("w":{"type":"number","series":[{"metric":"m","thresholds":)" + t + "}]}"));
  };
  EXPECT_THAT(with(R"({"warning":1})").errors, Contains(HasSubstr("\"above\" or \"below\"")));
  EXPECT_THAT(with(R"({"direction":"sideways","warning":1})").errors,
              Contains(HasSubstr("sideways")));
  EXPECT_THAT(with(R"({"direction":"above","warning":90,"critical":80})").errors,
              Contains(HasSubstr("must not exceed critical")));
  EXPECT_THAT(with(R"({"direction":"below","warning":10,"critical":20})").errors,
              Contains(HasSubstr("must not be under critical")));
  EXPECT_TRUE(with(R"({"direction":"below","warning":20,"critical":10})").ok());
}

TEST(DashboardConfigTest, ChartAggregateSeriesTakeTheWidgetInterval) {
  DashboardValidation v =
      ValidateDashboard(Doc(R"("w":{"type":"line_chart","lookback":"6h","interval":"5m",
              "series":[{"metric":"m","aggregate":"max","window":"1m"}]})"));
  ASSERT_TRUE(v.ok()) << v.errors[0];
  EXPECT_THAT(v.normalized_json, HasSubstr("\"window\": \"5m\""));
}

TEST(DashboardConfigTest, NumberAggregateNeedsWindow) {
  EXPECT_THAT(
      ValidateDashboard(Doc(R"("w":{"type":"number","series":[{"metric":"m","aggregate":"avg"}]})"))
          .errors,
      Contains(HasSubstr("must be set together")));
}

TEST(DashboardConfigTest, AggregateBandShortcutAndExplicitRoles) {
  EXPECT_TRUE(ValidateDashboard(Doc(R"("w":{"type":"aggregate_band","lookback":"1d",
      "interval":"10m","series":[{"metric":"cpu"}]})"))
                  .ok());
  EXPECT_TRUE(ValidateDashboard(Doc(R"("w":{"type":"line_chart","presentation":"aggregate_band",
      "lookback":"1d","interval":"10m","series":[{"metric":"cpu","role":"min"},
      {"metric":"cpu","role":"avg"},{"metric":"cpu","role":"max"}]})"))
                  .ok());
  DashboardValidation bad = ValidateDashboard(Doc(R"("w":{"type":"aggregate_band",
      "lookback":"1d","interval":"10m","series":[{"metric":"cpu","role":"min"},
      {"metric":"other","role":"max","label":"hi"}]})"));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("exactly one series with role \"avg\"")));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("same db and metric")));
}

TEST(DashboardConfigTest, ColorsAndFormatsAreChecked) {
  DashboardValidation v = ValidateDashboard(Doc(R"("w":{"type":"number","series":[
      {"metric":"m","color":"#12345","transform":{"format":"no placeholder","decimals":1.5}}]})"));
  EXPECT_THAT(v.errors, Contains(HasSubstr("\"color\" \"#12345\"")));
  EXPECT_THAT(v.errors, Contains(HasSubstr("{duration}")));
  EXPECT_THAT(v.errors, Contains(HasSubstr("\"decimals\"")));
}

TEST(DashboardConfigTest, DurationsAreAWholeNumberAndOneUnit) {
  int64_t ns = 0;
  EXPECT_TRUE(ParseDashboardDuration("90s", &ns));
  EXPECT_EQ(ns, 90'000'000'000);
  EXPECT_TRUE(ParseDashboardDuration("24H", &ns));
  EXPECT_EQ(ns, 24 * 3600 * 1'000'000'000LL);
  EXPECT_TRUE(ParseDashboardDuration("2w", &ns));
  for (const char* bad : {"", "s", "0s", "1h30m", "1.5h", "500ms", "-5m", "10", "10y"}) {
    EXPECT_FALSE(ParseDashboardDuration(bad, &ns)) << bad;
  }
}

TEST(DashboardConfigTest, EventLogWidgetsListEventsNotSeries) {
  DashboardValidation v = ValidateDashboard(Doc(
      R"("w":{"type":"event_log","title":"Doors","lookback":"1d",
          "events":{"limit":50,"name":"door.open","db":"home"}})"));
  ASSERT_TRUE(v.ok()) << v.errors[0];
  EXPECT_THAT(v.normalized_json, HasSubstr(R"("events": {
        "db": "home",
        "name": "door.open",
        "limit": 50
      })"));
  EXPECT_THAT(v.normalized_json, Not(HasSubstr("series")));
  EXPECT_TRUE(ValidateDashboard(Doc(R"("w":{"type":"event_log"})")).ok());

  DashboardValidation bad =
      ValidateDashboard(Doc(R"("w":{"type":"event_log","interval":"1m","series":[{"metric":"x"}],
              "events":{"db":"a b","name":"","limit":5000,"show":true,"color":"red"}})"));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("widget \"w\": field \"interval\" is not used by "
                                             "event_log widgets")));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("event_log widgets list events, not series")));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("widget \"w\" events: field \"db\"")));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("field \"name\" \"\" must be an event name")));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("field \"limit\" must be a whole number from 1 to "
                                             "1000")));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("field \"show\" (markers shown at first) is only "
                                             "used by charts")));
  EXPECT_THAT(bad.errors, Contains(HasSubstr("events: unknown field \"color\"")));
}

TEST(DashboardConfigTest, ChartsTakeEventMarkersNumbersDoNot) {
  DashboardValidation v =
      ValidateDashboard(Doc(R"("w":{"type":"line_chart","lookback":"6h","interval":"1m",
              "series":[{"metric":"cpu.busy_pct"}],"events":{"show":false}})"));
  ASSERT_TRUE(v.ok()) << v.errors[0];
  EXPECT_THAT(v.normalized_json, HasSubstr("\"show\": false"));
  DashboardValidation numbers = ValidateDashboard(
      Doc(R"("w":{"type":"numbers","series":[{"metric":"cpu.busy_pct"}],"events":{}})"));
  EXPECT_THAT(numbers.errors, Contains(HasSubstr("field \"events\" is only used by line_chart, "
                                                 "aggregate_band (markers) and event_log")));
  DashboardValidation not_object =
      ValidateDashboard(Doc(R"("w":{"type":"line_chart","lookback":"6h","interval":"1m",
              "series":[{"metric":"x"}],"events":"deploy"})"));
  EXPECT_THAT(not_object.errors, Contains(HasSubstr("field \"events\" must be an object")));
}

TEST(DashboardConfigTest, NormalizedOutputValidatesToItself) {
  DashboardValidation first = ValidateDashboard(
      Doc(R"("w":{"type":"numbers","series":[{"metric":"a","offset":1,"format":"{value} x"}]})"));
  ASSERT_TRUE(first.ok());
  DashboardValidation second = ValidateDashboard(first.normalized_json);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first.normalized_json, second.normalized_json);
}

}  // namespace
}  // namespace nanotdb::ui
