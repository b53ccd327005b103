// Scheduler: the core's timer thread (SchedulerService). Runs page-age flush and retention
// (Engine::Maintain every second), self-stats and plugin tasks.
//
// Tasks run one at a time on one thread, so a slow task delays the others: tasks must be
// short. A task that throws is logged and keeps its schedule. A missed period is not caught
// up: the next run is one interval after the late one. Thread-safe; Every/Cancel may be called
// before Start, from tasks and from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "nanotdb/engine.h"
#include "nanotdb/services/scheduler.h"

namespace nanotdb::server {

class Scheduler final : public SchedulerService {
 public:
  explicit Scheduler(LogFn log);
  ~Scheduler() override;  // Stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  // Returns after the running task (if any) finished; no task runs afterwards.
  void Stop();

  // interval_ns <= 0 is treated as one millisecond.
  TaskId Every(int64_t interval_ns, std::string name, std::function<void()> fn) noexcept override;
  // Waits for a running `id` to finish, unless called from that task itself.
  void Cancel(TaskId id) noexcept override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Task {
    std::chrono::nanoseconds interval;
    Clock::time_point due;
    std::string name;
    std::shared_ptr<std::function<void()>> fn;
  };
  void Run();

  LogFn log_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<TaskId, Task> tasks_;  // guarded by mu_
  TaskId next_id_ = 1;            // guarded by mu_
  TaskId running_ = 0;            // guarded by mu_; 0 = none
  bool stopping_ = false;         // guarded by mu_
  std::thread thread_;
};

}  // namespace nanotdb::server
