// The engine keeps data files open with their frame index (ReaderCache). These tests rewrite a
// partition by every path that changes data files — a flush appending to it, a writer cutting a
// damaged tail, retention, Clear (rollup backfill), an import, nanocli recover and compact
// beside a read-only engine — and check that the next read sees the file as it is now, and
// that the cache stays within its bounds. The in-process paths run on an Env whose file
// identities never change, so only the engine's own invalidation can make them pass.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nanotdb/engine.h"
#include "storage/data_file.h"
#include "storage/fault_env.h"
#include "storage/filenames.h"
#include "storage/recover.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;

constexpr Timestamp kDay0 = 1'779'926'400'000'000'000;  // 2026-05-28T00:00:00Z
constexpr Timestamp kStep = 10 * kSecond;

class FreshReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-fresh-reads-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    frozen_.SetFrozenFileIdentity(true);
  }
  void TearDown() override { fs::remove_all(root_); }

  EngineOptions Options(Env* env) {
    EngineOptions o;
    o.root = root_.string();
    o.env = env;
    o.manifest_defaults.wal_skip_before = 0;
    return o;
  }
  std::unique_ptr<Engine> Open(EngineOptions o) {
    auto e = Engine::Open(std::move(o));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }
  // Samples first .. first + n - 1 of metric m, one every 10 s from kDay0, valued base + i.
  static void Write(Engine& e, std::string_view m, int first, int n, int64_t base = 0) {
    std::vector<PointRef> batch;
    for (int i = first; i < first + n; ++i) {
      batch.push_back(PointRef{"demo", m, kDay0 + i * kStep, Value::Int64(base + i)});
    }
    auto r = e.WriteBatch(batch);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->rejected.empty()) << r->rejected.front().second.ToString();
  }
  static std::vector<Sample> Read(const Engine& e, std::string_view m,
                                  ReadReport* report = nullptr) {
    std::vector<Sample> out;
    Status st = e.ReadRange(
        "demo", m, kMinTimestamp, kMaxTimestamp, 1,
        [&](const Sample& s) {
          out.push_back(s);
          return true;
        },
        report);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  std::string DataFile(Timestamp ts) const {
    return DataFilePath(root_.string(), "demo", PartitionKey(Partitioning::kDay, ts));
  }

  fs::path root_;
  FaultInjectionEnv frozen_{Env::Default()};
};

TEST_F(FreshReadsTest, FrameFlushedIntoACachedPartitionIsRead) {
  auto e = Open(Options(&frozen_));
  Write(*e, "m", 0, 10);
  ASSERT_TRUE(e->Flush().ok());
  ASSERT_EQ(Read(*e, "m").size(), 10u);
  const uint64_t hits = e->reader_cache_stats().hits;
  ASSERT_EQ(Read(*e, "m").size(), 10u);
  EXPECT_EQ(e->reader_cache_stats().hits, hits + 1);  // the second read used the kept reader
  Write(*e, "m", 10, 10);
  ASSERT_TRUE(e->Flush().ok());
  const std::vector<Sample> s = Read(*e, "m");
  ASSERT_EQ(s.size(), 20u);
  EXPECT_EQ(s.back().bits, 19u);
}

TEST_F(FreshReadsTest, DamagedTailCutByTheWriterIsNoLongerReported) {
  {
    auto e = Open(Options(&frozen_));
    Write(*e, "m", 0, 10);
  }
  {
    std::ofstream out(DataFile(kDay0), std::ios::binary | std::ios::app);
    out << std::string(100, '\xab');  // not provably torn: kept aside when the writer opens
  }
  auto e = Open(Options(&frozen_));
  ReadReport before;
  ASSERT_EQ(Read(*e, "m", &before).size(), 10u);
  ASSERT_EQ(before.skipped.size(), 1u);
  Write(*e, "m", 10, 5);
  ASSERT_TRUE(e->Flush().ok());  // the writer moves the tail aside, cuts it and appends
  ReadReport after;
  EXPECT_EQ(Read(*e, "m", &after).size(), 15u);
  EXPECT_TRUE(after.empty()) << after.skipped.front().Describe();
}

TEST_F(FreshReadsTest, RetentionDropsTheReadersOfDeletedFiles) {
  EngineOptions o = Options(&frozen_);
  o.manifest_defaults.retention_action = RetentionAction::kDelete;
  o.manifest_defaults.retention_days = 2;
  auto e = Open(o);
  const Timestamp now = Env::Default()->NowNanos();
  ASSERT_TRUE(e->Write("demo", "old", now - 10 * kDay, Value::Int64(1)).ok());
  ASSERT_TRUE(e->Write("demo", "new", now, Value::Int64(2)).ok());
  ASSERT_TRUE(e->Flush().ok());
  ASSERT_EQ(Read(*e, "old").size(), 1u);
  ASSERT_EQ(Read(*e, "new").size(), 1u);
  ASSERT_EQ(e->reader_cache_stats().files, 2u);
  ASSERT_TRUE(e->Maintain().ok());
  // The deleted file's reader is gone (it held the file open, and its disk space with it).
  EXPECT_EQ(e->reader_cache_stats().files, 1u);
  EXPECT_TRUE(Read(*e, "old").empty());
  // A file made again for that day holds only what was written after.
  ASSERT_TRUE(e->Write("demo", "late", now - 10 * kDay, Value::Int64(3)).ok());
  ASSERT_TRUE(e->Flush().ok());
  EXPECT_TRUE(Read(*e, "old").empty());
  EXPECT_EQ(Read(*e, "late").size(), 1u);
}

