#include "dashboard_store.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cstdio>
#include <ctime>
#include <sstream>

#include "dashboard_config.h"

namespace nanotdb::ui {
namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

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

DashboardStore::DashboardStore(Env* env, std::string path, std::string default_json,
                               std::string title)
    : env_(env), path_(std::move(path)), default_json_(WithTitle(default_json, title)) {}

std::string DashboardStore::backup_dir() const { return DirName(path_) + "/dashboard_backups"; }

Result<std::string> DashboardStore::Load() {
  if (!env_->FileExists(path_)) return default_json_;
  std::string text;
  Status st = env_->ReadFileToString(path_, &text);
  if (!st.ok()) return st.WithContext("reading dashboard file " + path_);
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
  if (env_->FileExists(path_)) {
    std::string old;
    NANOTDB_RETURN_IF_ERROR(env_->ReadFileToString(path_, &old));
    NANOTDB_RETURN_IF_ERROR(env_->CreateDirIfMissing(backup_dir()));
    std::string name = "dashboard." + BackupStamp(env_->NowNanos()) + ".json";
    Status st = WriteFileAtomically(env_, backup_dir() + "/" + name, old);
    if (!st.ok()) return st.WithContext("backing up " + path_ + " (nothing was saved)");
    result.backup_name = name;
  } else {
    NANOTDB_RETURN_IF_ERROR(env_->CreateDirIfMissing(DirName(path_)));
  }
  Status st = WriteFileAtomically(env_, path_, v.normalized_json);
  if (!st.ok()) return st.WithContext("writing dashboard file " + path_);
  result.normalized_json = std::move(v.normalized_json);
  return result;
}

}  // namespace nanotdb::ui
