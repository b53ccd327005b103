#include "host_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nanotdb::drip {

HostFs::HostFs(HostOptions options) : options_(std::move(options)) {
  if (options_.root.empty()) options_.root.push_back('/');
  if (options_.clock_ticks <= 0) options_.clock_ticks = sysconf(_SC_CLK_TCK);
  if (options_.clock_ticks <= 0) options_.clock_ticks = 100;
  if (options_.page_size <= 0) options_.page_size = sysconf(_SC_PAGESIZE);
  if (options_.page_size <= 0) options_.page_size = 4096;
}

std::string HostFs::Path(std::string_view host_path) const {
  std::string out = options_.root;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out == "/") out.clear();
  if (host_path.empty() || host_path.front() != '/') out.push_back('/');
  out.append(host_path);
  return out;
}

Result<std::string> HostFs::ReadFile(std::string_view host_path, size_t max_bytes) const {
  const std::string path = Path(host_path);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    return err == ENOENT || err == ENOTDIR ? Status::NotFound(msg) : Status::IOError(msg);
  }
  std::string out;
  char buf[4096];
  while (out.size() < max_bytes) {
    ssize_t n = read(fd, buf, std::min(sizeof buf, max_bytes - out.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return Status::IOError(path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

std::vector<std::string> HostFs::ListDir(std::string_view host_path) const {
  std::vector<std::string> names;
  DIR* dir = opendir(Path(host_path).c_str());
  if (dir == nullptr) return names;
  while (dirent* e = readdir(dir)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool HostFs::Exists(std::string_view host_path) const {
  struct stat st;
  return stat(Path(host_path).c_str(), &st) == 0;
}

Result<FsUsage> HostFs::StatFs(const std::string& mount_point) const {
  if (options_.statfs) return options_.statfs(mount_point);
  const std::string path = Path(mount_point);
  struct statvfs vfs;
  if (statvfs(path.c_str(), &vfs) != 0) {
    return Status::IOError("statvfs " + path + ": " + std::strerror(errno));
  }
  FsUsage usage;
  usage.total = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
  usage.free = static_cast<uint64_t>(vfs.f_bfree) * vfs.f_frsize;
  usage.avail = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  return usage;
}

bool MatchesAnyGlob(std::string_view name, const std::vector<std::string>& globs) {
  const std::string n(name);
  for (const std::string& g : globs) {
    if (fnmatch(g.c_str(), n.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace nanotdb::drip
