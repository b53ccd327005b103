#include "storage/reader_cache.h"

#include <utility>

namespace nanotdb {

ReaderCache::ReaderCache(Env* env, ReaderCacheOptions options) : env_(env), options_(options) {}

Result<std::shared_ptr<const DataFileReader>> ReaderCache::Get(const std::string& path) {
  Result<FileIdentity> identity = env_->GetFileIdentity(path);
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    auto it = by_path_.find(path);
    if (it != by_path_.end()) {
      if (identity.ok() && it->second->identity == *identity) {
        ++stats_.hits;
        lru_.splice(lru_.begin(), lru_, it->second);
        return it->second->reader;
      }
      ++stats_.stale;
      EraseLocked(it->second);
    }
    ++stats_.misses;
    generation = generation_;
  }
  if (!identity.ok()) return identity.status();
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<DataFileReader> opened,
                           DataFileReader::Open(env_, path));
  std::shared_ptr<const DataFileReader> reader(std::move(opened));
  // The identity was taken before the open, so a change in between makes the next Get open the
  // file again rather than trust what this open saw.
  const uint64_t bytes = reader->MemoryBytes();
  std::lock_guard lock(mu_);
  if (generation != generation_ || options_.max_files == 0 || bytes > options_.max_bytes) {
    return reader;
  }
  if (auto it = by_path_.find(path); it != by_path_.end()) EraseLocked(it->second);
  lru_.push_front(Entry{path, *identity, reader, bytes});
  by_path_[path] = lru_.begin();
  bytes_ += bytes;
  EvictLocked();
  return reader;
}

void ReaderCache::Invalidate(const std::string& path) {
  std::lock_guard lock(mu_);
  ++generation_;
  auto it = by_path_.find(path);
  if (it == by_path_.end()) return;
  ++stats_.invalidations;
  EraseLocked(it->second);
}

ReaderCacheStats ReaderCache::stats() const {
  std::lock_guard lock(mu_);
  ReaderCacheStats s = stats_;
  s.files = lru_.size();
  s.bytes = bytes_;
  return s;
}

void ReaderCache::EraseLocked(List::iterator it) {
  bytes_ -= it->bytes;
  by_path_.erase(it->path);
  lru_.erase(it);
}

void ReaderCache::EvictLocked() {
  while (!lru_.empty() && (lru_.size() > options_.max_files || bytes_ > options_.max_bytes)) {
    ++stats_.evictions;
    EraseLocked(std::prev(lru_.end()));
  }
}

}  // namespace nanotdb
