#include "storage/manifest.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace nanotdb {
namespace {

void ExpectSameSettings(const ManifestSettings& a, const ManifestSettings& b) {
  EXPECT_EQ(a.partition, b.partition);
  EXPECT_EQ(a.retention_days, b.retention_days);
  EXPECT_EQ(a.retention_action, b.retention_action);
  EXPECT_EQ(a.max_active_partitions, b.max_active_partitions);
  EXPECT_EQ(a.wal_enabled, b.wal_enabled);
  EXPECT_EQ(a.wal_skip_before, b.wal_skip_before);
  EXPECT_EQ(a.page_max_records, b.page_max_records);
  EXPECT_EQ(a.page_max_bytes, b.page_max_bytes);
  EXPECT_EQ(a.page_max_age, b.page_max_age);
}

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nanotdb-manifest-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/manifest.toml";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Status LoadText(const std::string& text, ManifestSettings* s,
                  std::vector<std::string>* warnings = nullptr) {
    EXPECT_TRUE(WriteFileAtomically(Env::Default(), path_, text).ok());
    return LoadManifest(Env::Default(), path_, s, warnings);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(ManifestTest, DefaultsRoundTrip) {
  ManifestSettings defaults;
  ASSERT_TRUE(SaveManifest(Env::Default(), path_, defaults).ok());
  ManifestSettings loaded;
  loaded.retention_days = 1;
  loaded.page_max_age = kSecond;
  std::vector<std::string> warnings;
  ASSERT_TRUE(LoadManifest(Env::Default(), path_, &loaded, &warnings).ok());
  ExpectSameSettings(loaded, defaults);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(ManifestTest, EveryNonDefaultValueRoundTrips) {
  ManifestSettings s;
  s.partition = Partitioning::kMonth;
  s.retention_days = 400;
  s.retention_action = RetentionAction::kDelete;
  s.max_active_partitions = 5;
  s.wal_enabled = false;
  s.wal_skip_before = 0;
  s.page_max_records = 1;
  s.page_max_bytes = 1 << 30;
  s.page_max_age = 90 * kMinute + 30 * kSecond;
  ASSERT_TRUE(SaveManifest(Env::Default(), path_, s).ok());
  ManifestSettings loaded;
  ASSERT_TRUE(LoadManifest(Env::Default(), path_, &loaded, nullptr).ok());
  ExpectSameSettings(loaded, s);
}

TEST_F(ManifestTest, RenderedFileCommentsEveryKey) {
  std::string text = RenderManifest(ManifestSettings());
  EXPECT_NE(text.find("format_version = 1\n"), std::string::npos);
  EXPECT_NE(text.find("partition = \"day\"\n"), std::string::npos);
  EXPECT_NE(text.find("skip_before = \"1h\"\n"), std::string::npos);
  EXPECT_NE(text.find("max_age = \"2h\"\n"), std::string::npos);
  // Each key line is preceded by a comment line.
  size_t pos = 0;
  std::string prev;
  int keys = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl - pos);
    if (!line.empty() && line[0] != '#' && line[0] != '[' &&
        line.find(" = ") != std::string::npos && line.rfind("format_version", 0) != 0) {
      EXPECT_EQ(prev.rfind("#", 0), 0u) << "no comment before: " << line;
      ++keys;
    }
    prev = line;
    pos = nl + 1;
  }
  EXPECT_EQ(keys, 9);
}

TEST_F(ManifestTest, MissingKeysKeepTheirValuesAndPartitionIsCaseInsensitive) {
  ManifestSettings s;
  s.retention_days = 77;
  ASSERT_TRUE(LoadText("[retention]\npartition = \"YEAR\"\n", &s).ok());
  EXPECT_EQ(s.partition, Partitioning::kYear);
  EXPECT_EQ(s.retention_days, 77);
}

TEST_F(ManifestTest, MissingFileIsNotFound) {
  ManifestSettings s;
  EXPECT_TRUE(LoadManifest(Env::Default(), path_, &s, nullptr).IsNotFound());
}

TEST_F(ManifestTest, UnknownKeysWarnWithFileAndLine) {
  ManifestSettings s;
  std::vector<std::string> warnings;
  ASSERT_TRUE(LoadText("format_version = 1\n"
                       "colour = \"blue\"\n"
                       "[retention]\n"
                       "retention_days = 9\n"
                       "grace = \"5m\"\n"
                       "[rollups]\n"
                       "enabled = true\n"
                       "[metricfiles]\n"
                       "build = true\n"
                       "[events]\n"
                       "enabled = false\n",
                       &s, &warnings)
                  .ok());
  EXPECT_EQ(s.retention_days, 9);
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          path_ + ":2: unknown key colour (ignored)",
                          path_ + ":5: unknown key retention.grace (ignored)",
                          path_ + ":10: unknown key events (ignored)",
                      }));
}

