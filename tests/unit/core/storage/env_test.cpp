#include "nanotdb/env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/fault_env.h"
#include "storage/filenames.h"

namespace nanotdb {
namespace {

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nanotdb-env-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Read(const std::string& path) {
    std::string out;
    EXPECT_TRUE(env_->ReadFileToString(path, &out).ok());
    return out;
  }
  void Write(const std::string& path, std::string_view data) {
    auto f = env_->NewWritableFile(path, true);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE((*f)->Append(data).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }

  Env* env_ = Env::Default();
  std::string dir_;
};

TEST_F(EnvTest, AppendsAccumulateAndSizeCountsUnsyncedBytes) {
  auto f = env_->NewWritableFile(Path("a"), false);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Size(), 0u);
  ASSERT_TRUE((*f)->Append("hello ").ok());
  ASSERT_TRUE((*f)->Append("world").ok());
  EXPECT_EQ((*f)->Size(), 11u);
  EXPECT_EQ((*f)->path(), Path("a"));
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Close().ok());
  ASSERT_TRUE((*f)->Close().ok());  // idempotent
  EXPECT_EQ(Read(Path("a")), "hello world");
  EXPECT_FALSE((*f)->Append("x").ok());
}

TEST_F(EnvTest, ReopenAppendsAtEndUnlessTruncating) {
  Write(Path("a"), "abc");
  {
    auto f = env_->NewWritableFile(Path("a"), false);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ((*f)->Size(), 3u);
    ASSERT_TRUE((*f)->Append("def").ok());
  }
  EXPECT_EQ(Read(Path("a")), "abcdef");
  auto f = env_->NewWritableFile(Path("a"), true);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Size(), 0u);
  EXPECT_EQ(Read(Path("a")), "");
}

