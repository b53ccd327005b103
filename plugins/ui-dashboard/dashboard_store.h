// DashboardStore: reads and saves the dashboard.json the UI renders.
//
// Load returns the file's bytes verbatim, or the embedded default dashboard when the file does
// not exist (with its title replaced by the configured one). Save validates the document
// (dashboard_config.h), copies the current file to <dir>/dashboard_backups/
// dashboard.<UTC stamp>.json, then replaces the file atomically (temp, fsync, rename, fsync dir).
//
// Thread-safe: saves are serialised by an internal mutex; Load may run concurrently with a save
// and sees either the old or the new file. The Env must outlive the store.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/env.h"
#include "nanotdb/status.h"

namespace nanotdb::ui {

struct DashboardSaveResult {
  std::string backup_name;      // "dashboard.20260601T101112.123456789Z.json"; "" if no old file
  std::string normalized_json;  // what was written
};

class DashboardStore {
 public:
  // `path` is the dashboard file; `default_json` the built-in dashboard; a non-empty `title`
  // replaces the default's title.
  DashboardStore(Env* env, std::string path, std::string default_json, std::string title);
  DashboardStore(const DashboardStore&) = delete;
  DashboardStore& operator=(const DashboardStore&) = delete;

  Result<std::string> Load();

  // InvalidArgument (and *errors filled with every problem) when the document is refused; the
  // file is then untouched. IOError when the backup or the write fails.
  Result<DashboardSaveResult> Save(std::string_view json, std::vector<std::string>* errors);

  const std::string& path() const { return path_; }
  std::string backup_dir() const;

 private:
  Env* env_;
  const std::string path_;
  std::string default_json_;
  std::mutex save_mu_;  // serialises Save (backup name + write)
};

// "20260601T101112.123456789Z" for a Unix-ns timestamp.
std::string BackupStamp(Timestamp ts);

}  // namespace nanotdb::ui
