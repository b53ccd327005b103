// MetricFileAccelerator: the ReadAccelerator (nanotdb/services/read_accelerator.h) that serves
// sealed partitions from their metric files. Keeps the last `max_open` opened files (their
// index and decoded time blocks) and reopens a file that was replaced since. Declines a
// partition whose raw data file changed since its metric file was built (samples appended
// after the build), so the core reads the raw file, which then has everything.
//
// Thread-safe; Read never throws.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "metric_file.h"
#include "nanotdb/services/read_accelerator.h"

namespace nanotdb::metricfiles {

class MetricFileAccelerator final : public ReadAccelerator {
 public:
  explicit MetricFileAccelerator(size_t max_open = 32) : max_open_(max_open) {}
  Result<bool> Read(const AcceleratedRead& r,
                    const std::function<bool(const Sample&)>& fn) noexcept override;

 private:
  struct Entry {
    std::shared_ptr<const MetricFileReader> reader;
    uint64_t inode = 0, size = 0;
    int64_t mtime_ns = 0;
    std::list<std::string>::iterator lru;
  };
  Result<std::shared_ptr<const MetricFileReader>> Open(const std::string& path);

  const size_t max_open_;
  std::mutex mu_;                                // guards open_ and lru_
  std::unordered_map<std::string, Entry> open_;  // by path
  std::list<std::string> lru_;                   // most recently used first
};

}  // namespace nanotdb::metricfiles
