#include "dashboard_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

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
    path_ = dir_ + "/dashboard.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Read(const std::string& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  std::string dir_, path_;
};

TEST_F(DashboardStoreTest, MissingFileServesDefaultWithConfiguredTitle) {
  DashboardStore store(Env::Default(), path_, kDefault, "Garden Pi");
  Result<std::string> text = store.Load();
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("\"Garden Pi\""));
  DashboardStore plain(Env::Default(), path_, kDefault, "");
  EXPECT_EQ(*plain.Load(), kDefault);
}

TEST_F(DashboardStoreTest, FirstSaveWritesNormalizedFileWithoutBackup) {
  DashboardStore store(Env::Default(), path_, kDefault, "");
  std::vector<std::string> errors;
  Result<DashboardSaveResult> r = store.Save(kValid, &errors);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->backup_name, "");
  EXPECT_EQ(Read(path_), r->normalized_json);
  EXPECT_EQ(*store.Load(), r->normalized_json);
}

TEST_F(DashboardStoreTest, SecondSaveKeepsPreviousFileAsTimestampedBackup) {
  DashboardStore store(Env::Default(), path_, kDefault, "");
  std::vector<std::string> errors;
  ASSERT_TRUE(store.Save(kValid, &errors).ok());
  std::string first = Read(path_);
  std::string second_doc = kValid;
  second_doc.replace(second_doc.find("Mine"), 4, "Changed");
  Result<DashboardSaveResult> r = store.Save(second_doc, &errors);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->backup_name, StartsWith("dashboard."));
  EXPECT_EQ(Read(dir_ + "/dashboard_backups/" + r->backup_name), first);
  EXPECT_THAT(Read(path_), HasSubstr("Changed"));
}

TEST_F(DashboardStoreTest, RefusedSaveListsProblemsAndLeavesFileUntouched) {
  std::ofstream(path_) << "{\"keep\":true}";
  DashboardStore store(Env::Default(), path_, kDefault, "");
  std::vector<std::string> errors;
  Result<DashboardSaveResult> r =
      store.Save(R"({"title":"x","groups":[{"id":"g","widgets":["w"]}],"widgets":{}})", &errors);
  EXPECT_TRUE(r.status().IsInvalidArgument());
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0], HasSubstr("\"w\""));
  EXPECT_EQ(Read(path_), "{\"keep\":true}");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/dashboard_backups"));
}

TEST(BackupStampTest, FormatsUtcWithNanoseconds) {
  EXPECT_EQ(BackupStamp(1780308671123456789LL), "20260601T101111.123456789Z");
  EXPECT_EQ(BackupStamp(0), "19700101T000000.000000000Z");
}

}  // namespace
}  // namespace nanotdb::ui
