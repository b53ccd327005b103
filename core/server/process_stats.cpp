#include "server/process_stats.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstring>

namespace nanotdb::server {

ProcessStats ReadProcessStats() {
  ProcessStats stats;
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof(line), f) != nullptr) {
      unsigned long long value = 0;
      if (std::sscanf(line, "VmRSS: %llu kB", &value) == 1) {
        stats.rss_bytes = value * 1024;
      } else if (std::sscanf(line, "VmHWM: %llu kB", &value) == 1) {
        stats.peak_rss_bytes = value * 1024;
      } else if (std::sscanf(line, "Threads: %llu", &value) == 1) {
        stats.threads = static_cast<int>(value);
      }
    }
    std::fclose(f);
  }
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    stats.cpu_user_seconds = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6;
    stats.cpu_system_seconds = usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  }
  return stats;
}

}  // namespace nanotdb::server
