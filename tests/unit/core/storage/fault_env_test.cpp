#include "storage/fault_env.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace nanotdb {
namespace {

class FaultEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nanotdb-fault-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Read(const std::string& path) {
    std::string out;
    Status s = Env::Default()->ReadFileToString(path, &out);
    return s.ok() ? out : "<" + s.ToString() + ">";
  }
  std::unique_ptr<WritableFile> Open(const std::string& path, bool truncate = false) {
    auto f = env_.NewWritableFile(path, truncate);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(f).value() : nullptr;
  }
  // Writes `data` durably: file synced, directory entry synced.
  void WriteDurable(const std::string& name, std::string_view data) {
    auto f = Open(Path(name), true);
    ASSERT_TRUE(f->Append(data).ok());
    ASSERT_TRUE(f->Sync().ok());
    ASSERT_TRUE(env_.SyncDir(dir_).ok());
  }

  std::string dir_;
  FaultInjectionEnv env_{Env::Default()};
};

TEST_F(FaultEnvTest, PowerLossDropsExactlyTheUnsyncedBytes) {
  auto f = Open(Path("wal"));
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(f->Append("synced").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("-lost").ok());
  EXPECT_EQ(Read(Path("wal")), "synced-lost");
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("wal")), "synced");
}

TEST_F(FaultEnvTest, ContentPresentBeforeOpeningCountsAsDurable) {
  {
    auto base = Env::Default()->NewWritableFile(Path("old"), true);
    ASSERT_TRUE((*base)->Append("before").ok());
  }
  auto f = Open(Path("old"));
  ASSERT_TRUE(f->Append("+after").ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("old")), "before");
}

TEST_F(FaultEnvTest, TruncationIsDurableAtOnce) {
  WriteDurable("t", "0123456789");
  auto f = Open(Path("t"));
  ASSERT_TRUE(f->Truncate(3).ok());
  ASSERT_TRUE(f->Append("abc").ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("t")), "012");
}

TEST_F(FaultEnvTest, CreatedFileVanishesUnlessItsDirectoryWasSynced) {
  auto f = Open(Path("new"));
  ASSERT_TRUE(f->Append("data").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_FALSE(Env::Default()->FileExists(Path("new")));

  WriteDurable("kept", "data");
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("kept")), "data");
}

TEST_F(FaultEnvTest, UnsyncedRenameRevertsAndRestoresTheReplacedFile) {
  WriteDurable("target", "old");
  auto f = Open(Path("tmp"), true);
  ASSERT_TRUE(f->Append("new").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Close().ok());
  ASSERT_TRUE(env_.RenameFile(Path("tmp"), Path("target")).ok());
  EXPECT_EQ(Read(Path("target")), "new");
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("target")), "old");
  EXPECT_FALSE(Env::Default()->FileExists(Path("tmp")));  // its creation was not durable either
}

TEST_F(FaultEnvTest, SyncedRenameSurvives) {
  WriteDurable("target", "old");
  WriteDurable("tmp", "new");
  ASSERT_TRUE(env_.RenameFile(Path("tmp"), Path("target")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_ + "/").ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("target")), "new");
  EXPECT_FALSE(Env::Default()->FileExists(Path("tmp")));
}

TEST_F(FaultEnvTest, RenamedFileKeepsItsUnsyncedTailAccounting) {
  WriteDurable("a", "durable");
  auto f = Open(Path("a"));
  ASSERT_TRUE(f->Append("+unsynced").ok());
  ASSERT_TRUE(f->Close().ok());
  ASSERT_TRUE(env_.RenameFile(Path("a"), Path("b")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("b")), "durable");
}

TEST_F(FaultEnvTest, UnsyncedRemoveComesBackWithItsDurableContent) {
  WriteDurable("gone", "durable");
  auto f = Open(Path("gone"));
  ASSERT_TRUE(f->Append("+not").ok());
  ASSERT_TRUE(env_.RemoveFile(Path("gone")).ok());
  EXPECT_FALSE(Env::Default()->FileExists(Path("gone")));
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("gone")), "durable");

  ASSERT_TRUE(env_.RemoveFile(Path("gone")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_FALSE(Env::Default()->FileExists(Path("gone")));
}

TEST_F(FaultEnvTest, FilesOpenedBeforePowerLossAreDead) {
  auto f = Open(Path("x"));
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  Status s = f->Append("late");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("power loss"), std::string::npos);
  EXPECT_FALSE(f->Sync().ok());
}

