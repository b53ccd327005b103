#include "server/plugin_files.h"

#include <algorithm>

namespace nanotdb::server {
namespace {

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

std::string PluginFilesDir(const std::string& root, std::string_view plugin) {
  return root + "/.plugins/" + std::string(plugin);
}

Status ValidatePluginFileName(std::string_view name) {
  auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument("plugin file name \"" + std::string(name) + "\" " + why);
  };
  if (name.empty()) return refuse("is empty");
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty()) return refuse("has an empty part (leading, trailing or double '/')");
    if (part[0] == '.') return refuse("has a part starting with '.'");
    for (char c : part) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.';
      if (!ok) return refuse("may hold only letters, digits, '_', '-', '.' and '/'");
    }
    start = end + 1;
  }
  return Status::Ok();
}

PluginFiles::PluginFiles(Env* env, std::string root, std::string plugin)
    : env_(env), root_(std::move(root)), dir_(PluginFilesDir(root_, plugin)) {}

std::string PluginFiles::PathOf(std::string_view name) noexcept {
  try {
    return name.empty() ? dir_ : dir_ + "/" + std::string(name);
  } catch (...) {
    return dir_;
  }
}

Status PluginFiles::Write(std::string_view name, std::string_view contents) noexcept {
  NANOTDB_RETURN_IF_ERROR(ValidatePluginFileName(name));
  try {
    std::string path = PathOf(name);
    std::lock_guard<std::mutex> lock(mu_);
    NANOTDB_RETURN_IF_ERROR(env_->CreateDirIfMissing(Parent(path)));
    return WriteFileAtomically(env_, path, contents);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("plugin file write: ") + e.what());
  }
}

Result<std::string> PluginFiles::Read(std::string_view name) noexcept {
  NANOTDB_RETURN_IF_ERROR(ValidatePluginFileName(name));
  try {
    std::string path = PathOf(name);
    if (!env_->FileExists(path)) return Status::NotFound("no plugin file " + path);
    std::string text;
    NANOTDB_RETURN_IF_ERROR(env_->ReadFileToString(path, &text));
    return text;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("plugin file read: ") + e.what());
  }
}

bool PluginFiles::Exists(std::string_view name) noexcept {
  return ValidatePluginFileName(name).ok() && env_->FileExists(PathOf(name));
}

Result<std::vector<std::string>> PluginFiles::RegularFiles(const std::string& dir) {
  std::vector<std::string> out;
  if (!env_->DirExists(dir)) return out;
  std::vector<std::string> children;
  NANOTDB_RETURN_IF_ERROR(env_->GetChildren(dir, &children));
  for (std::string& child : children) {
    if (env_->FileExists(dir + "/" + child) && !env_->DirExists(dir + "/" + child)) {
      out.push_back(std::move(child));
    }
  }
  return out;
}

Result<std::vector<std::string>> PluginFiles::List(std::string_view dir) noexcept {
  if (!dir.empty()) NANOTDB_RETURN_IF_ERROR(ValidatePluginFileName(dir));
  try {
    return RegularFiles(PathOf(dir));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("plugin file list: ") + e.what());
  }
}

Status PluginFiles::Remove(std::string_view name) noexcept {
  NANOTDB_RETURN_IF_ERROR(ValidatePluginFileName(name));
  try {
    std::string path = PathOf(name);
    std::lock_guard<std::mutex> lock(mu_);
    if (!env_->FileExists(path)) return Status::Ok();
    NANOTDB_RETURN_IF_ERROR(env_->RemoveFile(path));
    return env_->SyncDir(Parent(path));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("plugin file remove: ") + e.what());
  }
}

Status PluginFiles::Rotate(std::string_view dir, size_t keep) noexcept {
  if (!dir.empty()) NANOTDB_RETURN_IF_ERROR(ValidatePluginFileName(dir));
  try {
    std::string path = PathOf(dir);
    std::lock_guard<std::mutex> lock(mu_);
    NANOTDB_ASSIGN_OR_RETURN(std::vector<std::string> files, RegularFiles(path));
    if (files.size() <= keep) return Status::Ok();
    for (size_t i = 0; i + keep < files.size(); ++i) {
      NANOTDB_RETURN_IF_ERROR(env_->RemoveFile(path + "/" + files[i]));
    }
    return env_->SyncDir(path);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("plugin file rotate: ") + e.what());
  }
}

Result<bool> PluginFiles::AdoptLegacyFile(std::string_view legacy, std::string_view name) noexcept {
  NANOTDB_RETURN_IF_ERROR(ValidatePluginFileName(legacy));
  NANOTDB_RETURN_IF_ERROR(ValidatePluginFileName(name));
  try {
    std::string from = root_ + "/" + std::string(legacy);
    std::string to = PathOf(name);
    std::lock_guard<std::mutex> lock(mu_);
    if (!env_->FileExists(from) || env_->DirExists(from) || env_->FileExists(to)) return false;
    NANOTDB_RETURN_IF_ERROR(env_->CreateDirIfMissing(Parent(to)));
    NANOTDB_RETURN_IF_ERROR(env_->RenameFile(from, to));
    NANOTDB_RETURN_IF_ERROR(env_->SyncDir(Parent(to)));
    NANOTDB_RETURN_IF_ERROR(env_->SyncDir(Parent(from)));
    std::string from_dir = Parent(from);
    if (from_dir != root_) {
      std::vector<std::string> left;
      if (env_->GetChildren(from_dir, &left).ok() && left.empty() &&
          env_->RemoveDir(from_dir).ok()) {
        NANOTDB_RETURN_IF_ERROR(env_->SyncDir(Parent(from_dir)));
      }
    }
    return true;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("plugin file adopt: ") + e.what());
  }
}

Result<std::vector<std::string>> PluginFiles::ListLegacyDir(std::string_view legacy_dir) noexcept {
  if (!legacy_dir.empty()) NANOTDB_RETURN_IF_ERROR(ValidatePluginFileName(legacy_dir));
  try {
    return RegularFiles(legacy_dir.empty() ? root_ : root_ + "/" + std::string(legacy_dir));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("plugin file list: ") + e.what());
  }
}

}  // namespace nanotdb::server
