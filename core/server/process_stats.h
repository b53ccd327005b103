// What the kernel says about this process: memory, CPU time, threads. Linux (/proc/self);
// fields stay 0 where the information is unavailable. Thread-safe.
#pragma once

#include <cstdint>

namespace nanotdb::server {

struct ProcessStats {
  uint64_t rss_bytes = 0;
  uint64_t peak_rss_bytes = 0;
  double cpu_user_seconds = 0;
  double cpu_system_seconds = 0;
  int threads = 0;
};

ProcessStats ReadProcessStats();

}  // namespace nanotdb::server
