#include "server/plugin_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "nanotdb/engine.h"

namespace nanotdb::server {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class PluginFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/plugin_files_testXXXXXX";
    root_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Read(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  std::string root_;
};

TEST_F(PluginFilesTest, FilesLiveUnderTheReservedDirectoryOfTheirPlugin) {
  PluginFiles files(Env::Default(), root_, "ui-dashboard");
  ASSERT_TRUE(files.Write("dashboard.json", "{}").ok());
  ASSERT_TRUE(files.Write("backups/a.json", "1").ok());
  EXPECT_EQ(Read(root_ + "/.plugins/ui-dashboard/dashboard.json"), "{}");
  EXPECT_EQ(files.PathOf("backups/a.json"), root_ + "/.plugins/ui-dashboard/backups/a.json");
  EXPECT_EQ(*files.Read("backups/a.json"), "1");
  EXPECT_TRUE(files.Exists("dashboard.json"));
  EXPECT_THAT(*files.List(""), ElementsAre("dashboard.json"));  // files only, not backups/
  EXPECT_TRUE(files.Read("nope.json").status().IsNotFound());
  EXPECT_THAT(*files.List("none"), IsEmpty());
  // Another plugin sees its own directory only.
  PluginFiles other(Env::Default(), root_, "rollup");
  EXPECT_FALSE(other.Exists("dashboard.json"));
}

TEST_F(PluginFilesTest, NoDatabaseCanTakeTheReservedDirectory) {
  PluginFiles files(Env::Default(), root_, "ui-dashboard");
  ASSERT_TRUE(files.Write("dashboard.json", "{}").ok());
  EXPECT_FALSE(ValidateDatabaseName(".plugins").ok());
  EngineOptions options;
  options.root = root_;
  Result<std::unique_ptr<Engine>> engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_THAT((*engine)->ListDatabases(true), IsEmpty());  // .plugins is not a database
  EXPECT_TRUE((*engine)->Write(".plugins", "m", 1, Value::Float64(1)).IsInvalidArgument());
}

TEST_F(PluginFilesTest, NamesThatCouldLeaveTheDirectoryAreRefused) {
  PluginFiles files(Env::Default(), root_, "p");
  for (const char* bad :
       {"", "/etc/passwd", "../x", "a/../../x", ".hidden", "a//b", "a/", "a b", "a\\b"}) {
    Status st = files.Write(bad, "x");
    EXPECT_TRUE(st.IsInvalidArgument()) << bad;
    EXPECT_THAT(st.message(), HasSubstr("plugin file name \"" + std::string(bad) + "\""));
  }
  EXPECT_TRUE(files.AdoptLegacyFile("../outside", "x").status().IsInvalidArgument());
  EXPECT_TRUE(files.ListLegacyDir("..").status().IsInvalidArgument());
}

TEST_F(PluginFilesTest, RotateKeepsTheLastFilesInNameOrder) {
  PluginFiles files(Env::Default(), root_, "p");
  for (const char* name : {"b/3.json", "b/1.json", "b/2.json", "b/4.json"}) {
    ASSERT_TRUE(files.Write(name, name).ok());
  }
  ASSERT_TRUE(files.Rotate("b", 2).ok());
  EXPECT_THAT(*files.List("b"), ElementsAre("3.json", "4.json"));
  ASSERT_TRUE(files.Rotate("b", 5).ok());
  EXPECT_THAT(*files.List("b"), ElementsAre("3.json", "4.json"));
  ASSERT_TRUE(files.Remove("b/3.json").ok());
  ASSERT_TRUE(files.Remove("b/3.json").ok());  // already gone
  EXPECT_THAT(*files.List("b"), ElementsAre("4.json"));
}

TEST_F(PluginFilesTest, LegacyFilesAreMovedOnceAndNeverOverwriteCurrentOnes) {
  fs::create_directories(root_ + "/old");
  std::ofstream(root_ + "/old/a.json") << "legacy";
  std::ofstream(root_ + "/top.json") << "top";
  PluginFiles files(Env::Default(), root_, "p");
  EXPECT_THAT(*files.ListLegacyDir("old"), ElementsAre("a.json"));
  EXPECT_THAT(*files.ListLegacyDir(""), ElementsAre("top.json"));
  EXPECT_TRUE(*files.AdoptLegacyFile("old/a.json", "kept/a.json"));
  EXPECT_EQ(*files.Read("kept/a.json"), "legacy");
  EXPECT_FALSE(fs::exists(root_ + "/old"));                           // left empty, so removed
  EXPECT_FALSE(*files.AdoptLegacyFile("old/a.json", "kept/a.json"));  // nothing left to move
  ASSERT_TRUE(files.Write("top.json", "current").ok());
  EXPECT_FALSE(*files.AdoptLegacyFile("top.json", "top.json"));
  EXPECT_EQ(*files.Read("top.json"), "current");
  EXPECT_EQ(Read(root_ + "/top.json"), "top");
}

}  // namespace
}  // namespace nanotdb::server
