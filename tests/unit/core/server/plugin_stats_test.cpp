#include "server/plugin_stats.h"

#include <gtest/gtest.h>

#include <stdexcept>

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

}  // namespace
}  // namespace nanotdb::server
