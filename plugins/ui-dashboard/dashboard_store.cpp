#include "dashboard_store.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "dashboard_config.h"

namespace nanotdb::ui {
namespace {

// The default dashboard with `title` in place of its own; the default unchanged if it cannot
// be parsed (a build-time asset, checked by the unit tests).
std::string WithTitle(const std::string& json, const std::string& title) {
  if (title.empty()) return json;
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    auto obj = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    obj->set("title", title);
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(obj, os, 2);
    return os.str() + "\n";
  } catch (const Poco::Exception&) {
    return json;
  }
}

}  // namespace

std::string BackupStamp(Timestamp ts) {
  time_t secs = static_cast<time_t>(ts / kNanosPerSecond);
  long nanos = static_cast<long>(ts % kNanosPerSecond);
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --secs;
  }
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d.%09ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nanos);
  return buf;
}

DashboardStore::DashboardStore(PluginFilesService& files, std::string default_json,
                               std::string title, size_t keep_backups)
    : files_(files), default_json_(WithTitle(default_json, title)), keep_backups_(keep_backups) {}

Result<std::string> DashboardStore::Load() {
  Result<std::string> text = files_.Read(kDashboardFile);
  if (!text.ok() && text.status().IsNotFound()) return default_json_;
  if (!text.ok()) return text.status().WithContext("reading dashboard file " + path());
  return text;
}

Result<DashboardSaveResult> DashboardStore::Save(std::string_view json,
                                                 std::vector<std::string>* errors) {
  DashboardValidation v = ValidateDashboard(json);
  if (!v.ok()) {
    *errors = v.errors;
    return Status::InvalidArgument("dashboard refused: " + std::to_string(v.errors.size()) +
                                   " problem(s)");
  }
  std::lock_guard<std::mutex> lock(save_mu_);
  DashboardSaveResult result;
  Result<std::string> old = files_.Read(kDashboardFile);
  if (old.ok()) {
    Timestamp now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    std::string name = "dashboard." + BackupStamp(now) + ".json";
    Status st = files_.Write(std::string(kBackupDir) + "/" + name, *old);
    if (!st.ok()) return st.WithContext("backing up " + path() + " (nothing was saved)");
    result.backup_name = name;
  } else if (!old.status().IsNotFound()) {
    return old.status().WithContext("reading dashboard file " + path() + " (nothing was saved)");
  }
  Status st = files_.Write(kDashboardFile, v.normalized_json);
  if (!st.ok()) return st.WithContext("writing dashboard file " + path());
  // The new file is in place; a failed clean-up only leaves more backups than asked.
  files_.Rotate(kBackupDir, keep_backups_);
  result.normalized_json = std::move(v.normalized_json);
  return result;
}

Result<std::vector<std::string>> MigrateLegacyDashboard(PluginFilesService& files) {
  std::vector<std::string> report;
  auto adopt = [&](const std::string& legacy, const std::string& name) -> Status {
    NANOTDB_ASSIGN_OR_RETURN(bool moved, files.AdoptLegacyFile(legacy, name));
    report.push_back(moved ? "moved <root>/" + legacy + " to " + files.PathOf(name)
                           : "left <root>/" + legacy + " in place: " + files.PathOf(name) +
                                 " already exists");
    return Status::Ok();
  };
  NANOTDB_ASSIGN_OR_RETURN(std::vector<std::string> top, files.ListLegacyDir(""));
  for (const std::string& name : top) {
    if (name == kDashboardFile) NANOTDB_RETURN_IF_ERROR(adopt(name, kDashboardFile));
  }
  NANOTDB_ASSIGN_OR_RETURN(std::vector<std::string> backups,
                           files.ListLegacyDir("dashboard_backups"));
  for (const std::string& name : backups) {
    bool ours = name.size() > 15 && name.starts_with("dashboard.") && name.ends_with(".json");
    if (ours) {
      NANOTDB_RETURN_IF_ERROR(
          adopt("dashboard_backups/" + name, std::string(kBackupDir) + "/" + name));
    }
  }
  return report;
}

}  // namespace nanotdb::ui
