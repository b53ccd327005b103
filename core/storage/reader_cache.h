// ReaderCache: partition data files opened once and kept open with their parsed frame index and
// name records (DataFileReader), so a query reads only the blocks it needs instead of reopening
// the file and scanning every frame header again.
//
// Never stale: Get() compares the file's identity now (Env::GetFileIdentity: device, inode,
// size, mtime, ctime) with the one its reader was opened at and opens the file again on any
// difference, so a file another process rewrote (nanocli recover or compact beside a read-only
// engine, a daemon appending beside nanocli) is read as it is now. Code in this process that
// changes a data file (append, truncate, delete, replace) calls Invalidate(path) once the change
// is made, which also covers a change the identity cannot show (an in-place rewrite to the same
// size within one tick of the file system's clock). A reader opened while an Invalidate ran is
// handed to its caller but not kept.
//
// Bounded: at most max_files readers (each holds one open file) and max_bytes of their memory
// (DataFileReader::MemoryBytes); the least recently used go first. A reader larger than
// max_bytes alone is handed out and not kept; max_files = 0 keeps none (every Get opens).
// Readers are shared: one evicted or invalidated stays usable by whoever holds it, and its file
// is closed when the last holder lets go.
//
// Thread-safe. The stat, open and scan run outside the cache's mutex.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "nanotdb/engine_types.h"
#include "nanotdb/env.h"
#include "nanotdb/status.h"
#include "storage/data_file.h"

namespace nanotdb {

struct ReaderCacheOptions {
  size_t max_files = 64;
  uint64_t max_bytes = 8ull << 20;
};

class ReaderCache {
 public:
  // `env` is borrowed and must outlive the cache.
  ReaderCache(Env* env, ReaderCacheOptions options);
  ReaderCache(const ReaderCache&) = delete;
  ReaderCache& operator=(const ReaderCache&) = delete;

  // The reader of the data file at `path` as the file is now. Errors as DataFileReader::Open
  // (NotFound for a missing file); a failed open keeps nothing.
  Result<std::shared_ptr<const DataFileReader>> Get(const std::string& path);

  // Drops the reader of `path`, if kept. Call after changing the file in any way.
  void Invalidate(const std::string& path);

  ReaderCacheStats stats() const;
  const ReaderCacheOptions& options() const { return options_; }

 private:
  struct Entry {
    std::string path;
    FileIdentity identity;
    std::shared_ptr<const DataFileReader> reader;
    uint64_t bytes = 0;
  };
  using List = std::list<Entry>;  // most recently used first

  void EraseLocked(List::iterator it);
  void EvictLocked();

  Env* const env_;
  const ReaderCacheOptions options_;
  mutable std::mutex mu_;  // guards everything below
  List lru_;
  std::unordered_map<std::string, List::iterator> by_path_;
  uint64_t bytes_ = 0;
  uint64_t generation_ = 0;  // bumped by every Invalidate
  ReaderCacheStats stats_;
};

}  // namespace nanotdb
