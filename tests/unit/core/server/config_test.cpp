#include "server/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/init.h"

namespace nanotdb::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Result<EngineConfig> Parse(const std::string& text) {
  return ParseEngineConfig(text, "/data/root/engine.toml");
}

std::string ErrorOf(const std::string& text) {
  Result<EngineConfig> c = Parse(text);
  EXPECT_FALSE(c.ok()) << text;
  return c.ok() ? std::string() : c.status().message();
}

TEST(ConfigTest, EmptyFileGivesDefaults) {
  Result<EngineConfig> c = Parse("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->root, "/data/root");
  EXPECT_EQ(c->listen, ":8428");
  EXPECT_EQ(c->listen_host, "");
  EXPECT_EQ(c->listen_port, 8428);
  EXPECT_EQ(c->limits.max_body_bytes, 64ull << 20);
  EXPECT_EQ(c->read_timeout, 120 * kSecond);
  EXPECT_EQ(c->idle_timeout, 5 * kSecond);
  EXPECT_EQ(c->max_threads, 64);
  EXPECT_EQ(c->header_timeout, 10 * kSecond);
  EXPECT_EQ(c->max_connections_per_address, 16);
  EXPECT_EQ(c->durability.fsync_policy, FsyncPolicy::kSegment);
  EXPECT_EQ(c->durability.profile, DurabilityProfile::kStrict);
  EXPECT_TRUE(c->stats_enabled);
  EXPECT_EQ(c->stats_interval, 30 * kSecond);
  EXPECT_EQ(c->max_future, 2 * kDay);
  ASSERT_EQ(c->loggers.size(), 1u);
  EXPECT_EQ(c->loggers[0].output, "console");
  EXPECT_EQ(c->loggers[0].level, LogLevel::kInfo);
  EXPECT_THAT(c->plugins, IsEmpty());
  EXPECT_THAT(c->warnings, IsEmpty());
}

TEST(ConfigTest, EmbeddedDefaultParsesWithoutWarningsAndEnablesTheCorePlugins) {
  Result<EngineConfig> c = Parse(std::string(kDefaultEngineToml));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_THAT(c->warnings, IsEmpty());
  std::vector<std::string> enabled;
  for (const PluginSection& p : c->plugins) {
    if (p.enabled) enabled.push_back(p.name);
  }
  EXPECT_THAT(enabled, ElementsAre("ingest-lineproto", "ingest-prometheus", "query-vm", "rollup",
                                   "metricfiles", "ui-dashboard", "drip-sources"));
  EXPECT_EQ(c->listen, ":8428");
  EXPECT_EQ(c->plugins_dir, "");
}

TEST(ConfigTest, InflightBudgetBelowTheBodyLimitIsRefused) {
  Result<EngineConfig> c =
      Parse("[http]\nmax_body_bytes = 8388608\nmax_inflight_body_bytes = 4194304\n");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("http.max_inflight_body_bytes (4194304) must be at "
                                              "least http.max_body_bytes (8388608)"));
}

