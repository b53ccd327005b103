#include "dashboard_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "server/plugin_files.h"

namespace nanotdb::ui {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

const char kDefault[] = R"({"title":"Default","groups":[{"id":"g","widgets":[]}],"widgets":{}})";
const char kValid[] =
    R"({"title":"Mine","groups":[{"id":"g","widgets":["w"]}],
        "widgets":{"w":{"type":"number","series":[{"metric":"m"}]}}})";

class DashboardStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ui_store_testXXXXXX";
    dir_ = mkdtemp(tmpl);
    files_ = std::make_unique<server::PluginFiles>(Env::Default(), dir_, "ui-dashboard");
    own_ = dir_ + "/.plugins/ui-dashboard";
    path_ = own_ + "/dashboard.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Read(const std::string& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void Write(const std::string& p, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p) << text;
  }
  std::unique_ptr<server::PluginFiles> files_;
  std::string dir_, own_, path_;
};

TEST_F(DashboardStoreTest, MissingFileServesDefaultWithConfiguredTitle) {
  DashboardStore store(*files_, kDefault, "Garden Pi", 50);
  Result<std::string> text = store.Load();
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("\"Garden Pi\""));
  DashboardStore plain(*files_, kDefault, "", 50);
  EXPECT_EQ(*plain.Load(), kDefault);
}

TEST_F(DashboardStoreTest, FirstSaveWritesNormalizedFileWithoutBackup) {
  DashboardStore store(*files_, kDefault, "", 50);
  std::vector<std::string> errors;
  Result<DashboardSaveResult> r = store.Save(kValid, &errors);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->backup_name, "");
  EXPECT_EQ(Read(path_), r->normalized_json);
  EXPECT_EQ(*store.Load(), r->normalized_json);
}

TEST_F(DashboardStoreTest, SecondSaveKeepsPreviousFileAsTimestampedBackup) {
  DashboardStore store(*files_, kDefault, "", 50);
  std::vector<std::string> errors;
  ASSERT_TRUE(store.Save(kValid, &errors).ok());
  std::string first = Read(path_);
  std::string second_doc = kValid;
  second_doc.replace(second_doc.find("Mine"), 4, "Changed");
  Result<DashboardSaveResult> r = store.Save(second_doc, &errors);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->backup_name, StartsWith("dashboard."));
  EXPECT_EQ(Read(own_ + "/backups/" + r->backup_name), first);
  EXPECT_THAT(Read(path_), HasSubstr("Changed"));
}

TEST_F(DashboardStoreTest, RefusedSaveListsProblemsAndLeavesFileUntouched) {
  Write(path_, "{\"keep\":true}");
  DashboardStore store(*files_, kDefault, "", 50);
  std::vector<std::string> errors;
  Result<DashboardSaveResult> r =
      store.Save(R"({"title":"x","groups":[{"id":"g","widgets":["w"]}],"widgets":{}})", &errors);
  EXPECT_TRUE(r.status().IsInvalidArgument());
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0], HasSubstr("\"w\""));
  EXPECT_EQ(Read(path_), "{\"keep\":true}");
  EXPECT_FALSE(std::filesystem::exists(own_ + "/backups"));
}

TEST_F(DashboardStoreTest, SavesKeepOnlyTheNewestBackups) {
  DashboardStore store(*files_, kDefault, "", 2);
  std::vector<std::string> errors;
  std::vector<std::string> backups;
  for (int i = 0; i < 5; ++i) {
    std::string doc = kValid;
    doc.replace(doc.find("Mine"), 4, "Save" + std::to_string(i));
    Result<DashboardSaveResult> r = store.Save(doc, &errors);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (!r->backup_name.empty()) backups.push_back(r->backup_name);
  }
  ASSERT_THAT(backups, SizeIs(4));
  Result<std::vector<std::string>> kept = files_->List("backups");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, (std::vector<std::string>{backups[2], backups[3]}));
  EXPECT_THAT(Read(own_ + "/backups/" + backups[3]), HasSubstr("Save3"));  // saved 4th
}

TEST_F(DashboardStoreTest, LegacyDashboardAndBackupsUnderTheRootAreMovedIn) {
  Write(dir_ + "/dashboard.json", kValid);
  Write(dir_ + "/dashboard_backups/dashboard.20260101T000000.000000000Z.json", "{\"old\":1}");
  Result<std::vector<std::string>> report = MigrateLegacyDashboard(*files_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_THAT(*report, SizeIs(2));
  EXPECT_THAT((*report)[0], HasSubstr("moved <root>/dashboard.json to " + path_));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/dashboard.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/dashboard_backups"));  // emptied, removed
  EXPECT_EQ(Read(own_ + "/backups/dashboard.20260101T000000.000000000Z.json"), "{\"old\":1}");
  DashboardStore store(*files_, kDefault, "", 50);
  EXPECT_EQ(*store.Load(), kValid);
  // Nothing left to move: a second start reports nothing.
  EXPECT_THAT(*MigrateLegacyDashboard(*files_), IsEmpty());
}

TEST_F(DashboardStoreTest, MigrationLeavesADatabaseNamedDashboardBackupsAlone) {
  Write(dir_ + "/dashboard_backups/manifest.toml", "[retention]\n");
  Write(dir_ + "/dashboard_backups/wal.log", "x");
  Write(dir_ + "/dashboard_backups/dashboard.20260101T000000.000000000Z.json", "{}");
  ASSERT_TRUE(MigrateLegacyDashboard(*files_).ok());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/dashboard_backups/manifest.toml"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/dashboard_backups/wal.log"));
  EXPECT_FALSE(std::filesystem::exists(
      dir_ + "/dashboard_backups/dashboard.20260101T000000.000000000Z.json"));
}

TEST_F(DashboardStoreTest, MigrationNeverOverwritesTheCurrentFile) {
  Write(path_, kValid);
  Write(dir_ + "/dashboard.json", "{\"legacy\":1}");
  Result<std::vector<std::string>> report = MigrateLegacyDashboard(*files_);
  ASSERT_TRUE(report.ok());
  ASSERT_THAT(*report, SizeIs(1));
  EXPECT_THAT((*report)[0], HasSubstr("left <root>/dashboard.json in place"));
  EXPECT_EQ(Read(path_), kValid);
  EXPECT_EQ(Read(dir_ + "/dashboard.json"), "{\"legacy\":1}");
}

TEST(BackupStampTest, FormatsUtcWithNanoseconds) {
  EXPECT_EQ(BackupStamp(1780308671123456789LL), "20260601T101111.123456789Z");
  EXPECT_EQ(BackupStamp(0), "19700101T000000.000000000Z");
}

}  // namespace
}  // namespace nanotdb::ui