TEST_F(EnvTest, TruncateMovesTheAppendPosition) {
  auto f = env_->NewWritableFile(Path("a"), true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("0123456789").ok());
  ASSERT_TRUE((*f)->Truncate(4).ok());
  EXPECT_EQ((*f)->Size(), 4u);
  ASSERT_TRUE((*f)->Append("xy").ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(Read(Path("a")), "0123xy");
  ASSERT_TRUE(env_->TruncateFile(Path("a"), 2).ok());
  EXPECT_EQ(Read(Path("a")), "01");
}

TEST_F(EnvTest, RandomAccessReadsAtOffsetsAndStopsAtEnd) {
  Write(Path("r"), "0123456789");
  auto f = env_->NewRandomAccessFile(Path("r"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Size(), 10u);
  std::string out = "stale";
  ASSERT_TRUE((*f)->Read(3, 4, &out).ok());
  EXPECT_EQ(out, "3456");
  ASSERT_TRUE((*f)->Read(8, 10, &out).ok());
  EXPECT_EQ(out, "89");
  ASSERT_TRUE((*f)->Read(20, 5, &out).ok());
  EXPECT_EQ(out, "");
}

TEST_F(EnvTest, RandomAccessSizeFollowsAFileStillBeingAppended) {
  auto w = env_->NewWritableFile(Path("g"), true);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("abc").ok());
  auto r = env_->NewRandomAccessFile(Path("g"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Size(), 3u);
  ASSERT_TRUE((*w)->Append("def").ok());
  EXPECT_EQ((*r)->Size(), 6u);
}

TEST_F(EnvTest, MissingFilesAreNotFoundAndNamed) {
  auto f = env_->NewRandomAccessFile(Path("nope"));
  ASSERT_FALSE(f.ok());
  EXPECT_TRUE(f.status().IsNotFound());
  EXPECT_NE(f.status().message().find(Path("nope")), std::string::npos);
  std::string out;
  EXPECT_TRUE(env_->ReadFileToString(Path("nope"), &out).IsNotFound());
  EXPECT_TRUE(env_->GetFileSize(Path("nope")).status().IsNotFound());
  EXPECT_FALSE(env_->FileExists(Path("nope")));
}

TEST_F(EnvTest, FileIdentityChangesWithAppendAndRenameOnto) {
  EXPECT_TRUE(env_->GetFileIdentity(Path("nope")).status().IsNotFound());
  Write(Path("a"), "12345");
  auto first = env_->GetFileIdentity(Path("a"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size, 5u);
  auto again = env_->GetFileIdentity(Path("a"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);  // nothing changed

  auto f = env_->NewWritableFile(Path("a"), false);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("6").ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto appended = env_->GetFileIdentity(Path("a"));
  ASSERT_TRUE(appended.ok());
  EXPECT_NE(*appended, *first);
  EXPECT_EQ(appended->inode, first->inode);
  EXPECT_EQ(appended->size, 6u);

  // Same size, same content, another file renamed onto the name: a different identity.
  Write(Path("b"), "123456");
  ASSERT_TRUE(env_->RenameFile(Path("b"), Path("a")).ok());
  auto renamed = env_->GetFileIdentity(Path("a"));
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->size, 6u);
  EXPECT_NE(*renamed, *appended);
}

TEST_F(EnvTest, DirectoryOperations) {
  std::string deep = Path("x/y/z");
  ASSERT_TRUE(env_->CreateDirIfMissing(deep).ok());
  ASSERT_TRUE(env_->CreateDirIfMissing(deep).ok());
  EXPECT_TRUE(env_->DirExists(deep));
  EXPECT_FALSE(env_->FileExists(deep));
  Write(deep + "/b", "1");
  Write(deep + "/a", "22");
  Write(deep + "/.hidden", "");
  std::vector<std::string> names;
  ASSERT_TRUE(env_->GetChildren(deep, &names).ok());
  EXPECT_EQ(names, (std::vector<std::string>{".hidden", "a", "b"}));
  auto size = env_->GetFileSize(deep + "/a");
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 2u);
  EXPECT_FALSE(env_->RemoveDir(deep).ok());  // not empty
  for (const auto& n : names) ASSERT_TRUE(env_->RemoveFile(deep + "/" + n).ok());
  ASSERT_TRUE(env_->SyncDir(deep).ok());
  ASSERT_TRUE(env_->RemoveDir(deep).ok());
  EXPECT_FALSE(env_->DirExists(deep));
  EXPECT_TRUE(env_->GetChildren(deep, &names).IsNotFound());
}

TEST_F(EnvTest, RenameReplacesTheTarget) {
  Write(Path("old"), "new content");
  Write(Path("target"), "old content");
  ASSERT_TRUE(env_->RenameFile(Path("old"), Path("target")).ok());
  EXPECT_FALSE(env_->FileExists(Path("old")));
  EXPECT_EQ(Read(Path("target")), "new content");
}

TEST_F(EnvTest, LockFileRefusesASecondHolderAndNamesThePid) {
  std::string lock_path = LockPath(dir_);
  auto first = env_->LockFile(lock_path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Read(lock_path), std::to_string(::getpid()) + "\n");
  auto second = env_->LockFile(lock_path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kBusy);
  EXPECT_NE(second.status().message().find("data root " + dir_ + " is in use by process " +
                                           std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();
  first->reset();
  auto third = env_->LockFile(lock_path);
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

TEST_F(EnvTest, ClocksAreSane) {
  Timestamp now = env_->NowNanos();
  EXPECT_GT(now, Timestamp{1'600'000'000} * kNanosPerSecond);
  int64_t a = env_->MonotonicNanos();
  int64_t b = env_->MonotonicNanos();
  EXPECT_LE(a, b);
}

TEST_F(EnvTest, WriteFileAtomicallyReplacesContentAndLeavesNoTemp) {
  std::string path = Path("catalog.json");
  ASSERT_TRUE(WriteFileAtomically(env_, path, "first").ok());
  EXPECT_EQ(Read(path), "first");
  ASSERT_TRUE(WriteFileAtomically(env_, path, "second, longer").ok());
  EXPECT_EQ(Read(path), "second, longer");
  std::vector<std::string> names;
  ASSERT_TRUE(env_->GetChildren(dir_, &names).ok());
  EXPECT_EQ(names, std::vector<std::string>{"catalog.json"});
}

TEST_F(EnvTest, WriteFileAtomicallyIntoMissingDirectoryFailsNamingThePath) {
  Status s = WriteFileAtomically(env_, Path("missing/x.toml"), "x");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(Path("missing/x.toml")), std::string::npos) << s.message();
}

// Crash at every step of the helper (create temp, append, sync, rename, dir sync), then lose
// power: the file must hold exactly the old or exactly the new contents, and once the helper
// has returned OK it must hold the new contents.
TEST_F(EnvTest, WriteFileAtomicallySurvivesACrashBetweenAnyTwoSteps) {
  FaultInjectionEnv fault(env_);
  std::string path = Path("manifest.toml");
  ASSERT_TRUE(WriteFileAtomically(&fault, path, "old").ok());
  fault.ResetCounters();
  ASSERT_TRUE(WriteFileAtomically(&fault, path, "new!").ok());
  const int64_t steps = static_cast<int64_t>(fault.counters().operations);
  ASSERT_GE(steps, 5);
  ASSERT_TRUE(WriteFileAtomically(&fault, path, "old").ok());
  ASSERT_TRUE(fault.DropUnsyncedData().ok());

  for (int64_t crash_at = 0; crash_at <= steps; ++crash_at) {
    fault.CrashAfterOperations(crash_at);
    Status s = WriteFileAtomically(&fault, path, "new!");
    EXPECT_EQ(s.ok(), crash_at == steps) << crash_at;
    ASSERT_TRUE(fault.DropUnsyncedData().ok());
    std::string content = Read(path);
    if (s.ok()) {
      EXPECT_EQ(content, "new!");
    } else {
      EXPECT_TRUE(content == "old" || content == "new!") << crash_at << ": " << content;
    }
    ASSERT_TRUE(WriteFileAtomically(&fault, path, "old").ok());
  }
}

TEST_F(EnvTest, WriteFileAtomicallyKeepsOldFileWhenTheDiskIsFull) {
  FaultInjectionEnv fault(env_);
  std::string path = Path("catalog.json");
  ASSERT_TRUE(WriteFileAtomically(&fault, path, "old").ok());
  fault.SetFreeSpace(2);
  Status s = WriteFileAtomically(&fault, path, "much longer new content");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("No space left"), std::string::npos) << s.message();
  EXPECT_EQ(Read(path), "old");
  EXPECT_FALSE(env_->FileExists(TempFilePath(path)));
}

}  // namespace
}  // namespace nanotdb