TEST(ConfigTest, EveryKeyIsRead) {
  Result<EngineConfig> c = Parse(R"(
[engine]
listen = "127.0.0.1:9000"
[http]
max_body_bytes = 2048
max_params = 50
max_inflight_body_bytes = 4194304
header_timeout = "2s"
read_timeout = "5s"
idle_timeout = "1m"
max_threads = 3
max_queued = 7
max_connections_per_address = 2
[wal]
fsync_policy = "always"
max_segment_size = 8192
[durability]
profile = "throughput"
[storage]
reader_cache_files = 5
reader_cache_bytes = 65536
[ingest]
max_future = "3h"
[stats]
enabled = false
interval = "1m"
[[logging.logger]]
output = "console"
level = "trace"
[[logging.logger]]
output = "/tmp/x.log"
level = "debug"
[auth]
read_token = "r"
write_token = "w"
admin_token = "a"
[[auth.user]]
name = "ops"
password = "pw"
role = "admin"
[plugins]
dir = "/opt/plugins"
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_THAT(c->warnings, IsEmpty());
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 9000);
  EXPECT_EQ(c->limits.max_body_bytes, 2048u);
  EXPECT_EQ(c->limits.max_params, 50u);
  EXPECT_EQ(c->limits.max_inflight_body_bytes, 4194304u);
  EXPECT_EQ(c->read_timeout, 5 * kSecond);
  EXPECT_EQ(c->idle_timeout, kMinute);
  EXPECT_EQ(c->max_threads, 3);
  EXPECT_EQ(c->header_timeout, 2 * kSecond);
  EXPECT_EQ(c->max_queued, 7);
  EXPECT_EQ(c->max_connections_per_address, 2);
  EXPECT_EQ(c->durability.fsync_policy, FsyncPolicy::kAlways);
  EXPECT_EQ(c->durability.wal_max_segment_size, 8192u);
  EXPECT_EQ(c->durability.profile, DurabilityProfile::kThroughput);
  EXPECT_FALSE(c->stats_enabled);
  EXPECT_EQ(c->stats_interval, kMinute);
  EXPECT_EQ(c->max_future, 3 * kHour);
  EXPECT_EQ(c->reader_cache_files, 5u);
  EXPECT_EQ(c->reader_cache_bytes, 65536u);
  ASSERT_EQ(c->loggers.size(), 2u);
  EXPECT_EQ(c->loggers[0].level, LogLevel::kTrace);
  EXPECT_EQ(c->loggers[1].output, "/tmp/x.log");
  EXPECT_EQ(c->loggers[1].level, LogLevel::kDebug);
  EXPECT_EQ(c->auth.admin_token, "a");
  ASSERT_EQ(c->auth.users.size(), 1u);
  EXPECT_EQ(c->auth.users[0].role, Role::kAdmin);
  EXPECT_EQ(c->plugins_dir, "/opt/plugins");
}

TEST(ConfigTest, UnknownKeysWarnWithFileLineAndDottedKey) {
  Result<EngineConfig> c = Parse("[http]\nmax_threads = 2\nmax_thread = 3\n\n[bogus]\nx = 1\n");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->warnings,
              ElementsAre("/data/root/engine.toml:3: unknown key \"http.max_thread\" (ignored)",
                          "/data/root/engine.toml:5: unknown key \"bogus\" (ignored)"));
}

TEST(ConfigTest, UnknownLoggerKeyWarns) {
  Result<EngineConfig> c = Parse("[[logging.logger]]\noutput = \"console\"\ncolour = true\n");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->warnings,
              ElementsAre("/data/root/engine.toml:3: unknown key \"logging.logger.colour\" "
                          "(ignored)"));
}

TEST(ConfigTest, SyntaxErrorNamesFileLineAndColumn) {
  EXPECT_THAT(ErrorOf("[engine]\nlisten = \n"), HasSubstr("/data/root/engine.toml:2:"));
}

TEST(ConfigTest, MaxFutureIsADurationOfAtLeastASecond) {
  EXPECT_EQ(ErrorOf("[ingest]\nmax_future = \"0s\"\n"),
            "/data/root/engine.toml:2: invalid ingest.max_future \"0s\": must be at least 1s");
  EXPECT_THAT(ErrorOf("[ingest]\nmax_future = 5\n"), HasSubstr("ingest.max_future"));
  EXPECT_THAT(ErrorOf("[ingest]\nmax_future = \"36501d\"\n"), HasSubstr("at most 36500d"));
}

