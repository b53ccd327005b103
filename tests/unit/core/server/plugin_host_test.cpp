#include "server/plugin_host.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nanotdb::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kDir = NANOTDB_FIXTURE_PLUGIN_DIR;

// Mirrors the good fixture's published service (tests/fixtures/plugins/fixture_plugin.cpp).
struct FixtureProbe {
  static constexpr const char* kServiceName = "fixture-good.probe";
  static constexpr uint32_t kServiceVersion = 1;
  std::string greeting;
  int64_t count = 0;
  int64_t interval_ns = 0;
  bool started = false;
  bool stopped = false;
};

class PluginHostTest : public ::testing::Test {
 protected:
  PluginHostTest()
      : host_(
            registry_, [this](LogLevel, std::string_view m) { log_.emplace_back(m); },
            "/tmp/root") {}

  Status Load(const std::string& toml) {
    Result<EngineConfig> config = ParseEngineConfig(toml, "/etc/nanotdb/engine.toml");
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return config.status();
    config_ = std::move(config).value();
    return host_.Load(config_, kDir, &warnings_);
  }

  ServiceRegistry registry_;
  std::vector<std::string> log_;
  PluginHost host_;
  EngineConfig config_;
  std::vector<std::string> warnings_;
};

TEST_F(PluginHostTest, GoodPluginRegistersStartsAndStops) {
  ASSERT_TRUE(Load("[plugins.fixture-good]\ngreeting = \"hi\"\ncount = 7\n").ok());
  EXPECT_THAT(warnings_, IsEmpty());
  host_.RegisterAll();
  auto* probe = registry_.Get<FixtureProbe>();
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->greeting, "hi");
  EXPECT_EQ(probe->count, 7);
  EXPECT_EQ(probe->interval_ns, 10 * kSecond);  // the declared default
  EXPECT_FALSE(probe->started);
  host_.StartAll();
  EXPECT_TRUE(probe->started);
  EXPECT_THAT(log_, ::testing::Contains("fixture-good: fixture started"));
  host_.StopAll();
  EXPECT_TRUE(probe->stopped);
  std::vector<LoadedPluginInfo> info = host_.Describe();
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].name, "fixture-good");
  EXPECT_EQ(info[0].path, kDir + "/nanotdb-fixture-good.so");
}

TEST_F(PluginHostTest, DisabledPluginIsNeverMapped) {
  // wrong-abi would fail if it were opened.
  ASSERT_TRUE(Load("[plugins.fixture-wrong-abi]\nenabled = false\n").ok());
  EXPECT_THAT(host_.Describe(), IsEmpty());
}

TEST_F(PluginHostTest, MissingPluginFileIsAnErrorNamingThePath) {
  Status st = Load("\n[plugins.absent]\nenabled = true\n");
  EXPECT_TRUE(st.IsNotFound());
  EXPECT_EQ(st.message(), "plugin absent is enabled in /etc/nanotdb/engine.toml:2 but " + kDir +
                              "/nanotdb-absent.so does not exist (build it, set plugins.dir, "
                              "or set enabled = false)");
}

TEST_F(PluginHostTest, WrongAbiVersionIsRefused) {
  Status st = Load("[plugins.fixture-wrong-abi]\n");
  EXPECT_EQ(st.message(), "plugin " + kDir +
                              "/nanotdb-fixture-wrong-abi.so: built for plugin ABI version 99 "
                              "but this nanotdb speaks ABI version 1 (rebuild the plugin "
                              "against this nanotdb's SDK)");
}

TEST_F(PluginHostTest, WrongToolchainNamesBothSides) {
  Status st = Load("[plugins.fixture-wrong-toolchain]\n");
  EXPECT_EQ(st.message(), "plugin " + kDir +
                              "/nanotdb-fixture-wrong-toolchain.so: built with "
                              "gcc-11/libstdc++-cxx11/cxx201703/sdk-0.1 but this nanotdb is " +
                              std::string(NANOTDB_TOOLCHAIN_FINGERPRINT) +
                              " (rebuild the plugin with the same compiler and SDK)");
}

TEST_F(PluginHostTest, MissingEntrySymbolIsRefused) {
  Status st = Load("[plugins.fixture-no-entry]\n");
  EXPECT_THAT(st.message(), HasSubstr("nanotdb-fixture-no-entry.so: no entry symbol "
                                      "nanotdb_plugin_v1"));
}

