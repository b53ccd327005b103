#include <algorithm>
#include <map>
#include <set>

#include "probes.h"
#include "proc_parsers.h"

namespace nanotdb::drip {
namespace {

constexpr const char* kDiskFields[11] = {
    "reads",         "reads_merged", "read_sectors",   "read_ms", "writes",        "writes_merged",
    "write_sectors", "write_ms",     "io_in_progress", "io_ms",   "io_weighted_ms"};
constexpr size_t kReads = 0, kReadSectors = 2, kWrites = 4, kWriteSectors = 6, kInProgress = 8,
                 kIoMs = 9;

// "/" → "root", "/boot/firmware" → "boot_firmware".
std::string MountMetricName(const std::string& mount_point) {
  size_t first = mount_point.find_first_not_of('/');
  if (first == std::string::npos) return "root";
  std::string trimmed = mount_point.substr(first);
  std::replace(trimmed.begin(), trimmed.end(), '/', '_');
  return SanitizeNamePart(trimmed);
}

class DiskProbe final : public Probe {
 public:
  DiskProbe(const HostFs& fs, const ProbeSettings& s, LogFn log)
      : fs_(fs), skip_(s.disk_skip), fs_skip_types_(s.fs_skip_types), log_(std::move(log)) {}
  std::string_view name() const override { return "disk"; }

  void Collect(const CycleTime& now, std::vector<ProbeSample>* out) override {
    CollectDevices(now, out);
    CollectMounts(out);
  }

 private:
  struct Previous {
    int64_t monotonic_ns;
    uint64_t fields[11];
  };

  void CollectDevices(const CycleTime& now, std::vector<ProbeSample>* out) {
    Result<std::string> text = fs_.ReadFile("/proc/diskstats");
    if (!text.ok()) {
      log_.Once("diskstats", LogLevel::kWarning, "disk: " + text.status().message());
      return;
    }
    log_.Clear("diskstats");
    size_t malformed = 0;
    std::vector<DiskStat> disks = ParseDiskstats(*text, &malformed);
    if (malformed > 0) {
      log_.Once("diskstats-malformed", LogLevel::kWarning,
                "disk: skipped " + std::to_string(malformed) + " malformed line(s) in " +
                    fs_.Path("/proc/diskstats"));
    }
    // Whole disks are the entries of /sys/block; partitions are not listed there.
    std::vector<std::string> block = fs_.ListDir("/sys/block");
    std::set<std::string> whole(block.begin(), block.end());
    std::map<std::string, Previous> next;
    for (const DiskStat& d : disks) {
      if (MatchesAnyGlob(d.name, skip_)) continue;
      if (!whole.empty() && !whole.contains(d.name)) continue;
      const std::string prefix = "disk." + SanitizeNamePart(d.name) + ".";
      for (size_t i = 0; i < 11; ++i) {
        out->push_back(
            i == kInProgress
                ? IntSample(prefix + kDiskFields[i], static_cast<int64_t>(d.fields[i]))
                : FloatSample(prefix + kDiskFields[i], static_cast<double>(d.fields[i])));
      }
      Previous cur{now.monotonic_ns, {}};
      std::copy(std::begin(d.fields), std::end(d.fields), cur.fields);
      auto it = previous_.find(d.name);
      if (it != previous_.end()) EmitRates(prefix, it->second, cur, out);
      next.emplace(d.name, cur);
    }
    previous_ = std::move(next);
  }

  static void EmitRates(const std::string& prefix, const Previous& a, const Previous& b,
                        std::vector<ProbeSample>* out) {
    double seconds = static_cast<double>(b.monotonic_ns - a.monotonic_ns) / 1e9;
    if (seconds <= 0) return;
    std::optional<uint64_t> d[11];
    for (size_t i = 0; i < 11; ++i) {
      d[i] = CounterDelta(a.fields[i], b.fields[i]);
      if (i != kInProgress && !d[i]) return;  // counters reset: no rate this cycle
    }
    double busy = static_cast<double>(*d[kIoMs]) / (seconds * 10.0);  // ms per s → %
    out->push_back(FloatSample(prefix + "busy_pct", std::min(busy, 100.0)));
    out->push_back(
        FloatSample(prefix + "iops", static_cast<double>(*d[kReads] + *d[kWrites]) / seconds));
    out->push_back(FloatSample(prefix + "read_kbps",
                               static_cast<double>(*d[kReadSectors]) * 512 / 1024 / seconds));
    out->push_back(FloatSample(prefix + "write_kbps",
                               static_cast<double>(*d[kWriteSectors]) * 512 / 1024 / seconds));
  }

  void CollectMounts(std::vector<ProbeSample>* out) {
    Result<std::string> text = fs_.ReadFile("/proc/self/mounts");
    if (!text.ok()) text = fs_.ReadFile("/proc/mounts");
    if (!text.ok()) {
      log_.Once("mounts", LogLevel::kWarning, "disk: no mount table: " + text.status().message());
      return;
    }
    log_.Clear("mounts");
    std::set<std::string> seen;
    for (const MountEntry& m : ParseMounts(*text)) {
      if (std::find(fs_skip_types_.begin(), fs_skip_types_.end(), m.fs_type) !=
          fs_skip_types_.end()) {
        continue;
      }
      if (m.mount_point.empty() || m.mount_point.front() != '/') continue;
      if (!seen.insert(m.mount_point).second) continue;  // stacked mounts: report once
      Result<FsUsage> u = fs_.StatFs(m.mount_point);
      if (!u.ok()) {
        log_.Once("statfs:" + m.mount_point, LogLevel::kWarning,
                  "disk: " + m.mount_point + " not reported: " + u.status().message());
        continue;
      }
      log_.Clear("statfs:" + m.mount_point);
      if (u->total == 0) continue;  // pseudo file systems report no blocks
      const std::string prefix = "diskfs." + MountMetricName(m.mount_point) + ".";
      uint64_t used = u->total - std::min(u->free, u->total);
      out->push_back(FloatSample(prefix + "bytes_total", static_cast<double>(u->total)));
      out->push_back(FloatSample(prefix + "bytes_used", static_cast<double>(used)));
      out->push_back(FloatSample(prefix + "bytes_free", static_cast<double>(u->free)));
      out->push_back(FloatSample(prefix + "bytes_avail", static_cast<double>(u->avail)));
      // As df computes it: the share of what non-root users can reach.
      uint64_t reachable = used + u->avail;
      if (reachable > 0) {
        out->push_back(FloatSample(prefix + "used_pct", 100.0 * static_cast<double>(used) /
                                                            static_cast<double>(reachable)));
      }
    }
  }

  const HostFs& fs_;
  std::vector<std::string> skip_;
  std::vector<std::string> fs_skip_types_;
  ProbeLog log_;
  std::map<std::string, Previous> previous_;
};

}  // namespace

std::unique_ptr<Probe> MakeDiskProbe(const HostFs& fs, const ProbeSettings& s, LogFn log) {
  return std::make_unique<DiskProbe>(fs, s, std::move(log));
}

}  // namespace nanotdb::drip
