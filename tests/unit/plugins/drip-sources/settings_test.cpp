#include "settings.h"

#include <gtest/gtest.h>

#include "toml_config.h"

namespace nanotdb::drip {
namespace {

const std::vector<std::string> kSubTables = {"intervals", "onewire_names"};

Result<ProbeSettings> Load(const std::string& text, std::vector<std::string>* warnings = nullptr) {
  Result<toml::table> doc = ParseToml(text, "drip.toml");
  if (!doc.ok()) return doc.status();
  const toml::table* collect = (*doc)["collect"].as_table();
  toml::table empty;
  auto cfg = TomlPluginConfig::Create(collect ? *collect : empty, "drip.toml", "collect",
                                      ProbeConfigKeys(), kSubTables, warnings);
  if (!cfg.ok()) return cfg.status();
  return ProbeSettingsFromConfig(**cfg);
}

TEST(ProbeSettingsTest, DefaultsEnableEverythingButOnewireAndSdProbe) {
  Result<ProbeSettings> s = Load("");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->database, "metrics");
  EXPECT_EQ(s->interval_ns, 10 * kNanosPerSecond);
  for (const char* p : {"cpu", "memory", "loadavg", "uptime", "disk", "io", "network", "process"}) {
    EXPECT_TRUE(s->Enabled(p)) << p;
  }
  EXPECT_FALSE(s->Enabled("onewire"));
  EXPECT_FALSE(s->Enabled("sd_probe"));
  EXPECT_EQ(s->network_skip, std::vector<std::string>{"lo"});
  EXPECT_EQ(s->process_names, (std::vector<std::string>{"nanotdb", "drip"}));
  EXPECT_EQ(s->sd_probe_bytes, 32000);
  EXPECT_EQ(s->sd_probe_every, 6);
}

TEST(ProbeSettingsTest, WrongTypeNamesFileLineKeyAndExpectedType) {
  Result<ProbeSettings> s = Load("[collect]\ncpu = true\ninterval = 10\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("drip.toml:3: collect.interval: expected a duration"),
            std::string::npos)
      << s.status().message();
}

TEST(ProbeSettingsTest, UnparsableDurationQuotesTheText) {
  Result<ProbeSettings> s = Load("[collect]\ninterval = \"ten seconds\"\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("ten seconds"), std::string::npos);
}

TEST(ProbeSettingsTest, UnknownKeyIsAWarningWithItsLine) {
  std::vector<std::string> warnings;
  Result<ProbeSettings> s = Load("[collect]\n\ncpus = true\n", &warnings);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("drip.toml:3: unknown key collect.cpus"), std::string::npos);
}

TEST(ProbeSettingsTest, PerProbeIntervalsRoundUpToWholeCycles) {
  Result<ProbeSettings> s = Load("[collect.intervals]\ndisk = \"60s\"\nonewire = \"25s\"\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->CyclesPerRun("disk"), 6);
  EXPECT_EQ(s->CyclesPerRun("onewire"), 3);
  EXPECT_EQ(s->CyclesPerRun("cpu"), 1);
}

TEST(ProbeSettingsTest, IntervalsOfUnknownProbesAreRejected) {
  Result<ProbeSettings> s = Load("[collect.intervals]\ndisks = \"60s\"\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("intervals.disks: unknown probe"), std::string::npos);
}

TEST(ProbeSettingsTest, OnewireNamesAreMadeNameSafe) {
  Result<ProbeSettings> s = Load("[collect.onewire_names]\n\"28-01\" = \"living room\"\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->onewire_names.at("28-01"), "living_room");
}

TEST(ProbeSettingsTest, RangeErrorsNameTheKeyAndTheLimits) {
  Result<ProbeSettings> s = Load("[collect]\nsd_probe_bytes = 0\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("sd_probe_bytes: must be between 1 and"), std::string::npos);
  s = Load("[collect]\ndatabase = \"-bad\"\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("database"), std::string::npos);
}

TEST(ProbeSettingsTest, NoProbeEnabledIsAnError) {
  Result<ProbeSettings> s = Load(
      "[collect]\ncpu = false\nmemory = false\nloadavg = false\nuptime = false\ndisk = false\n"
      "io = false\nnetwork = false\nprocess = false\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("no probe enabled"), std::string::npos);
}

TEST(ProbeSettingsTest, TomlSyntaxErrorNamesFileLineAndColumn) {
  Result<ProbeSettings> s = Load("[collect]\ninterval = \"10s\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().rfind("drip.toml:2:", 0), 0u) << s.status().message();
}

}  // namespace
}  // namespace nanotdb::drip
