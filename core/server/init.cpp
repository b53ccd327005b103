#include "server/init.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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

}  // namespace

Status InitRoot(const std::string& path, std::vector<std::string>* written) {
  std::filesystem::path file(path);
  std::filesystem::path root = file.parent_path().empty() ? "." : file.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return Status::IOError("cannot create root " + root.string() + ": " + ec.message());
  NANOTDB_RETURN_IF_ERROR(WriteNewFile(path, kDefaultEngineToml));
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
