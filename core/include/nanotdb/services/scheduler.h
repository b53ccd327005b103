// SchedulerService ("nanotdb.scheduler" v1): periodic work on the core's timer thread
// (page age flush, retention and stats use it too). Tasks must be short; long work belongs on
// the plugin's own thread. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace nanotdb {

class SchedulerService {
 public:
  static constexpr const char* kServiceName = "nanotdb.scheduler";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~SchedulerService() = default;

  using TaskId = uint64_t;
  // Runs fn every interval_ns (first run after one interval). Returns an id for Cancel.
  virtual TaskId Every(int64_t interval_ns, std::string name,
                       std::function<void()> fn) noexcept = 0;
  // After Cancel returns, fn is not running and will not run again.
  virtual void Cancel(TaskId id) noexcept = 0;
};

}  // namespace nanotdb
