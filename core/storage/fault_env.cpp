#include "storage/fault_env.h"

#include <algorithm>

#include "storage/filenames.h"

namespace nanotdb {

// A file opened for writing through the FaultInjectionEnv: every call goes through the Env so
// faults apply and durability is tracked.
class FaultInjectionEnv::File final : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::unique_ptr<WritableFile> base, std::shared_ptr<FileState> state,
       uint64_t generation)
      : env_(env), base_(std::move(base)), state_(std::move(state)), generation_(generation) {}
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  Status Append(std::string_view data) override { return env_->FileAppend(this, data); }
  Status Sync() override { return env_->FileSync(this); }
  Status Close() override { return base_->Close(); }
  Status Truncate(uint64_t size) override { return env_->FileTruncate(this, size); }
  uint64_t Size() const override { return base_->Size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  friend class FaultInjectionEnv;
  FaultInjectionEnv* env_;
  std::unique_ptr<WritableFile> base_;
  std::shared_ptr<FileState> state_;
  uint64_t generation_;
};

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

Status FaultInjectionEnv::BeginOperation(const char* what, const std::string& path) {
  ++counters_.operations;
  if (crash_after_ >= 0) {
    if (crash_after_ == 0) {
      return Status::IOError(std::string(what) + " " + path +
                             ": simulated crash (the process is gone)");
    }
    --crash_after_;
  }
  return Status::Ok();
}

Result<std::optional<std::string>> FaultInjectionEnv::DurableContent(const std::string& path) {
  if (!base_->FileExists(path)) return std::optional<std::string>();
  std::string content;
  NANOTDB_RETURN_IF_ERROR(base_->ReadFileToString(path, &content));
  auto it = files_.find(path);
  if (it != files_.end() && it->second->synced_size < content.size()) {
    content.resize(it->second->synced_size);
  }
  return std::optional<std::string>(std::move(content));
}

std::shared_ptr<FaultInjectionEnv::FileState> FaultInjectionEnv::TrackLocked(
    const std::string& path, uint64_t durable_size) {
  auto& slot = files_[path];
  if (!slot) {
    slot = std::make_shared<FileState>();
    slot->synced_size = durable_size;
  } else {
    slot->synced_size = std::min(slot->synced_size, durable_size);
  }
  return slot;
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  Status first;
  auto note = [&first](Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  auto restore = [&](const std::string& path, const std::string& content) {
    auto file = base_->NewWritableFile(path, true);
    if (!file.ok()) return note(file.status());
    note((*file)->Append(content));
    if (pass_syncs_through_) note((*file)->Sync());
    note((*file)->Close());
    files_.erase(path);
  };
  for (auto op = pending_.rbegin(); op != pending_.rend(); ++op) {
    switch (op->kind) {
      case PendingOp::Kind::kCreate:
        if (base_->FileExists(op->path)) note(base_->RemoveFile(op->path));
        files_.erase(op->path);
        break;
      case PendingOp::Kind::kRename: {
        if (base_->FileExists(op->path)) note(base_->RenameFile(op->path, op->from));
        auto it = files_.find(op->path);
        if (it != files_.end()) {
          files_[op->from] = it->second;
          files_.erase(op->path);
        }
        if (op->saved) restore(op->path, *op->saved);
        break;
      }
      case PendingOp::Kind::kRemove:
        if (op->saved) restore(op->path, *op->saved);
        break;
    }
  }
  pending_.clear();
  for (const auto& [path, state] : files_) {
    auto size = base_->GetFileSize(path);
    if (size.ok() && *size > state->synced_size) {
      note(base_->TruncateFile(path, state->synced_size));
    }
  }
  files_.clear();
  ++generation_;
  crash_after_ = -1;
  return first;
}

void FaultInjectionEnv::FailNthAppend(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_nth_append_ = n;
}

void FaultInjectionEnv::SetShortWrites(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  short_writes_ = on;
}

void FaultInjectionEnv::SetSyncFailure(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  sync_failure_ = on;
}

void FaultInjectionEnv::SetFreeSpace(std::optional<uint64_t> bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  free_space_ = bytes;
}

void FaultInjectionEnv::CrashAfterOperations(int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  crash_after_ = n;
}

void FaultInjectionEnv::SetFrozenFileIdentity(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  frozen_identity_ = on;
}

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  frozen_identity_ = false;
  fail_nth_append_ = 0;
  short_writes_ = false;
  sync_failure_ = false;
  free_space_.reset();
  crash_after_ = -1;
}