TEST(ConfigTest, InvalidEnumNamesKeyAndAcceptedValues) {
  EXPECT_EQ(ErrorOf("[wal]\nfsync_policy = \"sometimes\"\n"),
            "/data/root/engine.toml:2: invalid wal.fsync_policy \"sometimes\": accepted values "
            "are \"segment\", \"always\"");
  EXPECT_EQ(ErrorOf("[durability]\nprofile = \"fast\"\n"),
            "/data/root/engine.toml:2: invalid durability.profile \"fast\": accepted values are "
            "\"strict\", \"balanced\", \"throughput\"");
  EXPECT_EQ(ErrorOf("[[logging.logger]]\nlevel = \"warn\"\n"),
            "/data/root/engine.toml:2: invalid logging.logger.level \"warn\": accepted values "
            "are \"info\", \"debug\", \"trace\"");
  EXPECT_EQ(ErrorOf("[[auth.user]]\nname = \"a\"\npassword = \"b\"\nrole = \"root\"\n"),
            "/data/root/engine.toml:4: invalid auth.user.role \"root\": accepted values are "
            "\"read\", \"write\", \"admin\"");
}

TEST(ConfigTest, WrongTypeNamesKeyAndBothTypes) {
  EXPECT_EQ(ErrorOf("[http]\nmax_threads = \"four\"\n"),
            "/data/root/engine.toml:2: http.max_threads must be an integer, got a string");
  EXPECT_EQ(ErrorOf("[stats]\nenabled = \"yes\"\n"),
            "/data/root/engine.toml:2: stats.enabled must be true or false, got a string");
  EXPECT_EQ(ErrorOf("engine = 3\n"),
            "/data/root/engine.toml:1: engine must be a table, got an integer");
  EXPECT_EQ(ErrorOf("[stats]\ninterval = 30\n"),
            "/data/root/engine.toml:2: stats.interval must be a duration string such as \"30s\", "
            "\"2m\" or \"1h\", got an integer");
  EXPECT_EQ(ErrorOf("[plugins.query-vm]\nenabled = 1\n"),
            "/data/root/engine.toml:2: plugins.query-vm.enabled must be true or false, got an "
            "integer");
}

TEST(ConfigTest, OutOfRangeIntegerNamesTheRange) {
  EXPECT_EQ(ErrorOf("[http]\nmax_threads = 0\n"),
            "/data/root/engine.toml:2: invalid http.max_threads 0: accepted values are 1 to 1024");
  EXPECT_EQ(ErrorOf("[http]\nmax_body_bytes = 10\n"),
            "/data/root/engine.toml:2: invalid http.max_body_bytes 10: accepted values are 1024 "
            "to 1099511627776");
}

TEST(ConfigTest, BadDurationNamesKeyAndSyntax) {
  EXPECT_EQ(ErrorOf("[http]\nread_timeout = \"soon\"\n"),
            "/data/root/engine.toml:2: invalid http.read_timeout \"soon\": accepted values are "
            "durations such as \"30s\", \"2m\", \"1h30m\" (units ns, us, ms, s, m, h, d, w)");
  EXPECT_EQ(ErrorOf("[stats]\ninterval = \"10ms\"\n"),
            "/data/root/engine.toml:2: invalid stats.interval \"10ms\": must be at least 1s");
}

TEST(ConfigTest, BadListenAddressIsRejected) {
  const std::string expected_tail =
      "accepted values are \"host:port\", \":port\" or \"[ipv6]:port\" with a port from 0 to "
      "65535";
  EXPECT_EQ(ErrorOf("[engine]\nlisten = \"8428\"\n"),
            "/data/root/engine.toml:2: invalid engine.listen \"8428\": " + expected_tail);
  EXPECT_EQ(ErrorOf("[engine]\nlisten = \":70000\"\n"),
            "/data/root/engine.toml:2: invalid engine.listen \":70000\": " + expected_tail);
}

