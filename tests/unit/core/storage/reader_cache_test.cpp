#include "storage/reader_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "storage/frame.h"

namespace nanotdb {
namespace {

constexpr Timestamp kStart = 1767225600000000000;  // 2026-01-01T00:00:00Z
constexpr Timestamp kStep = 10 * kNanosPerSecond;

// Env::Default() with hooks: GetFileIdentity can be frozen (as when a same-size rewrite lands
// within one tick of the file system's clock) and a callback runs before every file open.
class HookEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p, bool t) override {
    return base_->NewWritableFile(p, t);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    ++opens;
    if (before_open) before_open(p);
    return base_->NewRandomAccessFile(p);
  }
  Status ReadFileToString(const std::string& p, std::string* out) override {
    return base_->ReadFileToString(p, out);
  }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  bool DirExists(const std::string& p) override { return base_->DirExists(p); }
  Result<uint64_t> GetFileSize(const std::string& p) override { return base_->GetFileSize(p); }
  Result<FileIdentity> GetFileIdentity(const std::string& p) override {
    if (frozen_identity) return FileIdentity{1, 2, 3, 4, 5};
    return base_->GetFileIdentity(p);
  }
  Status GetChildren(const std::string& d, std::vector<std::string>* n) override {
    return base_->GetChildren(d, n);
  }
  Status CreateDirIfMissing(const std::string& d) override { return base_->CreateDirIfMissing(d); }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status RemoveDir(const std::string& p) override { return base_->RemoveDir(p); }
  Status RenameFile(const std::string& f, const std::string& t) override {
    return base_->RenameFile(f, t);
  }
  Status TruncateFile(const std::string& p, uint64_t s) override {
    return base_->TruncateFile(p, s);
  }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& p) override {
    return base_->LockFile(p);
  }
  Timestamp NowNanos() override { return base_->NowNanos(); }
  int64_t MonotonicNanos() override { return base_->MonotonicNanos(); }

  bool frozen_identity = false;
  std::function<void(const std::string&)> before_open;
  int opens = 0;

 private:
  Env* base_ = Env::Default();
};

class ReaderCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nanotdb-reader-cache-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(int n) const { return dir_ + "/data-2026-01-0" + std::to_string(n) + ".dat"; }

  // Appends `frames` frames of metric 1, 20 samples each, valued `base + sample index`.
  void Append(const std::string& path, int frames, uint64_t base, int first_frame = 0) {
    DataFileOpenReport report;
    auto w = DataFileWriter::Open(&env_, path, &report);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    for (int f = first_frame; f < first_frame + frames; ++f) {
      std::vector<Sample> s;
      for (int i = f * 20; i < (f + 1) * 20; ++i) s.push_back({kStart + i * kStep, base + i});
      std::vector<ColumnInput> cols = {{1, ValueType::kInt64, s}};
      std::string frame;
      ASSERT_TRUE(EncodeFrame(cols, FrameOptions{}, &frame).ok());
      ASSERT_TRUE((*w)->Append(frame, false, {}).ok());
    }
  }

  static std::vector<uint64_t> Values(const DataFileReader& r) {
    std::vector<uint64_t> out;
    EXPECT_TRUE(r.ReadMetric(1, kMinTimestamp, kMaxTimestamp, [&](const Sample& s) {
                   out.push_back(s.bits);
                   return true;
                 }).ok());
    return out;
  }

  std::shared_ptr<const DataFileReader> Get(ReaderCache& cache, const std::string& path) {
    auto r = cache.Get(path);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : nullptr;
  }

  HookEnv env_;
  std::string dir_;
};

TEST_F(ReaderCacheTest, SecondGetSharesTheReaderWithoutOpeningTheFile) {
  Append(Path(1), 3, 0);
  ReaderCache cache(&env_, {});
  auto a = Get(cache, Path(1));
  auto b = Get(cache, Path(1));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(env_.opens, 1);
  EXPECT_EQ(Values(*b).size(), 60u);
  const ReaderCacheStats s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.files, 1u);
  EXPECT_EQ(s.bytes, a->MemoryBytes());
}

TEST_F(ReaderCacheTest, FrameAppendedByAnotherWriterIsSeenWithoutInvalidate) {
  Append(Path(1), 2, 0);
  ReaderCache cache(&env_, {});
  ASSERT_EQ(Get(cache, Path(1))->frames().size(), 2u);
  Append(Path(1), 1, 0, 2);  // the file grows: its identity changes
  auto r = Get(cache, Path(1));
  EXPECT_EQ(r->frames().size(), 3u);
  EXPECT_EQ(Values(*r).size(), 60u);
  EXPECT_EQ(cache.stats().stale, 1u);
}

TEST_F(ReaderCacheTest, FileReplacedByRenameIsReadAsItIsNow) {
  Append(Path(1), 2, 0);
  Append(Path(2), 2, 1000);  // same size, other values
  ReaderCache cache(&env_, {});
  EXPECT_EQ(Values(*Get(cache, Path(1))).front(), 0u);
  ASSERT_TRUE(env_.RenameFile(Path(2), Path(1)).ok());
  EXPECT_EQ(Values(*Get(cache, Path(1))).front(), 1000u);
}

