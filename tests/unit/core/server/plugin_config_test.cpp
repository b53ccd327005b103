#include "server/plugin_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nanotdb::server {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const ConfigKey kKeys[] = {
    {"db", ConfigType::kString, "\"metrics\"", "target database"},
    {"limit", ConfigType::kInt, "100", "max points"},
    {"on", ConfigType::kBool, "true", "switch"},
    {"ratio", ConfigType::kDouble, "0.5", "a ratio"},
    {"every", ConfigType::kDuration, "\"10s\"", "interval"},
    {"names", ConfigType::kStringList, "[\"a\", \"b\"]", "names"},
};

PluginDescriptor Descriptor(const ConfigKey* keys, size_t n) {
  return PluginDescriptor{NANOTDB_PLUGIN_ABI_VERSION,
                          sizeof(PluginDescriptor),
                          NANOTDB_TOOLCHAIN_FINGERPRINT,
                          "demo",
                          "1",
                          "demo plugin",
                          keys,
                          n,
                          nullptr,
                          nullptr};
}

TEST(PluginConfigTest, DefaultsFillEveryDeclaredKey) {
  std::vector<std::string> warnings;
  auto config = PluginConfigImpl::Build(Descriptor(kKeys, 6), nullptr, "e.toml", &warnings);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ((*config)->GetString("db"), "metrics");
  EXPECT_EQ((*config)->GetInt("limit"), 100);
  EXPECT_TRUE((*config)->GetBool("on"));
  EXPECT_DOUBLE_EQ((*config)->GetDouble("ratio"), 0.5);
  EXPECT_EQ((*config)->GetDuration("every"), 10 * kSecond);
  EXPECT_THAT((*config)->GetStringList("names"), ElementsAre("a", "b"));
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(PluginConfigTest, GivenValuesOverrideDefaultsAndIntegersServeAsDoubles) {
  toml::table section =
      toml::parse("db = \"x\"\nlimit = 5\non = false\nratio = 2\nevery = \"1m\"\nnames = []\n");
  std::vector<std::string> warnings;
  auto config = PluginConfigImpl::Build(Descriptor(kKeys, 6), &section, "e.toml", &warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ((*config)->GetString("db"), "x");
  EXPECT_EQ((*config)->GetInt("limit"), 5);
  EXPECT_FALSE((*config)->GetBool("on"));
  EXPECT_DOUBLE_EQ((*config)->GetDouble("ratio"), 2.0);
  EXPECT_EQ((*config)->GetDuration("every"), kMinute);
  EXPECT_THAT((*config)->GetStringList("names"), IsEmpty());
}

TEST(PluginConfigTest, UndeclaredOrMistypedLookupsReturnZeroValues) {
  std::vector<std::string> warnings;
  auto config = PluginConfigImpl::Build(Descriptor(kKeys, 6), nullptr, "e.toml", &warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ((*config)->GetString("nope"), "");
  EXPECT_EQ((*config)->GetInt("db"), 0);
  EXPECT_EQ((*config)->GetDuration("limit"), 0);
}

TEST(PluginConfigTest, BadDurationIsAnErrorQuotingTheText) {
  toml::table section = toml::parse("every = \"often\"\n");
  std::vector<std::string> warnings;
  auto config = PluginConfigImpl::Build(Descriptor(kKeys, 6), &section, "e.toml", &warnings);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "e.toml:1: plugins.demo.every must be a duration string such as \"10s\" or \"5m\", "
            "got \"often\" (interval)");
}

TEST(PluginConfigTest, ListWithANonStringIsAnError) {
  toml::table section = toml::parse("names = [\"a\", 2]\n");
  std::vector<std::string> warnings;
  auto config = PluginConfigImpl::Build(Descriptor(kKeys, 6), &section, "e.toml", &warnings);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "e.toml:1: plugins.demo.names must be an array of strings, got an array (names)");
}

TEST(PluginConfigTest, SubTablesPassThroughWithoutWarnings) {
  toml::table section =
      toml::parse("enabled = true\n[cpu]\ninterval = \"5s\"\n[[mount]]\npath = \"/\"\n");
  std::vector<std::string> warnings;
  auto config = PluginConfigImpl::Build(Descriptor(kKeys, 6), &section, "e.toml", &warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_THAT(warnings, IsEmpty());
  toml::table cpu = toml::parse((*config)->GetTableToml("cpu"));
  EXPECT_EQ(cpu["interval"].value<std::string>(), "5s");
  toml::table mounts = toml::parse((*config)->GetTableToml("mount"));
  EXPECT_EQ(mounts["mount"][0]["path"].value<std::string>(), "/");
  EXPECT_EQ((*config)->GetTableToml("absent"), "");
}

TEST(PluginConfigTest, BrokenDefaultIsReportedAsAPluginBug) {
  const ConfigKey bad[] = {{"n", ConfigType::kInt, "\"ten\"", "a number"}};
  std::vector<std::string> warnings;
  auto config = PluginConfigImpl::Build(Descriptor(bad, 1), nullptr, "e.toml", &warnings);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "plugin demo declares key \"n\" with default \"ten\" that is not an integer (a bug "
            "in the plugin)");
}

}  // namespace
}  // namespace nanotdb::server