void FaultInjectionEnv::SetPassSyncsThrough(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  pass_syncs_through_ = on;
}

void FaultInjectionEnv::SetClock(Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  clock_ = now;
}

void FaultInjectionEnv::AdvanceClock(int64_t ns) {
  std::lock_guard<std::mutex> lock(mu_);
  clock_ = clock_.value_or(base_->NowNanos()) + ns;
}

FaultInjectionEnv::Counters FaultInjectionEnv::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

void FaultInjectionEnv::ResetCounters() {
  std::lock_guard<std::mutex> lock(mu_);
  counters_ = Counters();
}

Status FaultInjectionEnv::FileAppend(File* f, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  if (f->generation_ != generation_) {
    return Status::IOError("append " + f->path() + ": file opened before a simulated power loss");
  }
  NANOTDB_RETURN_IF_ERROR(BeginOperation("append", f->path()));
  ++counters_.appends;
  if (fail_nth_append_ > 0 && --fail_nth_append_ == 0) {
    return Status::IOError("write " + f->path() + ": simulated I/O error");
  }
  size_t n = data.size();
  Status fault;
  if (short_writes_ && n > 0) {
    n /= 2;
    fault = Status::IOError("write " + f->path() + ": simulated short write");
  }
  if (free_space_ && *free_space_ < n) {
    n = static_cast<size_t>(*free_space_);
    fault = Status::IOError("write " + f->path() + ": No space left on device (simulated)");
  }
  Status s = f->base_->Append(data.substr(0, n));
  if (!s.ok()) return s;
  counters_.bytes_appended += n;
  if (free_space_) *free_space_ -= n;
  return fault;
}

Status FaultInjectionEnv::FileSync(File* f) {
  std::lock_guard<std::mutex> lock(mu_);
  if (f->generation_ != generation_) {
    return Status::IOError("sync " + f->path() + ": file opened before a simulated power loss");
  }
  NANOTDB_RETURN_IF_ERROR(BeginOperation("sync", f->path()));
  if (sync_failure_) return Status::IOError("fdatasync " + f->path() + ": simulated I/O error");
  if (pass_syncs_through_) NANOTDB_RETURN_IF_ERROR(f->base_->Sync());
  f->state_->synced_size = f->base_->Size();
  ++counters_.syncs;
  return Status::Ok();
}

Status FaultInjectionEnv::FileTruncate(File* f, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  if (f->generation_ != generation_) {
    return Status::IOError("truncate " + f->path() + ": file opened before a simulated power loss");
  }
  NANOTDB_RETURN_IF_ERROR(BeginOperation("truncate", f->path()));
  NANOTDB_RETURN_IF_ERROR(f->base_->Truncate(size));
  f->state_->synced_size = std::min(f->state_->synced_size, size);
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path,
                                                                         bool truncate) {
  std::lock_guard<std::mutex> lock(mu_);
  NANOTDB_RETURN_IF_ERROR(BeginOperation("open", path));
  bool existed = base_->FileExists(path);
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base,
                           base_->NewWritableFile(path, truncate));
  if (!existed) {
    pending_.push_back({PendingOp::Kind::kCreate, DirName(path), path, "", std::nullopt});
    ++counters_.files_created;
  }
  auto state = TrackLocked(path, base->Size());
  return std::unique_ptr<WritableFile>(
      std::make_unique<File>(this, std::move(base), std::move(state), generation_));
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::NewRandomAccessFile(
    const std::string& path) {
  return base_->NewRandomAccessFile(path);
}

