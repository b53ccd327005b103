#include "server/scheduler.h"

namespace nanotdb::server {

Scheduler::Scheduler(LogFn log) : log_(std::move(log)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

SchedulerService::TaskId Scheduler::Every(int64_t interval_ns, std::string name,
                                          std::function<void()> fn) noexcept {
  auto interval = std::chrono::nanoseconds(interval_ns > 0 ? interval_ns : 1'000'000);
  TaskId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    tasks_.emplace(id, Task{interval, Clock::now() + interval, std::move(name),
                            std::make_shared<std::function<void()>>(std::move(fn))});
  }
  cv_.notify_all();
  return id;
}

void Scheduler::Cancel(TaskId id) noexcept {
  std::unique_lock<std::mutex> lock(mu_);
  tasks_.erase(id);
  if (std::this_thread::get_id() == thread_.get_id()) return;  // a task cancelling itself
  cv_.wait(lock, [&] { return running_ != id; });
}

void Scheduler::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto next = tasks_.end();
    for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
      if (next == tasks_.end() || it->second.due < next->second.due) next = it;
    }
    if (next == tasks_.end()) {
      cv_.wait(lock);
      continue;
    }
    if (const Clock::time_point due = next->second.due; Clock::now() < due) {
      // A copy: the wait reads the time again after waking, when Cancel may have erased the
      // task (ASan: heap-use-after-free in DaemonTest).
      cv_.wait_until(lock, due);
      continue;  // tasks may have changed meanwhile
    }
    TaskId id = next->first;
    std::shared_ptr<std::function<void()>> fn = next->second.fn;
    std::string name = next->second.name;
    auto now = Clock::now();
    next->second.due += next->second.interval;
    if (next->second.due <= now) next->second.due = now + next->second.interval;
    running_ = id;
    lock.unlock();
    try {
      (*fn)();
    } catch (const std::exception& e) {
      if (log_) log_(LogLevel::kError, "scheduled task " + name + " threw: " + e.what());
    } catch (...) {
      if (log_) log_(LogLevel::kError, "scheduled task " + name + " threw");
    }
    lock.lock();
    running_ = 0;
    cv_.notify_all();
  }
}

}  // namespace nanotdb::server