TEST_F(FreshReadsTest, ClearedDatabaseReadsOnlyWhatWasWrittenAfter) {
  auto e = Open(Options(&frozen_));
  Write(*e, "m", 0, 10);
  ASSERT_TRUE(e->Flush().ok());
  ASSERT_EQ(Read(*e, "m").size(), 10u);
  std::vector<std::string> removed;
  ASSERT_TRUE(e->ClearDatabase("demo", &removed).ok());  // as a rollup backfill does
  EXPECT_EQ(e->reader_cache_stats().files, 0u);
  Write(*e, "m", 0, 4, 1000);
  ASSERT_TRUE(e->Flush().ok());
  const std::vector<Sample> s = Read(*e, "m");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.front().bits, 1000u);
}

TEST_F(FreshReadsTest, ImportBesideAReadOnlyEngineIsSeen) {
  EngineOptions bulk = Options(Env::Default());
  bulk.bulk_load = true;  // as nanocli import
  {
    auto w = Open(bulk);
    Write(*w, "m", 0, 10);
  }
  EngineOptions ro = Options(Env::Default());
  ro.read_only = true;
  auto r = Open(ro);
  ASSERT_EQ(Read(*r, "m").size(), 10u);
  {
    auto w = Open(bulk);
    Write(*w, "m", 10, 10);
  }
  EXPECT_EQ(Read(*r, "m").size(), 20u);
}

TEST_F(FreshReadsTest, RecoverBesideAReadOnlyEngineIsSeen) {
  EngineOptions o = Options(Env::Default());
  o.manifest_defaults.page_max_records = 10;  // a frame per batch of 10 samples
  {
    auto w = Open(o);
    for (int i = 0; i < 30; i += 10) Write(*w, "m", i, 10);
  }
  const std::string path = DataFile(kDay0);
  {
    auto reader = DataFileReader::Open(Env::Default(), path);
    ASSERT_TRUE(reader.ok());
    ASSERT_EQ((*reader)->frames().size(), 3u);
    const FrameIndexEntry& f = (*reader)->frames()[1];
    // Two bytes of the second frame's value block (one repair codeword: a block this small
    // has one) inverted: beyond its repair bytes, it fails its CRC.
    const std::streamoff at = f.offset + f.header.columns[0].values.offset;
    std::fstream io(path, std::ios::binary | std::ios::in | std::ios::out);
    char two[2];
    io.seekg(at);
    io.read(two, 2);
    two[0] = static_cast<char>(~two[0]);
    two[1] = static_cast<char>(~two[1]);
    io.seekp(at);
    io.write(two, 2);
  }
  EngineOptions ro = Options(Env::Default());
  ro.read_only = true;
  auto r = Open(ro);
  ReadReport damaged;
  ASSERT_EQ(Read(*r, "m", &damaged).size(), 20u);
  ASSERT_EQ(damaged.skipped.size(), 1u);

  RecoverReport report;
  ASSERT_TRUE(RecoverDatabase(Env::Default(), root_.string(), "demo", {}, &report).ok());
  ASSERT_TRUE(report.changed());
  ReadReport after;
  EXPECT_EQ(Read(*r, "m", &after).size(), 20u);
  EXPECT_TRUE(after.empty()) << after.skipped.front().Describe();
}

TEST_F(FreshReadsTest, CompactBesideAReadOnlyEngineIsSeen) {
  EngineOptions o = Options(Env::Default());
  o.manifest_defaults.page_max_records = 10;
  {
    auto w = Open(o);
    for (int i = 0; i < 30; i += 10) Write(*w, "m", i, 10);
  }
  EngineOptions ro = Options(Env::Default());
  ro.read_only = true;
  auto r = Open(ro);
  auto before = r->Inspect("demo");
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->files.at(0).frames.size(), 3u);

  CompactResult compacted;
  ASSERT_TRUE(CompactPartition(Env::Default(), root_.string(), "demo",
                               PartitionKey(Partitioning::kDay, kDay0), kDay0 + 10 * kDay,
                               &compacted)
                  .ok());
  ASSERT_TRUE(compacted.rewritten);
  auto after = r->Inspect("demo");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->files.at(0).frames.size(), 1u);
  const std::vector<Sample> s = Read(*r, "m");
  ASSERT_EQ(s.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(s[i].bits, static_cast<uint64_t>(i));
}

TEST_F(FreshReadsTest, CacheStaysWithinItsBounds) {
  EngineOptions o = Options(Env::Default());
  o.reader_cache_files = 3;
  {
    auto w = Open(o);
    // 8 daily partitions of 5 samples each.
    for (int d = 0; d < 8; ++d) {
      std::vector<PointRef> batch;
      for (int i = 0; i < 5; ++i) {
        batch.push_back(PointRef{"demo", "m", kDay0 + d * kDay + i * kStep, Value::Int64(i)});
      }
      ASSERT_TRUE(w->WriteBatch(batch).ok());
    }
  }
  auto e = Open(o);
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(Read(*e, "m").size(), 40u);
    EXPECT_LE(e->reader_cache_stats().files, 3u);
  }
  EXPECT_GE(e->reader_cache_stats().evictions, 5u);

  // A byte bound smaller than any reader keeps none, and every read still answers.
  o.reader_cache_files = 100;
  o.reader_cache_bytes = 1;
  e.reset();
  e = Open(o);
  ASSERT_EQ(Read(*e, "m").size(), 40u);
  EXPECT_EQ(e->reader_cache_stats().files, 0u);
  EXPECT_EQ(e->reader_cache_stats().bytes, 0u);
}

}  // namespace
}  // namespace nanotdb
