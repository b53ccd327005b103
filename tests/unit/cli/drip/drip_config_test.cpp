#include "drip_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace nanotdb::drip {
namespace {

class DripConfigTest : public ::testing::Test {
 protected:
  Result<DripConfig> Load(const std::string& text) {
    std::ofstream(path_) << text;
    return LoadDripConfig(path_, &warnings_);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_ = (std::filesystem::temp_directory_path() /
                       ("drip-config-" + std::to_string(getpid()) + ".toml"))
                          .string();
  std::vector<std::string> warnings_;
};

TEST_F(DripConfigTest, EmptyFileGivesTheDocumentedDefaults) {
  Result<DripConfig> c = Load("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server_url, "http://127.0.0.1:8428");
  EXPECT_EQ(c->timeout_ns, 10 * kNanosPerSecond);
  EXPECT_EQ(c->max_post_samples, 5000u);
  EXPECT_EQ(c->buffer_max_samples, 50000u);
  EXPECT_EQ(c->spill_file, "");
  EXPECT_EQ(c->probes.database, "metrics");
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(DripConfigTest, ShippedExampleLoadsWithoutWarnings) {
  Result<DripConfig> c =
      LoadDripConfig(std::string(DRIP_SOURCE_DIR) + "/etc/drip.toml", &warnings_);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(warnings_.empty()) << warnings_[0];
}

TEST_F(DripConfigTest, NonHttpUrlIsRefusedWithTheFix) {
  Result<DripConfig> c = Load("[drip]\nserver_url = \"https://pi:8428\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("drip.server_url: expected \"http://host:port\""),
            std::string::npos)
      << c.status().message();
}

TEST_F(DripConfigTest, WrongTypeNamesFileLineAndKey) {
  Result<DripConfig> c = Load("[buffer]\n\nmax_samples = \"lots\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path_ + ":3: buffer.max_samples: expected an integer"),
            std::string::npos)
      << c.status().message();
}

TEST_F(DripConfigTest, ProbeErrorsAreReportedUnderCollect) {
  Result<DripConfig> c = Load("[collect]\nsd_probe_every = 0\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collect: sd_probe_every: must be at least 1"),
            std::string::npos)
      << c.status().message();
}

TEST_F(DripConfigTest, MisplacedKeysAreWarnedAbout) {
  Result<DripConfig> c = Load("database = \"x\"\n[admin]\nlisten = \":1\"\n");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(warnings_.size(), 2u);
  std::string all = warnings_[0] + "\n" + warnings_[1];
  EXPECT_NE(all.find(":1: unknown table or key \"database\""), std::string::npos) << all;
  EXPECT_NE(all.find(":2: unknown table or key \"admin\""), std::string::npos) << all;
}

TEST_F(DripConfigTest, MissingFileNamesThePath) {
  Result<DripConfig> c = LoadDripConfig("/nonexistent/drip.toml", &warnings_);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/drip.toml"), std::string::npos);
}

}  // namespace
}  // namespace nanotdb::drip