TEST_F(FaultEnvTest, FailNthAppendFailsOnlyThatAppend) {
  auto f = Open(Path("x"));
  env_.FailNthAppend(2);
  EXPECT_TRUE(f->Append("a").ok());
  EXPECT_FALSE(f->Append("b").ok());
  EXPECT_TRUE(f->Append("c").ok());
  EXPECT_EQ(Read(Path("x")), "ac");
}

TEST_F(FaultEnvTest, ShortWritesLeaveHalfTheDataAndFail) {
  auto f = Open(Path("x"));
  env_.SetShortWrites(true);
  EXPECT_FALSE(f->Append("abcdef").ok());
  EXPECT_EQ(Read(Path("x")), "abc");
  EXPECT_EQ(f->Size(), 3u);
  env_.ClearFaults();
  EXPECT_TRUE(f->Append("g").ok());
  EXPECT_EQ(Read(Path("x")), "abcg");
}

TEST_F(FaultEnvTest, FailedSyncMakesNothingDurable) {
  auto f = Open(Path("x"));
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(f->Append("data").ok());
  env_.SetSyncFailure(true);
  EXPECT_FALSE(f->Sync().ok());
  EXPECT_FALSE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("x")), "");
}

TEST_F(FaultEnvTest, FullDiskWritesWhatFitsThenFails) {
  auto f = Open(Path("x"));
  env_.SetFreeSpace(5);
  EXPECT_TRUE(f->Append("abc").ok());
  Status s = f->Append("defgh");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos);
  EXPECT_EQ(Read(Path("x")), "abcde");
  EXPECT_FALSE(f->Append("z").ok());
  env_.SetFreeSpace(std::nullopt);
  EXPECT_TRUE(f->Append("z").ok());
}

TEST_F(FaultEnvTest, CrashStopsEveryMutationAfterTheChosenOperation) {
  env_.CrashAfterOperations(2);
  auto f = Open(Path("x"));          // 1
  EXPECT_TRUE(f->Append("a").ok());  // 2
  EXPECT_FALSE(f->Sync().ok());
  EXPECT_FALSE(f->Append("b").ok());
  EXPECT_FALSE(env_.RenameFile(Path("x"), Path("y")).ok());
  EXPECT_FALSE(env_.CreateDirIfMissing(Path("d")).ok());
  EXPECT_EQ(Read(Path("x")), "a");  // reads still work
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_FALSE(Env::Default()->FileExists(Path("x")));
  auto g = Open(Path("x"));
  EXPECT_TRUE(g->Append("after restart").ok());
}

TEST_F(FaultEnvTest, CountersMeasureWhatReachedTheDisk) {
  auto f = Open(Path("x"));
  ASSERT_TRUE(f->Append("12345").ok());
  ASSERT_TRUE(f->Append("678").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(env_.RenameFile(Path("x"), Path("y")).ok());
  auto c = env_.counters();
  EXPECT_EQ(c.appends, 2u);
  EXPECT_EQ(c.bytes_appended, 8u);
  EXPECT_EQ(c.syncs, 1u);
  EXPECT_EQ(c.dir_syncs, 1u);
  EXPECT_EQ(c.renames, 1u);
  EXPECT_EQ(c.files_created, 1u);
  EXPECT_EQ(c.operations, 6u);
  env_.ResetCounters();
  EXPECT_EQ(env_.counters().bytes_appended, 0u);
}

TEST_F(FaultEnvTest, ModelHoldsWithoutPassingSyncsThrough) {
  env_.SetPassSyncsThrough(false);
  auto f = Open(Path("x"));
  ASSERT_TRUE(env_.SyncDir(dir_).ok());
  ASSERT_TRUE(f->Append("kept").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("lost").ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("x")), "kept");
  EXPECT_EQ(env_.counters().syncs, 1u);
}

TEST_F(FaultEnvTest, FakeClockDrivesBothClocks) {
  env_.SetClock(1000);
  EXPECT_EQ(env_.NowNanos(), 1000);
  env_.AdvanceClock(500);
  EXPECT_EQ(env_.NowNanos(), 1500);
  EXPECT_EQ(env_.MonotonicNanos(), 1500);
}

}  // namespace
}  // namespace nanotdb