struct BadValue {
  const char* toml;
  const char* message;  // after "<path>:"
};

TEST_F(ManifestTest, EveryBadValueIsInvalidArgumentWithLineAndLeavesSettingsAlone) {
  const BadValue cases[] = {
      {"[page]\nmax_records = 0\n", "2: page.max_records: 0 is out of range (1..1048576)"},
      {"[page]\nmax_records = 2000000\n", "2: page.max_records: 2000000 is out of range"},
      {"[page]\nmax_records = \"10\"\n", "2: page.max_records: expected an integer, got a string"},
      {"[page]\nmax_bytes = 100\n", "2: page.max_bytes: 100 is out of range (4096..1073741824)"},
      {"[page]\nmax_age = \"0s\"\n", "2: page.max_age: \"0s\" is out of range (1s..365d)"},
      {"[page]\nmax_age = 60\n", "2: page.max_age: expected a duration string"},
      {"[page]\nmax_age = \"soon\"\n", "2: page.max_age: invalid duration \"soon\""},
      {"[retention]\npartition = \"weekly\"\n",
       "2: retention.partition: \"weekly\" is not one of day, month, year, forever"},
      {"[retention]\npartition = 1\n", "2: retention.partition: expected a string, got an integer"},
      {"[retention]\nretention_days = 0\n", "2: retention.retention_days: 0 is out of range"},
      {"[retention]\nretention_days = 36501\n", "2: retention.retention_days: 36501 is out of"},
      {"[retention]\nretention_action = \"archive\"\n",
       "2: retention.retention_action: \"archive\" is not one of keep, delete"},
      {"[retention]\nmax_active_partitions = 0\n", "2: retention.max_active_partitions: 0 is"},
      {"[retention]\nmax_active_partitions = 1001\n", "2: retention.max_active_partitions: 1001"},
      {"[wal]\nenabled = \"yes\"\n", "2: wal.enabled: expected true or false"},
      {"[wal]\nskip_before = \"-1h\"\n", "2: wal.skip_before: invalid duration \"-1h\""},
      {"format_version = 2\n", "1: format_version: 2 is not supported (this build reads 1)"},
      {"format_version = \"1\"\n", "1: format_version: expected an integer"},
      {"retention = 5\n", "1: retention: expected a [retention] table"},
      {"[page]\nmax_records = \n", "2: "},  // TOML syntax error
      {"[page\n", "1: "},
  };
  for (const BadValue& bad : cases) {
    ManifestSettings s;
    Status st = LoadText(bad.toml, &s);
    ASSERT_TRUE(st.IsInvalidArgument()) << bad.toml << " -> " << st.ToString();
    EXPECT_EQ(st.message().rfind(path_ + ":" + bad.message, 0), 0u)
        << bad.toml << " -> " << st.message();
  }
}

TEST_F(ManifestTest, AFailedLoadChangesNothing) {
  ManifestSettings s;
  s.page_max_records = 1234;
  s.retention_days = 5;
  // [page] is applied before [retention] fails: the failure must undo it.
  Status st = LoadText("[page]\nmax_records = 7\n[retention]\nretention_days = 0\n", &s);
  ASSERT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(s.page_max_records, 1234u);
  EXPECT_EQ(s.retention_days, 5);
}

TEST_F(ManifestTest, ApplyTableServesEngineTomlDefaults) {
  toml::table engine = toml::parse(
      "[manifest_defaults.retention]\n"
      "partition = \"month\"\n"
      "[manifest_defaults.page]\n"
      "max_age = \"30m\"\n"
      "max_recs = 5\n",
      std::string_view("/etc/nanotdb/engine.toml"));
  const toml::table* defaults = engine["manifest_defaults"].as_table();
  ASSERT_NE(defaults, nullptr);
  ManifestSettings s;
  std::vector<std::string> warnings;
  ASSERT_TRUE(ApplyManifestTable(*defaults, "/etc/nanotdb/engine.toml", &s, &warnings).ok());
  EXPECT_EQ(s.partition, Partitioning::kMonth);
  EXPECT_EQ(s.page_max_age, 30 * kMinute);
  EXPECT_EQ(warnings, std::vector<std::string>{
                          "/etc/nanotdb/engine.toml:5: unknown key page.max_recs (ignored)"});
}

}  // namespace
}  // namespace nanotdb
