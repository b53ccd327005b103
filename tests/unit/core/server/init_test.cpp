#include "server/init.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace nanotdb::server {
namespace {

namespace fs = std::filesystem;

class InitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nanotdb-init-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir_;
};

TEST_F(InitTest, WritesTheCommentedDefaultIntoANewRoot) {
  std::string path = (dir_ / "root" / "anyname.toml").string();
  std::vector<std::string> written;
  ASSERT_TRUE(InitRoot(path, (dir_ / "no-plugins").string(), &written).ok());
  EXPECT_EQ(written.front(), path);
  EXPECT_EQ(Read(path), std::string(kDefaultEngineToml));
  EXPECT_THAT(Read(path), ::testing::HasSubstr("# HTTP address"));
  if (!kDefaultDashboardJson.empty()) {
    EXPECT_EQ(Read(dir_ / "root" / "dashboard.json"), std::string(kDefaultDashboardJson));
  }
}

TEST_F(InitTest, RefusesToOverwriteAnExistingConfig) {
  fs::create_directories(dir_);
  std::string path = (dir_ / "engine.toml").string();
  std::ofstream(path) << "# mine\n";
  std::vector<std::string> written;
  Status st = InitRoot(path, dir_.string(), &written);
  EXPECT_EQ(st.code(), Status::Code::kAlreadyExists);
  EXPECT_THAT(st.message(), ::testing::HasSubstr(path + " already exists"));
  EXPECT_EQ(Read(path), "# mine\n");
  EXPECT_TRUE(written.empty());
}

TEST_F(InitTest, KeepsAnExistingDashboard) {
  if (kDefaultDashboardJson.empty()) GTEST_SKIP() << "this build embeds no dashboard.json";
  fs::create_directories(dir_);
  std::ofstream(dir_ / "dashboard.json") << "{}";
  std::vector<std::string> written;
  ASSERT_TRUE(InitRoot((dir_ / "engine.toml").string(), dir_.string(), &written).ok());
  EXPECT_EQ(Read(dir_ / "dashboard.json"), "{}");
}

}  // namespace
}  // namespace nanotdb::server
