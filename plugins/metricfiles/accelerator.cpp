#include "accelerator.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <exception>

namespace nanotdb::metricfiles {

Result<std::shared_ptr<const MetricFileReader>> MetricFileAccelerator::Open(
    const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  const auto inode = static_cast<uint64_t>(st.st_ino);
  const auto size = static_cast<uint64_t>(st.st_size);
  const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  {
    std::lock_guard lock(mu_);
    auto it = open_.find(path);
    if (it != open_.end()) {
      if (it->second.inode == inode && it->second.size == size && it->second.mtime_ns == mtime) {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return it->second.reader;
      }
      lru_.erase(it->second.lru);
      open_.erase(it);
    }
  }
  // Opened outside the lock: reads of other files go on meanwhile.
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<MetricFileReader> opened,
                           MetricFileReader::OpenPath(path));
  std::shared_ptr<const MetricFileReader> reader(std::move(opened));
  std::lock_guard lock(mu_);
  auto it = open_.find(path);
  if (it != open_.end()) {
    lru_.erase(it->second.lru);
    open_.erase(it);
  }
  lru_.push_front(path);
  open_.emplace(path, Entry{reader, inode, size, mtime, lru_.begin()});
  while (open_.size() > max_open_) {
    open_.erase(lru_.back());
    lru_.pop_back();
  }
  return reader;
}

Result<bool> MetricFileAccelerator::Read(const AcceleratedRead& r,
                                         const std::function<bool(const Sample&)>& fn) noexcept {
  try {
    NANOTDB_ASSIGN_OR_RETURN(std::shared_ptr<const MetricFileReader> reader,
                             Open(std::string(r.path)));
    if (r.raw_bytes != 0 && reader->source().bytes != r.raw_bytes) return false;  // stale
    if (reader->Find(r.id) == nullptr) return true;  // the partition holds none of it
    NANOTDB_RETURN_IF_ERROR(reader->ReadSeries(r.id, r.from, r.to, fn));
    return true;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("metric file read threw: ") + e.what());
  }
}

}  // namespace nanotdb::metricfiles
