// DashboardStore: reads and saves the dashboard.json the UI renders, through the core's
// PluginFilesService (<root>/.plugins/ui-dashboard/).
//
// Load returns the file's bytes verbatim, or the embedded default dashboard when the file does
// not exist (with its title replaced by the configured one). Save validates the document
// (dashboard_config.h), copies the current file to backups/dashboard.<UTC stamp>.json, replaces
// the file atomically, then keeps only the `keep_backups` newest backups.
//
// Thread-safe: saves are serialised by an internal mutex; Load may run concurrently with a save
// and sees either the old or the new file. The files service must outlive the store.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/services/plugin_files.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"

namespace nanotdb::ui {

inline constexpr const char* kDashboardFile = "dashboard.json";
inline constexpr const char* kBackupDir = "backups";

struct DashboardSaveResult {
  std::string backup_name;      // "dashboard.20260601T101112.123456789Z.json"; "" if no old file
  std::string normalized_json;  // what was written
};

class DashboardStore {
 public:
  // `default_json` is the built-in dashboard; a non-empty `title` replaces its title.
  DashboardStore(PluginFilesService& files, std::string default_json, std::string title,
                 size_t keep_backups);
  DashboardStore(const DashboardStore&) = delete;
  DashboardStore& operator=(const DashboardStore&) = delete;

  Result<std::string> Load();

  // InvalidArgument (and *errors filled with every problem) when the document is refused; the
  // file is then untouched. IOError when the backup or the write fails.
  Result<DashboardSaveResult> Save(std::string_view json, std::vector<std::string>* errors);

  std::string path() const { return files_.PathOf(kDashboardFile); }

 private:
  PluginFilesService& files_;
  std::string default_json_;
  const size_t keep_backups_;
  std::mutex save_mu_;  // serialises Save (backup name + write)
};

// "20260601T101112.123456789Z" for a Unix-ns timestamp.
std::string BackupStamp(Timestamp ts);

// Moves what ui-dashboard kept under the data root before the files service existed —
// <root>/dashboard.json and <root>/dashboard_backups/dashboard.*.json — into its directory
// (dashboard.json, backups/). Files whose new name is taken stay where they are; other files of
// <root>/dashboard_backups (a database of that name) are never touched. Returns one line per
// file moved or left behind, for the log.
Result<std::vector<std::string>> MigrateLegacyDashboard(PluginFilesService& files);

}  // namespace nanotdb::ui
