// The SDK's typed reader of plugin TOML tables (nanotdb/config_table.h).
#include "nanotdb/config_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nanotdb {
namespace {

using ::testing::HasSubstr;

TEST(ParseHostPortTest, NamesAndAddressesAndTheirErrors) {
  Result<HostPort> v4 = ParseHostPort("127.0.0.1:9100", "x");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9100);
  Result<HostPort> v6 = ParseHostPort("[::1]:8883", "x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(ParseHostPort("localhost", "h:1").status().message(),
            "\"localhost\": expected host:port (such as h:1)");
  EXPECT_EQ(ParseHostPort("::1:80", "h:1").status().message(),
            "\"::1:80\": expected host:port (such as h:1)");
  EXPECT_EQ(ParseHostPort("h:0", "h:1").status().message(), "\"h:0\": port must be 1..65535");
  EXPECT_EQ(ParseHostPort("h:65536", "h:1").status().message(),
            "\"h:65536\": port must be 1..65535");
  EXPECT_FALSE(ParseHostPort("a b:80", "h:1").ok());
  EXPECT_FALSE(ParseHostPort("h:80x", "h:1").ok());
}

TEST(ConfigTableTest, TypedKeysKeepDefaultsAndNameTheTableAndKeyInErrors) {
  Result<ConfigTable> root = ConfigTable::Parse(R"(
[[job]]
name = "a"
every = "30s"
on = true
count = 3
tags = ["x", "y"]
[job.labels]
site = "attic"
[[job]]
name = 7
)",
                                                "job");
  ASSERT_TRUE(root.ok()) << root.status().message();
  Result<std::vector<ConfigTable>> jobs = root->Tables("job", "[[plugins.demo.job]]");
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  const ConfigTable& a = (*jobs)[0];
  std::string name = "default";
  int64_t every = 1, missing = 42;
  bool on = false;
  size_t count = 0;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> labels;
  EXPECT_TRUE(a.String("name", &name).ok());
  EXPECT_TRUE(a.Duration("every", &every).ok());
  EXPECT_TRUE(a.Duration("absent", &missing).ok());
  EXPECT_TRUE(a.Bool("on", &on).ok());
  EXPECT_TRUE(a.Count("count", &count).ok());
  EXPECT_TRUE(a.Strings("tags", &tags).ok());
  EXPECT_TRUE(a.StringPairs("labels", &labels).ok());
  EXPECT_EQ(name, "a");
  EXPECT_EQ(every, 30'000'000'000);
  EXPECT_EQ(missing, 42);
  EXPECT_TRUE(on);
  EXPECT_EQ(count, 3u);
  EXPECT_THAT(tags, ::testing::ElementsAre("x", "y"));
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0].second, "attic");
  EXPECT_EQ(a.Known({"name", "every", "on", "count", "tags"}).message(),
            "job[0]: unknown key \"labels\" (known: name, every, on, count, tags)");
  EXPECT_TRUE(a.Known({"name", "every", "on", "count", "tags", "labels"}).ok());

  EXPECT_EQ((*jobs)[1].String("name", &name).message(), "job[1]: name must be a string");
  EXPECT_EQ(a.Bool("name", &on).message(), "job[0]: name must be true or false");
  EXPECT_EQ(a.Count("on", &count).message(), "job[0]: on must be a positive integer");
  EXPECT_EQ(a.Duration("count", &every).message(),
            "job[0]: count must be a duration string such as \"30s\"");
  EXPECT_THAT(a.Duration("name", &every).message(),
              HasSubstr("job[0]: name must be a duration such as \"30s\": "));
  EXPECT_EQ(a.Strings("name", &tags).message(), "job[0]: name must be a list of strings");
}

TEST(ConfigTableTest, ParseAndShapeErrorsSayWhatWasExpected) {
  Result<ConfigTable> bad = ConfigTable::Parse("job = [", "job");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("job: "));
  Result<ConfigTable> flat = ConfigTable::Parse("job = 1\nzero = \"0s\"", "job");
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(flat->Tables("job", "[[plugins.demo.job]]").status().message(),
            "job: expected [[plugins.demo.job]] tables (an array of tables)");
  Result<std::vector<ConfigTable>> none = flat->Tables("other", "[[x]]", /*required=*/false);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  int64_t d = 5;
  EXPECT_EQ(flat->Duration("zero", &d).message(), "job: zero must be > 0");
  EXPECT_TRUE(flat->Duration("zero", &d, /*zero_ok=*/true).ok());
  EXPECT_EQ(d, 0);
}

}  // namespace
}  // namespace nanotdb