Status FaultInjectionEnv::ReadFileToString(const std::string& path, std::string* out) {
  return base_->ReadFileToString(path, out);
}

bool FaultInjectionEnv::FileExists(const std::string& path) { return base_->FileExists(path); }
bool FaultInjectionEnv::DirExists(const std::string& path) { return base_->DirExists(path); }

Result<uint64_t> FaultInjectionEnv::GetFileSize(const std::string& path) {
  return base_->GetFileSize(path);
}

Result<FileIdentity> FaultInjectionEnv::GetFileIdentity(const std::string& path) {
  NANOTDB_ASSIGN_OR_RETURN(FileIdentity id, base_->GetFileIdentity(path));
  std::lock_guard<std::mutex> lock(mu_);
  return frozen_identity_ ? FileIdentity{1, 1, 1, 1, 1} : id;
}

Status FaultInjectionEnv::GetChildren(const std::string& dir, std::vector<std::string>* names) {
  return base_->GetChildren(dir, names);
}

Status FaultInjectionEnv::CreateDirIfMissing(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  NANOTDB_RETURN_IF_ERROR(BeginOperation("mkdir", dir));
  return base_->CreateDirIfMissing(dir);
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  NANOTDB_RETURN_IF_ERROR(BeginOperation("unlink", path));
  NANOTDB_ASSIGN_OR_RETURN(std::optional<std::string> saved, DurableContent(path));
  NANOTDB_RETURN_IF_ERROR(base_->RemoveFile(path));
  files_.erase(path);
  pending_.push_back({PendingOp::Kind::kRemove, DirName(path), path, "", std::move(saved)});
  return Status::Ok();
}

Status FaultInjectionEnv::RemoveDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  NANOTDB_RETURN_IF_ERROR(BeginOperation("rmdir", path));
  return base_->RemoveDir(path);
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  NANOTDB_RETURN_IF_ERROR(BeginOperation("rename", from));
  NANOTDB_ASSIGN_OR_RETURN(std::optional<std::string> replaced, DurableContent(to));
  NANOTDB_RETURN_IF_ERROR(base_->RenameFile(from, to));
  ++counters_.renames;
  files_.erase(to);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = it->second;
    files_.erase(it);
  }
  pending_.push_back({PendingOp::Kind::kRename, DirName(to), to, from, std::move(replaced)});
  return Status::Ok();
}

Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  NANOTDB_RETURN_IF_ERROR(BeginOperation("truncate", path));
  NANOTDB_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  auto it = files_.find(path);
  if (it != files_.end()) it->second->synced_size = std::min(it->second->synced_size, size);
  return Status::Ok();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  NANOTDB_RETURN_IF_ERROR(BeginOperation("fsync directory", dir));
  if (sync_failure_) return Status::IOError("fsync directory " + dir + ": simulated I/O error");
  if (pass_syncs_through_) NANOTDB_RETURN_IF_ERROR(base_->SyncDir(dir));
  std::string_view canonical = dir;
  while (canonical.size() > 1 && canonical.back() == '/') canonical.remove_suffix(1);
  std::erase_if(pending_, [&](const PendingOp& op) { return op.dir == canonical; });
  ++counters_.dir_syncs;
  return Status::Ok();
}

Result<std::unique_ptr<FileLock>> FaultInjectionEnv::LockFile(const std::string& path) {
  return base_->LockFile(path);
}

Timestamp FaultInjectionEnv::NowNanos() {
  std::lock_guard<std::mutex> lock(mu_);
  return clock_ ? *clock_ : base_->NowNanos();
}

int64_t FaultInjectionEnv::MonotonicNanos() {
  std::lock_guard<std::mutex> lock(mu_);
  return clock_ ? *clock_ : base_->MonotonicNanos();
}

}  // namespace nanotdb
