// Env: every file operation the storage engine performs goes through this interface, so tests
// can inject faults (short writes, fsync failures, power loss dropping unsynced data, full disk).
//
// Env::Default() is the POSIX implementation; it is thread-safe. File objects are not
// thread-safe: one owner at a time. All methods return Status and never throw.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb {

// A file opened for appending. Data is durable only after Sync() returns OK.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Sync() = 0;   // fdatasync
  virtual Status Close() = 0;  // idempotent; does not sync
  // Shrinks (or grows with zeros) the file; later appends continue at the new end.
  virtual Status Truncate(uint64_t size) = 0;
  virtual uint64_t Size() const = 0;  // bytes in the file including unsynced appends
  virtual const std::string& path() const = 0;
};

// A file opened for positional reads; safe for concurrent Read calls.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into *out (replacing its contents); fewer at end of file.
  virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

// What tells one version of a file from another without reading it: a rename onto the path,
// a truncation or an append changes at least one field (within one tick of the file system's
// clock an in-place rewrite to the same size may not: writers in the process say so instead).
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

// Held while the process owns a data root; released on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;
  static Env* Default();

  // Opens `path` for appending, creating it (mode 0644) if missing. With truncate = true an
  // existing file is emptied first.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                bool truncate) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual Status ReadFileToString(const std::string& path, std::string* out) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual bool DirExists(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // NotFound when the file does not exist.
  virtual Result<FileIdentity> GetFileIdentity(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, excluding "." and "..", sorted.
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual Status CreateDirIfMissing(const std::string& dir) = 0;  // also creates parents
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status RemoveDir(const std::string& path) = 0;  // must be empty
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Makes directory entries (creates, renames, removes) in `dir` durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Takes an exclusive advisory lock on `path` (created if missing) and writes the holder's pid
  // into it. Fails with Status::Busy naming the holder's pid when another process holds it.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;

  virtual Timestamp NowNanos() = 0;  // wall clock, Unix ns
  virtual int64_t MonotonicNanos() = 0;
};

// Writes `contents` to `path` so that a crash leaves either the old or the new file, never a
// mix: temp file in the same directory, fsync, rename, fsync directory.
Status WriteFileAtomically(Env* env, const std::string& path, std::string_view contents);

}  // namespace nanotdb
