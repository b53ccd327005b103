// FaultInjectionEnv: an Env for tests that wraps a real Env (normally Env::Default() on a
// temporary directory) and injects the failures storage code must survive: failed, short and
// out-of-space appends, failed syncs, a crash at any chosen operation, and power loss that drops
// everything not yet durable. It also counts what was written (for write-amplification
// budgets) and can run on a fake clock.
//
// Power-loss model (DropUnsyncedData):
//   - File contents: every file opened for writing through this Env is durable up to the size
//     it had at its last WritableFile::Sync(); bytes appended after that are lost. A file that
//     existed before it was opened counts as durable up to its size at open. Truncation (open
//     with truncate = true, WritableFile::Truncate, TruncateFile) is durable at once.
//   - Directory entries: creating a file, renaming onto a name, and removing a file become
//     durable when SyncDir() is called on the directory that holds the (new) name. Until then a
//     power loss reverts them, newest first: a created file disappears, a renamed file moves
//     back to its old name and the file it replaced comes back (with its durable content), a
//     removed file comes back (with its durable content).
//   - Paths are compared as spelled: use one spelling per file ("a/b", not also "./a/b").
//   - Not modelled: directory creation and removal (durable at once), renaming a file while it
//     is open for writing, cross-directory renames (durable when the destination is synced).
//   After DropUnsyncedData everything on disk counts as durable, and file objects opened before
//   it fail every call (the "process" that owned them is gone): reopen the database.
//
// Thread-safe: every call takes one mutex (I/O is serialised; fine for tests).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "nanotdb/env.h"

namespace nanotdb {

class FaultInjectionEnv final : public Env {
 public:
  // `base` is not owned and must outlive this Env.
  explicit FaultInjectionEnv(Env* base);
  ~FaultInjectionEnv() override;
  FaultInjectionEnv(const FaultInjectionEnv&) = delete;
  FaultInjectionEnv& operator=(const FaultInjectionEnv&) = delete;

  // --- power loss ---------------------------------------------------------------------------
  // Reverts everything not durable (see the model above) and ends the crash set by
  // CrashAfterOperations. Returns the first I/O error it met while reverting.
  Status DropUnsyncedData();

  // --- faults (each stays until changed; ClearFaults() turns all of them off) ----------------
  // The n-th Append from now (1 = the next one) fails with IOError and writes nothing.
  void FailNthAppend(int n);
  // Every Append writes only the first half of its data, then fails with IOError.
  void SetShortWrites(bool on);
  // Every Sync and SyncDir fails with IOError and makes nothing durable.
  void SetSyncFailure(bool on);
  // The device has `bytes` left: an Append that does not fit writes what fits and fails with
  // "No space left on device". std::nullopt = unlimited.
  void SetFreeSpace(std::optional<uint64_t> bytes);
  // After `n` more mutating operations (create, append, sync, truncate, rename, remove, mkdir,
  // dir sync) every further one fails with IOError and does nothing, as if the process died
  // there. Follow with DropUnsyncedData() to complete the picture of a crash. -1 = off.
  void CrashAfterOperations(int64_t n);
  // GetFileIdentity of an existing file returns one constant identity, as when every change
  // is an in-place rewrite to the same size within one tick of the file system's clock: only
  // explicit invalidation then tells a cache that a file changed.
  void SetFrozenFileIdentity(bool on);
  void ClearFaults();

  // --- speed ---------------------------------------------------------------------------------
  // With false, Sync and SyncDir update the model but skip the base Env's fsync: the power-loss
  // model stays exact and tests that sync often run much faster. Default true.
  void SetPassSyncsThrough(bool on);

  // --- clock --------------------------------------------------------------------------------
  // With a fake clock set, NowNanos() and MonotonicNanos() both return it.
  void SetClock(Timestamp now);
  void AdvanceClock(int64_t ns);

  // --- counters -----------------------------------------------------------------------------
  struct Counters {
    uint64_t operations = 0;  // mutating operations attempted (what CrashAfterOperations counts)
    uint64_t appends = 0;
    uint64_t bytes_appended = 0;  // bytes that reached the base Env
    uint64_t syncs = 0;           // successful WritableFile::Sync calls
    uint64_t dir_syncs = 0;
    uint64_t renames = 0;
    uint64_t files_created = 0;
  };
  Counters counters() const;
  void ResetCounters();

  // --- Env ----------------------------------------------------------------------------------
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool truncate) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Status ReadFileToString(const std::string& path, std::string* out) override;
  bool FileExists(const std::string& path) override;
  bool DirExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Result<FileIdentity> GetFileIdentity(const std::string& path) override;
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override;
  Status CreateDirIfMissing(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  Timestamp NowNanos() override;
  int64_t MonotonicNanos() override;

 private:
  class File;
  friend class File;

  // Durability of one file's content; shared by its path entry and its open file objects so a
  // rename carries it along.
  struct FileState {
    uint64_t synced_size = 0;
  };
  // A directory-entry change not yet made durable by SyncDir.
  struct PendingOp {
    enum class Kind { kCreate, kRename, kRemove } kind;
    std::string dir;   // SyncDir(dir) makes it durable
    std::string path;  // created / renamed-to / removed name
    std::string from;  // kRename: the old name
    // kRename: the file `path` replaced; kRemove: the removed file. Its durable content.
    std::optional<std::string> saved;
  };

  Status BeginOperation(const char* what, const std::string& path);  // counts; crash check
  Result<std::optional<std::string>> DurableContent(const std::string& path);
  std::shared_ptr<FileState> TrackLocked(const std::string& path, uint64_t durable_size);

  // What the File objects call; each takes mu_.
  Status FileAppend(File* f, std::string_view data);
  Status FileSync(File* f);
  Status FileTruncate(File* f, uint64_t size);

  Env* const base_;
  mutable std::mutex mu_;    // guards everything below
  uint64_t generation_ = 0;  // bumped by DropUnsyncedData; older File objects are dead
  std::map<std::string, std::shared_ptr<FileState>> files_;
  std::vector<PendingOp> pending_;
  int fail_nth_append_ = 0;
  bool short_writes_ = false;
  bool sync_failure_ = false;
  std::optional<uint64_t> free_space_;
  int64_t crash_after_ = -1;
  bool frozen_identity_ = false;
  bool pass_syncs_through_ = true;
  std::optional<Timestamp> clock_;
  Counters counters_;
};

}  // namespace nanotdb
