#include "forward_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "cursor.h"

namespace nanotdb::forward {
namespace {

using ::testing::HasSubstr;

Result<std::vector<EndpointConfig>> Parse(const std::string& body) {
  return ParseEndpoints("endpoint = [" + body + "]");
}

TEST(ForwardConfigTest, DefaultsAndEveryKey) {
  auto none = ParseEndpoints("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto e = Parse(R"({ name = "vm", url = "http://127.0.0.1:8428/api/v1/write" })");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->size(), 1u);
  EXPECT_EQ((*e)[0].databases, std::vector<std::string>{"*"});
  EXPECT_EQ((*e)[0].db_label, "db");
  EXPECT_EQ((*e)[0].max_lag, 7 * 24 * 3600 * kNanosPerSecond);

  std::string token = testing::TempDir() + "/forward-token";
  std::ofstream(token) << "abc\n";
  e = ParseEndpoints(R"([[endpoint]]
name = "c-1"
url = "https://x:1/w"
databases = ["home*"]
exclude_databases = ["home-test"]
series = ["cpu.*", 'm{a="1"}']
exclude_series = ["cpu.debug"]
external_labels = { zone = "b", instance = "pi" }
db_label = "source"
metric_names = "keep"
bearer_token_file = ")" +
                     token + R"("
tls_insecure_skip_verify = true
timeout = "3s"
max_samples_per_send = 10
window = "1m"
interval = "1s"
min_backoff = "10ms"
max_backoff = "2s"
backfill = "1h"
max_lag = "1d"
headers = { "X-Scope-OrgID" = "fleet" }
)");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const EndpointConfig& c = (*e)[0];
  EXPECT_EQ(c.bearer_token, "abc");
  EXPECT_EQ(c.external_labels, (Labels{{"instance", "pi"}, {"zone", "b"}}));
  EXPECT_EQ(c.metric_names, MetricNames::kKeep);
  EXPECT_EQ(c.max_samples_per_send, 10u);
  EXPECT_EQ(c.backfill, 3600 * kNanosPerSecond);
  ASSERT_EQ(c.headers.size(), 1u);
  EXPECT_EQ(c.headers[0].first, "X-Scope-OrgID");
  std::remove(token.c_str());
}

TEST(ForwardConfigTest, MistakesNameTheEndpointAndKey) {
  auto msg = [](const std::string& body) {
    auto e = Parse(body);
    return e.ok() ? std::string("ok") : e.status().message();
  };
  EXPECT_THAT(msg(R"({ url = "http://a/w" })"), HasSubstr("endpoint 1: name is required"));
  EXPECT_THAT(msg(R"({ name = "a b", url = "http://a/w" })"), HasSubstr("may hold only"));
  EXPECT_THAT(msg(R"({ name = "a", url = "ftp://a/w" })"),
              HasSubstr("endpoint 1 (a): url must start with http:// or https://"));
  EXPECT_THAT(msg(R"({ name = "a", url = "http://a/w", urll = "x" })"),
              HasSubstr("unknown key \"urll\""));
  EXPECT_THAT(msg(R"({ name = "a", url = "http://a/w", timeout = "soon" })"),
              HasSubstr("timeout must be a duration"));
  EXPECT_THAT(
      msg(R"({ name = "a", url = "http://a/w", bearer_token = "t", basic_auth_user = "u" })"),
      HasSubstr("either bearer_token or basic_auth_user"));
  EXPECT_THAT(msg(R"({ name = "a", url = "http://a/w", external_labels = { "1x" = "v" } })"),
              HasSubstr("external_labels"));
  EXPECT_THAT(msg(R"({ name = "a", url = "http://a/w", bearer_token_file = "/nonexistent" })"),
              HasSubstr("cannot be read"));
  EXPECT_THAT(msg(R"({ name = "a", url = "http://a/w" }, { name = "a", url = "http://b/w" })"),
              HasSubstr("endpoint 2: name \"a\" is used by an earlier endpoint"));
  EXPECT_THAT(msg(R"({ name = "a", url = "http://a/w", headers = { Authorization = "x" } })"),
              HasSubstr("may not set Authorization"));
  EXPECT_THAT(msg(R"({ name = "a", url = "http://a/w", backfill = "8d" })"),
              HasSubstr("longer than max_lag"));
}

TEST(ForwardConfigTest, MetricNamesAndPatterns) {
  EXPECT_EQ(RemoteMetricName("cpu.usage", MetricNames::kPrometheus), "cpu_usage");
  EXPECT_EQ(RemoteMetricName("disk:sda.read-bytes", MetricNames::kPrometheus),
            "disk:sda_read_bytes");
  EXPECT_EQ(RemoteMetricName("1wire.temp", MetricNames::kPrometheus), "_1wire_temp");
  EXPECT_EQ(RemoteMetricName("cpu.usage", MetricNames::kKeep), "cpu.usage");
  EXPECT_TRUE(SeriesPatternMatches("cpu.*", "cpu.usage{core=\"0\"}", "cpu.usage"));
  EXPECT_FALSE(SeriesPatternMatches("cpu.*", "mem", "mem"));
  EXPECT_TRUE(SeriesPatternMatches("cpu.usage{core=\"0\"}", "cpu.usage{core=\"0\"}", "cpu.usage"));
  EXPECT_FALSE(SeriesPatternMatches("*{core=\"1\"}", "cpu.usage{core=\"0\"}", "cpu.usage"));
}

TEST(ForwardCursorTest, RoundTripsKeysWithTabsAndRefusesDamage) {
  Cursor c;
  c.origin = -5;
  c.series[{"home", "cpu"}] = {100, 1};
  c.series[{"home", "m{a=\"x\ty\"}"}] = {200, 3};
  std::string text = RenderCursor(c);
  EXPECT_THAT(text, HasSubstr("nanotdb-forward-cursor 1\norigin\t-5\n"));
  auto back = ParseCursor(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
  EXPECT_EQ(back->Position("home", "other"), (SeriesPosition{-5, 0}));

  EXPECT_FALSE(ParseCursor("").ok());
  EXPECT_THAT(ParseCursor("nanotdb-forward-cursor 2\n").status().message(), HasSubstr("line 1"));
  EXPECT_THAT(
      ParseCursor("nanotdb-forward-cursor 1\norigin\t1\nhome\tcpu\t12x\t0\n").status().message(),
      HasSubstr("line 3: bad timestamp"));
  EXPECT_THAT(ParseCursor("nanotdb-forward-cursor 1\nhome\tcpu\t1\t0\n").status().message(),
              HasSubstr("no origin"));
}

}  // namespace
}  // namespace nanotdb::forward