TEST_F(ReaderCacheTest, InvalidateCoversARewriteTheIdentityDoesNotShow) {
  Append(Path(1), 2, 0);
  env_.frozen_identity = true;
  ReaderCache cache(&env_, {});
  EXPECT_EQ(Values(*Get(cache, Path(1))).front(), 0u);
  ASSERT_TRUE(env_.RemoveFile(Path(1)).ok());
  Append(Path(1), 2, 1000);
  // Without a word from the writer, the frozen identity keeps the old reader: that is what
  // Invalidate is for.
  EXPECT_EQ(Values(*Get(cache, Path(1))).front(), 0u);
  cache.Invalidate(Path(1));
  EXPECT_EQ(cache.stats().invalidations, 1u);
  EXPECT_EQ(Values(*Get(cache, Path(1))).front(), 1000u);
}

TEST_F(ReaderCacheTest, ReaderOpenedWhileAnInvalidateRunsIsNotKept) {
  Append(Path(1), 2, 0);
  ReaderCache cache(&env_, {});
  env_.before_open = [&](const std::string& path) { cache.Invalidate(path); };
  ASSERT_NE(Get(cache, Path(1)), nullptr);
  EXPECT_EQ(cache.stats().files, 0u);
  env_.before_open = nullptr;
  Get(cache, Path(1));
  EXPECT_EQ(cache.stats().files, 1u);
}

TEST_F(ReaderCacheTest, DeletedFileIsNotFoundAndDropped) {
  Append(Path(1), 1, 0);
  ReaderCache cache(&env_, {});
  Get(cache, Path(1));
  ASSERT_TRUE(env_.RemoveFile(Path(1)).ok());
  EXPECT_TRUE(cache.Get(Path(1)).status().IsNotFound());
  EXPECT_EQ(cache.stats().files, 0u);
  EXPECT_TRUE(cache.Get(Path(2)).status().IsNotFound());
  EXPECT_EQ(cache.stats().files, 0u);
}

TEST_F(ReaderCacheTest, KeepsAtMostMaxFilesLeastRecentlyUsedGoFirst) {
  for (int i = 1; i <= 3; ++i) Append(Path(i), 1, 0);
  ReaderCache cache(&env_, ReaderCacheOptions{2, 1ull << 30});
  Get(cache, Path(1));
  Get(cache, Path(2));
  Get(cache, Path(1));  // 2 is now the least recently used
  Get(cache, Path(3));
  ReaderCacheStats s = cache.stats();
  EXPECT_EQ(s.files, 2u);
  EXPECT_EQ(s.evictions, 1u);
  const int opens = env_.opens;
  Get(cache, Path(1));
  Get(cache, Path(3));
  EXPECT_EQ(env_.opens, opens);  // both kept
  Get(cache, Path(2));
  EXPECT_EQ(env_.opens, opens + 1);  // evicted, opened again
  EXPECT_EQ(cache.stats().files, 2u);
}

TEST_F(ReaderCacheTest, StaysWithinMaxBytes) {
  for (int i = 1; i <= 4; ++i) Append(Path(i), 4, 0);
  ReaderCache probe(&env_, {});
  const uint64_t one = Get(probe, Path(1))->MemoryBytes();
  ReaderCache cache(&env_, ReaderCacheOptions{100, 2 * one + one / 2});
  for (int round = 0; round < 3; ++round) {
    for (int i = 1; i <= 4; ++i) {
      Get(cache, Path(i));
      EXPECT_LE(cache.stats().bytes, 2 * one + one / 2);
    }
  }
  EXPECT_EQ(cache.stats().files, 2u);

  // A reader larger than the whole bound is handed out, not kept.
  ReaderCache tiny(&env_, ReaderCacheOptions{100, one - 1});
  auto r = Get(tiny, Path(1));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Values(*r).size(), 80u);
  EXPECT_EQ(tiny.stats().files, 0u);
  EXPECT_EQ(tiny.stats().bytes, 0u);

  ReaderCache none(&env_, ReaderCacheOptions{0, 1ull << 30});
  Get(none, Path(1));
  Get(none, Path(1));
  EXPECT_EQ(none.stats().files, 0u);
  EXPECT_EQ(none.stats().hits, 0u);
}

TEST_F(ReaderCacheTest, EvictedReaderStaysUsableByItsHolder) {
  Append(Path(1), 2, 7);
  Append(Path(2), 1, 0);
  ReaderCache cache(&env_, ReaderCacheOptions{1, 1ull << 30});
  auto held = Get(cache, Path(1));
  Get(cache, Path(2));  // evicts 1
  cache.Invalidate(Path(2));
  EXPECT_EQ(cache.stats().files, 0u);
  const std::vector<uint64_t> v = Values(*held);
  ASSERT_EQ(v.size(), 40u);
  EXPECT_EQ(v.front(), 7u);
}

}  // namespace
}  // namespace nanotdb
