#include <gtest/gtest.h>

#include <filesystem>

#include "nanotdb/query.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;

TEST(WildcardMatchTest, StarAndQuestionMark) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("cpu.*", "cpu.usage_user"));
  EXPECT_TRUE(WildcardMatch("net.*.rx_bytes", "net.eth0.rx_bytes"));
  EXPECT_FALSE(WildcardMatch("net.*.rx_bytes", "net.eth0.tx_bytes"));
  EXPECT_TRUE(WildcardMatch("disk?", "disk1"));
  EXPECT_FALSE(WildcardMatch("disk?", "disk12"));
  EXPECT_TRUE(WildcardMatch("*a*b*c", "xxaxxbxxc"));
  EXPECT_FALSE(WildcardMatch("*a*b*c", "xxaxxcxxb"));
}

TEST(SelectMetricsTest, ExactWildcardAndRegex) {
  fs::path root = fs::temp_directory_path() / ("nanotdb-sel-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  {
    EngineOptions o;
    o.root = root.string();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok());
    for (const char* m : {"cpu.user", "cpu.system", "mem.free", "temp.out"}) {
      ASSERT_TRUE((*e)->Write("db", m, 1, Value::Float64(1)).ok());
    }
    auto r = SelectMetrics(**e, "db", "cpu.user", SelectorKind::kExact);
    EXPECT_EQ(*r, std::vector<std::string>{"cpu.user"});
    r = SelectMetrics(**e, "db", "cpu.*", SelectorKind::kWildcard);
    EXPECT_EQ(*r, (std::vector<std::string>{"cpu.system", "cpu.user"}));
    r = SelectMetrics(**e, "db", "^(mem|temp)\\.", SelectorKind::kRegex);
    EXPECT_EQ(*r, (std::vector<std::string>{"mem.free", "temp.out"}));
    r = SelectMetrics(**e, "db", "(", SelectorKind::kRegex);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("invalid metric regex \"(\""), std::string::npos);
    EXPECT_TRUE(SelectMetrics(**e, "nope", ".*", SelectorKind::kRegex).status().IsNotFound());
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace nanotdb
