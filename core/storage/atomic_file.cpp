// WriteFileAtomically: the one helper that writes metadata files (catalog, manifest, configs).
#include <memory>
#include <string>

#include "nanotdb/env.h"
#include "storage/filenames.h"

namespace nanotdb {
namespace {

Status WriteAndSync(Env* env, const std::string& tmp, std::string_view contents) {
  NANOTDB_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->NewWritableFile(tmp, true));
  Status s = file->Append(contents);
  if (s.ok()) s = file->Sync();
  Status closed = file->Close();
  return s.ok() ? closed : s;
}

}  // namespace

// The temp file is synced before the rename so the new name can never point at unwritten
// data; the directory is synced after it so the rename itself survives power loss. A failure
// before the rename leaves the old file untouched (the temp is removed when possible).
Status WriteFileAtomically(Env* env, const std::string& path, std::string_view contents) {
  std::string tmp = TempFilePath(path);
  Status s = WriteAndSync(env, tmp, contents);
  if (s.ok()) s = env->RenameFile(tmp, path);
  if (!s.ok()) {
    env->RemoveFile(tmp);  // best effort: a leftover temp is harmless and rewritten next time
    return s.WithContext("writing " + path);
  }
  return env->SyncDir(DirName(path)).WithContext("writing " + path);
}

}  // namespace nanotdb
