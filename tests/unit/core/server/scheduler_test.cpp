#include "server/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace nanotdb::server {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kMs = 1'000'000;

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(SchedulerTest, TaskRunsRepeatedly) {
  Scheduler scheduler({});
  std::atomic<int> runs{0};
  scheduler.Every(5 * kMs, "tick", [&] { ++runs; });
  scheduler.Start();
  EXPECT_TRUE(WaitFor([&] { return runs.load() >= 3; }));
}

TEST(SchedulerTest, FirstRunComesAfterOneInterval) {
  Scheduler scheduler({});
  std::atomic<int> runs{0};
  scheduler.Start();
  scheduler.Every(10'000 * kMs, "slow", [&] { ++runs; });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(runs.load(), 0);
}

TEST(SchedulerTest, CancelWaitsForARunningTaskAndStopsIt) {
  Scheduler scheduler({});
  std::atomic<bool> inside{false};
  std::atomic<bool> finished{false};
  std::atomic<int> runs{0};
  auto id = scheduler.Every(1 * kMs, "slow", [&] {
    ++runs;
    inside = true;
    std::this_thread::sleep_for(50ms);
    finished = true;
    inside = false;
  });
  scheduler.Start();
  ASSERT_TRUE(WaitFor([&] { return inside.load(); }));
  scheduler.Cancel(id);
  EXPECT_FALSE(inside.load());
  EXPECT_TRUE(finished.load());
  int after = runs.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runs.load(), after);
}

TEST(SchedulerTest, TaskMayCancelItself) {
  Scheduler scheduler({});
  std::atomic<int> runs{0};
  SchedulerService::TaskId id = 0;
  std::atomic<bool> ready{false};
  id = scheduler.Every(1 * kMs, "once", [&] {
    while (!ready.load()) std::this_thread::yield();
    ++runs;
    scheduler.Cancel(id);
  });
  ready = true;
  scheduler.Start();
  ASSERT_TRUE(WaitFor([&] { return runs.load() == 1; }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runs.load(), 1);
}

TEST(SchedulerTest, ThrowingTaskIsLoggedAndKeepsItsSchedule) {
  std::atomic<int> errors{0};
  Scheduler scheduler([&](LogLevel level, std::string_view) {
    if (level == LogLevel::kError) ++errors;
  });
  scheduler.Every(2 * kMs, "bad", [] { throw std::runtime_error("nope"); });
  scheduler.Start();
  EXPECT_TRUE(WaitFor([&] { return errors.load() >= 2; }));
}

TEST(SchedulerTest, StopEndsRunsAndIsIdempotent) {
  Scheduler scheduler({});
  std::atomic<int> runs{0};
  scheduler.Every(1 * kMs, "tick", [&] { ++runs; });
  scheduler.Start();
  ASSERT_TRUE(WaitFor([&] { return runs.load() > 0; }));
  scheduler.Stop();
  int after = runs.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runs.load(), after);
  scheduler.Stop();
}

}  // namespace
}  // namespace nanotdb::server
