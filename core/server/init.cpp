#include "server/init.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "server/plugin_host.h"

namespace nanotdb::server {
namespace {

// Creates `path` exclusively (O_EXCL: an existing file is never replaced) and writes `data`.
Status WriteNewFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists(path +
                                   " already exists; --init never overwrites it "
                                   "(remove it first or start with --config " +
                                   path + ")");
    }
    return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::IOError("cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// The built-in plugin `name`, else the descriptor of <dir>/nanotdb-<name>.so when it exists and
// passes the loader's checks.
const PluginDescriptor* FindPlugin(std::span<const PluginEntryFn> builtins, const std::string& dir,
                                   const std::string& name) {
  if (const PluginDescriptor* builtin = FindBuiltinPlugin(builtins, name)) return builtin;
  std::string path = (std::filesystem::path(dir) / ("nanotdb-" + name + ".so")).string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nullptr;
  Result<const PluginDescriptor*> d = OpenPluginLibrary(path);
  return d.ok() ? *d : nullptr;
}

std::string CommentedKeys(const PluginDescriptor& d) {
  std::string out;
  for (size_t i = 0; i < d.config_key_count; ++i) {
    const ConfigKey& key = d.config_keys[i];
    out += std::string("# ") + key.help + "\n# " + key.name + " = " + key.default_value + "\n";
  }
  return out;
}

}  // namespace

std::string RenderDefaultConfig(const std::string& plugin_dir,
                                std::span<const PluginEntryFn> builtins) {
  static const std::regex kPluginHeader(R"(^\[plugins\.([A-Za-z0-9_-]+)\]\s*$)");
  std::istringstream in{std::string(kDefaultEngineToml)};
  std::string out;
  std::set<std::string> listed;
  const PluginDescriptor* pending = nullptr;  // keys go after the section's `enabled` line
  std::string line;
  while (std::getline(in, line)) {
    out += line + "\n";
    std::smatch m;
    if (std::regex_match(line, m, kPluginHeader)) {
      listed.insert(m[1]);
      pending = FindPlugin(builtins, plugin_dir, m[1]);
    } else if (pending != nullptr && line.rfind("enabled", 0) == 0) {
      out += CommentedKeys(*pending);
      pending = nullptr;
    }
  }
  std::vector<std::string> extra;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(plugin_dir, ec)) {
    std::string file = entry.path().filename().string();
    if (file.rfind("nanotdb-", 0) != 0 || entry.path().extension() != ".so") continue;
    std::string name = file.substr(8, file.size() - 8 - 3);
    if (listed.count(name) == 0) extra.push_back(name);
  }
  for (PluginEntryFn entry : builtins) {
    const PluginDescriptor* d = entry();
    if (d != nullptr && d->name != nullptr && listed.count(d->name) == 0) extra.push_back(d->name);
  }
  std::sort(extra.begin(), extra.end());
  extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
  for (const std::string& name : extra) {
    const PluginDescriptor* d = FindPlugin(builtins, plugin_dir, name);
    if (d == nullptr) continue;
    out += std::string("\n# ") + (d->description ? d->description : name.c_str()) + "\n[plugins." +
           name + "]\nenabled = true\n" + CommentedKeys(*d);
  }
  return out;
}

Status InitRoot(const std::string& path, const std::string& plugin_dir,
                std::vector<std::string>* written, std::span<const PluginEntryFn> builtins) {
  std::filesystem::path file(path);
  std::filesystem::path root = file.parent_path().empty() ? "." : file.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return Status::IOError("cannot create root " + root.string() + ": " + ec.message());
  NANOTDB_RETURN_IF_ERROR(WriteNewFile(path, RenderDefaultConfig(plugin_dir, builtins)));
  written->push_back(path);
  if (!kDefaultDashboardJson.empty()) {
    std::string dashboard = (root / "dashboard.json").string();
    if (!std::filesystem::exists(dashboard, ec)) {
      NANOTDB_RETURN_IF_ERROR(WriteNewFile(dashboard, kDefaultDashboardJson));
      written->push_back(dashboard);
    }
  }
  return Status::Ok();
}

}  // namespace nanotdb::server