TEST_F(PluginHostTest, ExceptionInStartDisablesThePluginAndLogsWhy) {
  ASSERT_TRUE(Load("[plugins.fixture-throws-in-start]\n").ok());
  host_.RegisterAll();
  ASSERT_NE(registry_.Find("fixture-throws-in-start.probe", 1), nullptr);
  host_.StartAll();
  EXPECT_THAT(log_, ::testing::Contains(
                        "plugin fixture-throws-in-start failed to start: Start threw: fixture "
                        "exploded in Start; it is disabled, the other plugins keep running"));
  // What it published is withdrawn, and the inspector can say why it is not running.
  EXPECT_EQ(registry_.Find("fixture-throws-in-start.probe", 1), nullptr);
  std::vector<LoadedPluginInfo> info = host_.Describe();
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].error, "failed to start: Start threw: fixture exploded in Start");
}

TEST_F(PluginHostTest, ErrorStatusFromStartDisablesThePluginAfterStoppingIt) {
  ASSERT_TRUE(Load("[plugins.fixture-start-error]\n").ok());
  host_.RegisterAll();
  // Same layout as FixtureProbe, published under the fixture's own name.
  auto* probe = static_cast<FixtureProbe*>(registry_.Find("fixture-start-error.probe", 1));
  ASSERT_NE(probe, nullptr);
  host_.StartAll();
  EXPECT_TRUE(probe->stopped);  // Stop ran to undo what Start began
  EXPECT_FALSE(probe->started);
  EXPECT_THAT(log_, ::testing::Contains("plugin fixture-start-error failed to start: fixture "
                                        "cannot reach its bus; it is disabled, the other plugins "
                                        "keep running"));
  EXPECT_EQ(host_.Describe()[0].error, "failed to start: fixture cannot reach its bus");
}

TEST_F(PluginHostTest, RegisterErrorDisablesThePluginWithTheMessage) {
  ASSERT_TRUE(Load("[plugins.fixture-register-error]\n[plugins.fixture-good]\n").ok());
  host_.RegisterAll();
  host_.StartAll();
  EXPECT_THAT(log_, ::testing::Contains("plugin fixture-register-error failed to register: "
                                        "fixture refuses to register; it is disabled, the other "
                                        "plugins keep running"));
  auto* probe = registry_.Get<FixtureProbe>();
  ASSERT_NE(probe, nullptr);
  EXPECT_TRUE(probe->started);  // the good one after it still started
}

TEST_F(PluginHostTest, UnknownPluginKeyWarnsWithFileAndLine) {
  ASSERT_TRUE(Load("[plugins.fixture-good]\ngreeting = \"hi\"\ngreting = \"typo\"\n").ok());
  EXPECT_THAT(warnings_, ElementsAre("/etc/nanotdb/engine.toml:3: unknown key "
                                     "\"plugins.fixture-good.greting\" (ignored; plugin "
                                     "fixture-good does not declare it)"));
}

TEST_F(PluginHostTest, WrongPluginKeyTypeIsAnError) {
  Status st = Load("[plugins.fixture-good]\n\ncount = \"many\"\n");
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(st.message(),
            "/etc/nanotdb/engine.toml:3: plugins.fixture-good.count must be an integer, got a "
            "string (how many times)");
}

TEST_F(PluginHostTest, PluginsStartInConfigOrderAndStopInReverse) {
  ASSERT_TRUE(Load("[plugins.fixture-good]\n[plugins.fixture-throws-in-start]\n").ok());
  host_.RegisterAll();
  EXPECT_THAT(registry_.Describe(),
              ElementsAre("fixture-good.probe v1 (plugin fixture-good)",
                          "fixture-throws-in-start.probe v1 (plugin fixture-throws-in-start)"));
  host_.StartAll();  // the second fails after the first started
  auto* probe = registry_.Get<FixtureProbe>();
  ASSERT_NE(probe, nullptr);
  EXPECT_TRUE(probe->started);
  host_.StopAll();
  EXPECT_TRUE(probe->stopped);
}

TEST(PluginLibraryTest, NonPluginFileIsRefusedWithTheLoaderMessage) {
  Result<const PluginDescriptor*> d = OpenPluginLibrary("/etc/hostname");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("plugin /etc/hostname: cannot load: "));
}

}  // namespace
}  // namespace nanotdb::server
