// EngineNotice (nanotdb/engine.h): what the storage engine tells the daemon it did, which the
// daemon records as internal events — WAL replay and a cut tail, flushes, retention and
// disk-budget deletions, a partition sealed by its metric file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "nanotdb/engine.h"
#include "storage/filenames.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class EngineNoticeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-engine-notice-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  EngineOptions Options() {
    EngineOptions o;
    o.root = root_.string();
    o.manifest_defaults.wal_skip_before = 0;
    o.notice = [this](EngineNotice n) {
      std::lock_guard lock(mu_);
      notices_.push_back(std::move(n));
    };
    return o;
  }
  std::unique_ptr<Engine> Open(EngineOptions o) {
    auto e = Engine::Open(std::move(o));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }
  std::vector<EngineNotice> Named(const std::string& name) {
    std::lock_guard lock(mu_);
    std::vector<EngineNotice> out;
    for (const EngineNotice& n : notices_) {
      if (n.name == name) out.push_back(n);
    }
    return out;
  }

  fs::path root_;
  std::mutex mu_;
  std::vector<EngineNotice> notices_;
};

TEST_F(EngineNoticeTest, ReplayedWalAndItsTornTailAreNoticed) {
  const Timestamp now = Env::Default()->NowNanos();
  {
    auto e = Open(Options());
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(e->Write("demo", "m", now - kMinute + i * kSecond, Value::Float64(i)).ok());
    }
    // A crash: the copy holds the WAL as written, no flushed page, and a torn last record.
    fs::copy(root_, root_.string() + "-crashed", fs::copy_options::recursive);
  }
  fs::remove_all(root_);
  fs::rename(root_.string() + "-crashed", root_);
  fs::remove(root_ / ".lock");
  {
    std::ofstream wal(WalPath(root_.string(), "demo"), std::ios::app | std::ios::binary);
    wal << std::string(13, '\xab');
  }
  notices_.clear();
  auto e = Open(Options());
  std::vector<EngineNotice> replayed = Named("nanotdb.wal.replayed");
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].db, "demo");
  EXPECT_EQ(replayed[0].value->AsInt64(), 50);
  EXPECT_THAT(replayed[0].payload, HasSubstr(R"("db":"demo","file":"demo.wal")"));
  EXPECT_THAT(replayed[0].payload, HasSubstr(R"("samples":50})"));
  std::vector<EngineNotice> cut = Named("nanotdb.wal.truncated");
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_EQ(cut[0].value->AsInt64(), 13);
  EXPECT_THAT(cut[0].payload, HasSubstr(R"("bytes":13)"));
}

TEST_F(EngineNoticeTest, FlushesRetentionAndDiskBudgetDeletionsAreNoticed) {
  const Timestamp now = Env::Default()->NowNanos();
  EngineOptions o = Options();
  o.manifest_defaults.retention_action = RetentionAction::kDelete;
  o.manifest_defaults.retention_days = 2;
  {
    auto e = Open(o);
    ASSERT_TRUE(e->Write("demo", "m", now - 10 * kDay, Value::Float64(1)).ok());
    ASSERT_TRUE(e->Write("demo", "m", now, Value::Float64(2)).ok());
    ASSERT_TRUE(e->Flush().ok());
    std::vector<EngineNotice> flushed = Named("nanotdb.partition.flushed");
    ASSERT_EQ(flushed.size(), 2u);
    EXPECT_EQ(flushed[0].value->AsInt64(), 1);
    EXPECT_THAT(flushed[0].payload,
                HasSubstr("\"file\":\"" +
                          DataFileName(PartitionKey(Partitioning::kDay, now - 10 * kDay)) + "\""));
    ASSERT_TRUE(e->Maintain().ok());
    std::vector<EngineNotice> deleted = Named("nanotdb.partition.deleted");
    ASSERT_EQ(deleted.size(), 1u);
    EXPECT_GT(deleted[0].value->AsInt64(), 0);
    EXPECT_THAT(deleted[0].payload, HasSubstr(R"("reason":"retention","retention_days":2})"));
  }
  // Three more days kept a year, then a budget nothing fits in: all but the newest go.
  o.manifest_defaults.retention_days = 365;
  {
    auto e = Open(o);
    for (int d = 3; d >= 1; --d) {
      ASSERT_TRUE(e->Write("big", "m", now - d * kDay, Value::Float64(d)).ok());
    }
    ASSERT_TRUE(e->Write("big", "m", now, Value::Float64(0)).ok());
    ASSERT_TRUE(e->Flush().ok());
  }
  notices_.clear();
  o.max_disk_bytes = 1;
  auto e = Open(o);
  ASSERT_TRUE(e->Maintain().ok());
  std::vector<EngineNotice> budget;
  for (const EngineNotice& n : Named("nanotdb.partition.deleted")) {
    if (n.db == "big") budget.push_back(n);
  }
  ASSERT_EQ(budget.size(), 3u);
  for (const EngineNotice& n : budget) {
    EXPECT_THAT(n.payload, HasSubstr(R"("reason":"disk_budget","detail":"databases take )"));
  }
}

TEST_F(EngineNoticeTest, AMetricFileReplacingTheRawDataIsASealedPartition) {
  const Timestamp now = Env::Default()->NowNanos();
  auto e = Open(Options());
  ASSERT_TRUE(e->Write("demo", "m", now - 3 * kDay, Value::Float64(1)).ok());
  ASSERT_TRUE(e->Write("demo", "m", now, Value::Float64(2)).ok());
  ASSERT_TRUE(e->Flush().ok());
  const std::string key = PartitionKey(Partitioning::kDay, now - 3 * kDay);
  const uint64_t raw = fs::file_size(DataFilePath(root_.string(), "demo", key));
  ASSERT_TRUE(e->WriteMetricFile("demo", key, "metric file bytes").ok());
  ASSERT_TRUE(e->ReplaceRawData("demo", key, RawAction::kRename, raw).ok());
  std::vector<EngineNotice> sealed = Named("nanotdb.partition.sealed");
  ASSERT_EQ(sealed.size(), 1u);
  EXPECT_EQ(sealed[0].value->AsInt64(), static_cast<int64_t>(raw));
  EXPECT_THAT(sealed[0].payload, HasSubstr("\"file\":\"" + MetricFileName(key) + "\""));
  EXPECT_THAT(sealed[0].payload, HasSubstr(R"("raw":"renamed")"));
}

}  // namespace
}  // namespace nanotdb
