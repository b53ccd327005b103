// HostFs: read-only access to the host's /proc and /sys below a configurable root, so every
// probe runs unchanged against the real host ("/"), a container's bind mount ("/host") or a
// fixture tree in tests (tests/fixtures/proc/<scenario>).
//
// Thread safety: const methods may be called concurrently. Nothing throws.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb::drip {

// Sizes of one mounted file system in bytes (statvfs: blocks × fragment size).
struct FsUsage {
  uint64_t total = 0;
  uint64_t free = 0;   // free blocks, including those reserved for root
  uint64_t avail = 0;  // free blocks an unprivileged user may use
};

struct HostOptions {
  std::string root = "/";   // host paths ("/proc/stat") are read below this directory
  int64_t clock_ticks = 0;  // USER_HZ for /proc jiffies; 0 = sysconf(_SC_CLK_TCK)
  int64_t page_size = 0;    // bytes per page for /proc/<pid>/stat rss; 0 = sysconf(_SC_PAGESIZE)
  // statvfs of a host mount point; empty = statvfs(root + mount_point). Tests inject sizes.
  std::function<Result<FsUsage>(const std::string& mount_point)> statfs;
};

class HostFs {
 public:
  explicit HostFs(HostOptions options);

  // root + host_path ("/proc/stat" → "<root>/proc/stat").
  std::string Path(std::string_view host_path) const;
  // The whole file (proc files report size 0, so it reads until EOF), at most max_bytes.
  // NotFound when the file does not exist, IOError for other failures.
  Result<std::string> ReadFile(std::string_view host_path, size_t max_bytes = 1 << 20) const;
  // Entry names of a directory (without "." and ".."), sorted; empty when it is unreadable.
  std::vector<std::string> ListDir(std::string_view host_path) const;
  bool Exists(std::string_view host_path) const;
  Result<FsUsage> StatFs(const std::string& mount_point) const;

  int64_t clock_ticks() const { return options_.clock_ticks; }
  int64_t page_size() const { return options_.page_size; }
  const std::string& root() const { return options_.root; }

 private:
  HostOptions options_;
};

// fnmatch(3) against any of the glob patterns ("lo", "docker*", "br-*").
bool MatchesAnyGlob(std::string_view name, const std::vector<std::string>& globs);

}  // namespace nanotdb::drip
