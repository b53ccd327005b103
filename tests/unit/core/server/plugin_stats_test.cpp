#include "server/plugin_stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "server/auth.h"
#include "server/router.h"
#include "server/self_stats.h"

namespace nanotdb::server {
namespace {

StatsService::Collector Reports(double value) {
  return [value] {
    return std::vector<StatValue>{
        {"nanotdb.forward.sent_samples_total", {{"endpoint", "vm"}}, value, true, "Sent."}};
  };
}

TEST(PluginStatsTest, EachPluginPublishesUnderItsNameInPublicationOrder) {
  PluginStatsRegistry registry;
  PluginStatsService forward(registry, "forward-remote-write");
  PluginStatsService other(registry, "other");
  ASSERT_TRUE(other.Publish(Reports(1)).ok());
  ASSERT_TRUE(forward.Publish(Reports(2)).ok());
  ASSERT_TRUE(other.Publish(Reports(3)).ok());  // replaces, keeps its place
  std::vector<PluginStats> all = forward.Collect();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].plugin, "other");
  ASSERT_EQ(all[0].stats.size(), 1u);
  EXPECT_EQ(all[0].stats[0].value, 3);
  EXPECT_EQ(all[1].plugin, "forward-remote-write");
  EXPECT_EQ(all[1].stats[0].labels, (Labels{{"endpoint", "vm"}}));
}

TEST(PluginStatsTest, RemovedPluginIsNeverCalledAgain) {
  PluginStatsRegistry registry;
  PluginStatsService p(registry, "p");
  int calls = 0;
  ASSERT_TRUE(p.Publish([&calls] {
                 ++calls;
                 return std::vector<StatValue>{};
               }).ok());
  registry.Collect();
  registry.Remove("p");
  EXPECT_TRUE(registry.Collect().empty());
  EXPECT_EQ(calls, 1);
}

TEST(PluginStatsTest, ThrowingCollectorReportsNoFigures) {
  PluginStatsRegistry registry;
  PluginStatsService p(registry, "p");
  ASSERT_TRUE(p.Publish([]() -> std::vector<StatValue> { throw std::runtime_error("x"); }).ok());
  std::vector<PluginStats> all = registry.Collect();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(all[0].stats.empty());
}

TEST(PluginStatsTest, MetricsTextGroupsEachFamilyUnderOneHelpWithEscapedLabels) {
  PluginStatsRegistry registry;
  PluginStatsService p(registry, "p");
  ASSERT_TRUE(p.Publish([] {
                 return std::vector<StatValue>{
                     {"nanotdb.x.sent_total", {{"endpoint", "a"}}, 1, true, "Sent."},
                     {"nanotdb.x.lag_seconds", {{"endpoint", "a"}}, 0.5, false, "Lag."},
                     {"nanotdb.x.sent_total", {{"endpoint", "b \"q\"\n"}}, 2, true, "Sent."}};
               }).ok());
  Router router;
  Authenticator auth(AuthConfig{});
  Dispatcher dispatcher(router, auth, RequestLimits{}, {}, false);
  CoreCounters counters;
  SelfStats stats(counters, dispatcher, "/nonexistent");
  stats.set_plugin_stats(&registry);
  EXPECT_THAT(stats.PrometheusText(),
              ::testing::HasSubstr("# HELP nanotdb_x_sent_total Sent.\n"
                                   "# TYPE nanotdb_x_sent_total counter\n"
                                   "nanotdb_x_sent_total{endpoint=\"a\"} 1\n"
                                   "nanotdb_x_sent_total{endpoint=\"b \\\"q\\\"\\n\"} 2\n"
                                   "# HELP nanotdb_x_lag_seconds Lag.\n"
                                   "# TYPE nanotdb_x_lag_seconds gauge\n"
                                   "nanotdb_x_lag_seconds{endpoint=\"a\"} 0.5\n"));
}

TEST(PluginStatsTest, LabelledFiguresAreStoredUnderTheirSeriesKeys) {
  namespace fs = std::filesystem;
  fs::path root =
      fs::temp_directory_path() / ("nanotdb-plugin-stats-" + std::to_string(::getpid()));
  fs::remove_all(root);
  EngineOptions options;
  options.root = root.string();
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  PluginStatsRegistry registry;
  PluginStatsService p(registry, "p");
  ASSERT_TRUE(p.Publish([] {
                 return std::vector<StatValue>{
                     {"nanotdb.x.sent_total", {{"endpoint", "a"}}, 7, true, "Sent."},
                     {"nanotdb.x.bad", {{"1bad", "v"}}, 1, false, "Left out of the database."}};
               }).ok());
  Router router;
  Authenticator auth(AuthConfig{});
  Dispatcher dispatcher(router, auth, RequestLimits{}, {}, false);
  CoreCounters counters;
  SelfStats stats(counters, dispatcher, root.string());
  stats.set_plugin_stats(&registry);
  ASSERT_TRUE(stats.WriteTo(**engine, 1'000'000'000).ok());
  std::vector<Sample> got;
  ASSERT_TRUE((*engine)
                  ->ReadRange(kInternalDatabase, "nanotdb.x.sent_total{endpoint=\"a\"}", 0,
                              kMaxTimestamp, 1,
                              [&](const Sample& s) {
                                got.push_back(s);
                                return true;
                              })
                  .ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Value::Float64(7).bits, got[0].bits);
  engine->reset();
  fs::remove_all(root);
}

}  // namespace
}  // namespace nanotdb::server
