#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "probes.h"
#include "proc_parsers.h"

namespace nanotdb::drip {
namespace {

constexpr const char* kProbeFile = ".drip-sd-write-probe.tmp";

class SdProbe final : public Probe {
 public:
  SdProbe(const HostFs& fs, const ProbeSettings& s, std::string dir, LogFn log)
      : fs_(fs),
        dir_(std::move(dir)),
        bytes_(static_cast<size_t>(s.sd_probe_bytes)),
        every_(s.sd_probe_every),
        log_(std::move(log)) {}
  std::string_view name() const override { return "sd_probe"; }

  void Collect(const CycleTime&, std::vector<ProbeSample>* out) override {
    if (runs_++ % every_ == 0) {
      WarnIfTmpfs();
      last_ms_ = Probe();
    }
    out->push_back(FloatSample("disk.sd_write_probe_ms", last_ms_));
  }

 private:
  // Milliseconds for open + write + fsync, or -1 (logged once) when any step failed.
  double Probe() {
    const std::string path = dir_ + "/" + kProbeFile;
    std::string data(bytes_, 'd');
    auto start = std::chrono::steady_clock::now();
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Fail("open " + path + ": " + std::strerror(errno));
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = write(fd, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int err = errno;
        close(fd);
        unlink(path.c_str());
        return Fail("write " + path + ": " + std::strerror(err));
      }
      done += static_cast<size_t>(n);
    }
    if (fsync(fd) != 0) {
      int err = errno;
      close(fd);
      unlink(path.c_str());
      return Fail("fsync " + path + ": " + std::strerror(err));
    }
    close(fd);
    auto elapsed = std::chrono::steady_clock::now() - start;
    unlink(path.c_str());
    log_.Clear("fail");
    return std::chrono::duration<double, std::milli>(elapsed).count();
  }

  double Fail(const std::string& why) {
    log_.Once("fail", LogLevel::kWarning,
              "sd_probe: " + why +
                  "; disk.sd_write_probe_ms reports -1 (set sd_probe_dir to a "
                  "writable directory on the card)");
    return -1;
  }

  // A probe into RAM measures nothing about the card: say so once.
  void WarnIfTmpfs() {
    char* real = realpath(dir_.c_str(), nullptr);
    if (real == nullptr) return;
    std::string dir(real);
    std::free(real);
    Result<std::string> text = fs_.ReadFile("/proc/self/mounts");
    if (!text.ok()) text = fs_.ReadFile("/proc/mounts");
    if (!text.ok()) return;
    std::string best_mount, best_type;
    for (const MountEntry& m : ParseMounts(*text)) {
      bool covers = dir == m.mount_point || m.mount_point == "/" ||
                    (dir.starts_with(m.mount_point) && dir[m.mount_point.size()] == '/');
      if (covers && m.mount_point.size() >= best_mount.size()) {
        best_mount = m.mount_point;
        best_type = m.fs_type;
      }
    }
    if (best_type == "tmpfs" || best_type == "ramfs") {
      log_.Once("tmpfs", LogLevel::kWarning,
                "sd_probe: " + dir + " is on " + best_type + " (" + best_mount +
                    "), so the probe times RAM, not the SD card; set sd_probe_dir to a "
                    "directory on the card");
    }
  }

  const HostFs& fs_;
  std::string dir_;
  size_t bytes_;
  int64_t every_;
  ProbeLog log_;
  int64_t runs_ = 0;
  double last_ms_ = -1;
};

}  // namespace

std::unique_ptr<Probe> MakeSdProbe(const HostFs& fs, const ProbeSettings& s, std::string dir,
                                   LogFn log) {
  return std::make_unique<SdProbe>(fs, s, std::move(dir), std::move(log));
}

}  // namespace nanotdb::drip