TEST(ConfigTest, ListenAcceptsIpv6InBrackets) {
  Result<EngineConfig> c = Parse("[engine]\nlisten = \"[::1]:0\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->listen_host, "::1");
  EXPECT_EQ(c->listen_port, 0);
}

TEST(ConfigTest, LoggingNeedsAtLeastOneLoggerAndOneConsole) {
  EXPECT_EQ(ErrorOf("[logging]\nlogger = []\n"),
            "/data/root/engine.toml:2: logging.logger needs at least one [[logging.logger]] "
            "entry");
  EXPECT_EQ(ErrorOf("[[logging.logger]]\noutput = \"console\"\n[[logging.logger]]\noutput = "
                    "\"console\"\n"),
            "/data/root/engine.toml:3: only one logging.logger may have output = \"console\"");
  EXPECT_EQ(ErrorOf("[[logging.logger]]\noutput = \"\"\n"),
            "/data/root/engine.toml:1: logging.logger.output must be \"console\" or a file path");
}

TEST(ConfigTest, BasicUserNeedsNameAndPassword) {
  EXPECT_EQ(ErrorOf("[[auth.user]]\nname = \"a:b\"\npassword = \"x\"\n"),
            "/data/root/engine.toml:1: auth.user needs a name without ':' and a non-empty "
            "password");
}

TEST(ConfigTest, PluginSectionsKeepFileOrderAndEnabledFlag) {
  Result<EngineConfig> c = Parse(R"(
[plugins.zeta]
enabled = true
[plugins.alpha]
enabled = false
[plugins.mid]
interval = "5s"
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->plugins.size(), 3u);
  EXPECT_EQ(c->plugins[0].name, "zeta");
  EXPECT_EQ(c->plugins[1].name, "alpha");
  EXPECT_FALSE(c->plugins[1].enabled);
  EXPECT_EQ(c->plugins[2].name, "mid");
  EXPECT_TRUE(c->plugins[2].enabled);
  EXPECT_EQ(c->plugins[2].line, 6);
  ASSERT_NE(c->PluginTable("mid"), nullptr);
  EXPECT_TRUE(c->PluginTable("mid")->contains("interval"));
  EXPECT_EQ(c->PluginTable("absent"), nullptr);
}

TEST(ConfigTest, ManifestDefaultsAreKeptForTheEngine) {
  Result<EngineConfig> c = Parse("[manifest_defaults.retention]\nretention_days = 7\n");
  ASSERT_TRUE(c.ok());
  ASSERT_NE(c->ManifestDefaults(), nullptr);
  EXPECT_EQ((*c->ManifestDefaults())["retention"]["retention_days"].value<int64_t>(), 7);
  EXPECT_EQ((*c->ManifestDefaults())["retention"]["retention_days"].node()->source().begin.line,
            2u);
  EXPECT_THAT(c->warnings, IsEmpty());
}

TEST(ConfigTest, RedactedConfigHidesSecrets) {
  Result<EngineConfig> c = Parse(
      "[auth]\nadmin_token = \"s3cret\"\n[[auth.user]]\nname = \"u\"\npassword = \"pw123\"\n");
  ASSERT_TRUE(c.ok());
  std::string text = RedactedConfigToml(*c);
  EXPECT_THAT(text, ::testing::Not(HasSubstr("s3cret")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("pw123")));
  EXPECT_THAT(text, HasSubstr("<redacted>"));

  c = Parse(
      "[plugins.forward-remote-write]\nenabled = true\n[[plugins.forward-remote-write.endpoint]]\n"
      "name = \"a\"\nbearer_token = \"tok-1\"\nbasic_auth_password = \"pw-2\"\n"
      "bearer_token_file = \"/etc/t\"\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  text = RedactedConfigToml(*c);
  EXPECT_THAT(text, ::testing::Not(HasSubstr("tok-1")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("pw-2")));
  EXPECT_THAT(text, HasSubstr("/etc/t"));
}

TEST(ConfigTest, MissingFileSuggestsInit) {
  Result<EngineConfig> c = LoadEngineConfig("/nonexistent/dir/engine.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().IsNotFound());
  EXPECT_THAT(c.status().message(),
              HasSubstr("nanotdb --init --config /nonexistent/dir/engine.toml"));
}

}  // namespace
}  // namespace nanotdb::server
