// Retention holds (Engine::Maintain's RetentionHoldFn): retention keeps expired partitions a
// holder still needs and logs the hold; the disk budget overrides it and says what was lost.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "nanotdb/engine.h"
#include "storage/fault_env.h"
#include "storage/filenames.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;

constexpr Timestamp kBase = 1'780'000'000'000'000'000;  // 2026-05-28
constexpr Timestamp kToday = kBase - kBase % kDay;

struct LogLine {
  LogLevel level;
  std::string text;
};

class RetentionHoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nanotdb-hold-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    env_.SetClock(kToday + 12 * kHour);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Engine> Open(int retention_days, uint64_t max_disk_bytes = 0) {
    EngineOptions o;
    o.root = root_.string();
    o.env = &env_;
    o.log = [this](LogLevel level, std::string_view msg) {
      log_.push_back({level, std::string(msg)});
    };
    o.manifest_defaults.wal_skip_before = 0;
    o.manifest_defaults.retention_action = RetentionAction::kDelete;
    o.manifest_defaults.retention_days = retention_days;
    o.max_disk_bytes = max_disk_bytes;
    auto e = Engine::Open(std::move(o));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }
  // One day partition per day back from today (0 = today), 500 samples each, flushed.
  void Fill(Engine& e, int days) {
    for (int d = days - 1; d >= 0; --d) {
      std::vector<PointRef> batch;
      for (int i = 0; i < 500; ++i) {
        batch.push_back(
            {"raw", "m", kToday - d * kDay + i * 10 * kSecond, Value::Float64(d * 1000 + i)});
      }
      ASSERT_TRUE(e.WriteBatch(batch).ok());
    }
    ASSERT_TRUE(e.Flush("raw").ok());
  }
  std::string File(int day) const {
    return DataFileName(PartitionKey(Partitioning::kDay, kToday - day * kDay));
  }
  std::vector<int> Days() const {
    std::vector<int> days;
    for (int d = 0; d <= 40; ++d) {
      if (fs::exists(root_ / "raw" / File(d))) days.push_back(d);
    }
    return days;
  }
  size_t Lines(std::string_view part, LogLevel level) const {
    return std::count_if(log_.begin(), log_.end(), [&](const LogLine& l) {
      return l.level == level && l.text.find(part) != std::string::npos;
    });
  }

  FaultInjectionEnv env_{Env::Default()};
  fs::path root_;
  std::vector<LogLine> log_;
};

TEST_F(RetentionHoldTest, RetentionKeepsWhatTheHoldNeedsAndDeletesItOnceReleased) {
  auto e = Open(6);
  Fill(*e, 10);
  // Days 7..9 ended more than 6 days ago. The holder needs data from day 8's start on.
  Timestamp from = kToday - 8 * kDay;
  int calls = 0;
  size_t metrics_seen = 0;
  RetentionHoldFn hold = [&](std::string_view db) {
    ++calls;
    EXPECT_EQ(db, "raw");
    // Asked with no database lock held: reading the database from here must not deadlock.
    auto metrics = e->ListMetrics("raw");
    if (metrics.ok()) metrics_seen = metrics->size();
    return RetentionHold{from, "test job has not rolled up data from day 8"};
  };
  ASSERT_TRUE(e->Maintain(hold).ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(metrics_seen, 1u);
  EXPECT_EQ(Days(), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(Lines("retention: deleted " + File(9), LogLevel::kInfo), 1u);
  EXPECT_EQ(Lines("retention: kept 2 partitions " + File(8) + " to " + File(7) +
                      " past its 6 days: test job has not rolled up data from day 8; held since "
                      "2026-05-28T12:00:00Z",
                  LogLevel::kInfo),
            1u);

  // While it holds, the holder is asked again only every few seconds.
  env_.AdvanceClock(kSecond);
  ASSERT_TRUE(e->Maintain(hold).ok());
  EXPECT_EQ(calls, 1);
  env_.AdvanceClock(10 * kSecond);
  from = kToday - 7 * kDay;  // the holder caught up one day
  ASSERT_TRUE(e->Maintain(hold).ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(Days(), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(Lines("retention: kept", LogLevel::kInfo), 1u) << "logged again within the hour";

  env_.AdvanceClock(10 * kSecond);
  from = kMaxTimestamp;  // released
  ASSERT_TRUE(e->Maintain(hold).ok());
  EXPECT_EQ(Days(), (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Lines("retention: the hold since 2026-05-28T12:00:00Z is released", LogLevel::kInfo),
            1u);

  // Nothing expired: the holder is not asked at all.
  env_.AdvanceClock(kMinute);
  ASSERT_TRUE(e->Maintain(hold).ok());
  EXPECT_EQ(calls, 3);
}

TEST_F(RetentionHoldTest, AStuckHoldIsLoggedHourlyAsAWarning) {
  auto e = Open(2);
  Fill(*e, 5);
  RetentionHoldFn hold = [](std::string_view) {
    return RetentionHold{kMinTimestamp, "rollup job \"broken\" has rolled up nothing yet"};
  };
  for (int i = 0; i < 2 * 60 + 5; ++i) {  // two hours and five minutes, a Maintain a minute
    ASSERT_TRUE(e->Maintain(hold).ok());
    env_.AdvanceClock(kMinute);
  }
  EXPECT_EQ(Days(), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(Lines("retention: kept", LogLevel::kInfo), 1u);
  EXPECT_EQ(Lines("retention: kept 2 partitions " + File(4) + " to " + File(3) +
                      " past its 2 days: rollup job \"broken\" has rolled up nothing yet; held "
                      "since 2026-05-28T12:00:00Z (logged hourly while the hold lasts)",
                  LogLevel::kWarning),
            2u);
  // Without a holder retention deletes as before.
  ASSERT_TRUE(e->Maintain().ok());
  EXPECT_EQ(Days(), (std::vector<int>{0, 1, 2}));
}

TEST_F(RetentionHoldTest, TheDiskBudgetOverridesTheHoldAndSaysWhatWasLost) {
  uint64_t total = 0, day = 0;
  {
    auto e = Open(30);
    Fill(*e, 5);
  }
  for (const auto& f : fs::recursive_directory_iterator(root_)) {
    if (f.is_regular_file()) total += f.file_size();
  }
  day = fs::file_size(root_ / "raw" / File(3));
  auto e = Open(30, total - day - day / 2);  // two days short
  RetentionHoldFn hold = [](std::string_view) {
    return RetentionHold{kToday - 4 * kDay + kHour, "test job has not rolled up day 4's 1am"};
  };
  ASSERT_TRUE(e->Maintain(hold).ok());
  EXPECT_EQ(Days(), (std::vector<int>{0, 1, 2}));
  const std::string lost =
      "disk budget: deleted raw/" + File(4) +
      " while it was held (test job has not rolled up day 4's 1am): its samples from "
      "2026-05-24T01:00:00Z to 2026-05-25T00:00:00Z are lost without being rolled up";
  EXPECT_EQ(Lines(lost, LogLevel::kError), 1u);
  EXPECT_EQ(Lines("disk budget: deleted raw/" + File(3) + " while it was held", LogLevel::kError),
            1u);
  EXPECT_EQ(Lines("disk budget: deleted " + File(4), LogLevel::kWarning), 1u);
}

}  // namespace
}  // namespace nanotdb
