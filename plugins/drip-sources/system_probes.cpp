// The probes that read one small /proc file each: memory, loadavg, uptime, io.
#include "probes.h"
#include "proc_parsers.h"

namespace nanotdb::drip {
namespace {

struct KeyedMetric {
  const char* key;
  const char* metric;
};

// Reads `path` and emits one sample per key found; a missing key is logged once.
class KeyedFileProbe final : public Probe {
 public:
  KeyedFileProbe(const HostFs& fs, const char* name, const char* path,
                 std::vector<KeyedMetric> keys, bool as_int, LogFn log)
      : fs_(fs),
        name_(name),
        path_(path),
        keys_(std::move(keys)),
        as_int_(as_int),
        log_(std::move(log)) {}
  std::string_view name() const override { return name_; }

  void Collect(const CycleTime&, std::vector<ProbeSample>* out) override {
    Result<std::string> text = fs_.ReadFile(path_);
    if (!text.ok()) {
      log_.Once("read", LogLevel::kWarning, name_ + ": " + text.status().message());
      return;
    }
    log_.Clear("read");
    for (const KeyedMetric& k : keys_) {
      std::optional<uint64_t> v = FindKeyedValue(*text, k.key);
      if (!v) {
        log_.Once(k.key, LogLevel::kWarning,
                  name_ + ": " + fs_.Path(path_) + " has no readable \"" + k.key + "\"; " +
                      k.metric + " is not collected");
        continue;
      }
      out->push_back(as_int_ ? IntSample(k.metric, static_cast<int64_t>(*v))
                             : FloatSample(k.metric, static_cast<double>(*v)));
    }
  }

 private:
  const HostFs& fs_;
  std::string name_;
  std::string path_;
  std::vector<KeyedMetric> keys_;
  bool as_int_;
  ProbeLog log_;
};

class LoadavgProbe final : public Probe {
 public:
  LoadavgProbe(const HostFs& fs, LogFn log) : fs_(fs), log_(std::move(log)) {}
  std::string_view name() const override { return "loadavg"; }
  void Collect(const CycleTime&, std::vector<ProbeSample>* out) override {
    Result<std::string> text = fs_.ReadFile("/proc/loadavg", 4096);
    LoadAvg l;
    if (!text.ok()) {
      log_.Once("read", LogLevel::kWarning, "loadavg: " + text.status().message());
      return;
    }
    if (!ParseLoadavg(*text, &l)) {
      log_.Once("read", LogLevel::kWarning,
                "loadavg: " + fs_.Path("/proc/loadavg") + " is not \"l1 l5 l15 run/total pid\"");
      return;
    }
    log_.Clear("read");
    out->push_back(FloatSample("sys.load1", l.load1));
    out->push_back(FloatSample("sys.load5", l.load5));
    out->push_back(FloatSample("sys.load15", l.load15));
    out->push_back(IntSample("sys.procs_running", l.procs_running));
    out->push_back(IntSample("sys.procs_total", l.procs_total));
  }

 private:
  const HostFs& fs_;
  ProbeLog log_;
};

class UptimeProbe final : public Probe {
 public:
  UptimeProbe(const HostFs& fs, LogFn log) : fs_(fs), log_(std::move(log)) {}
  std::string_view name() const override { return "uptime"; }
  void Collect(const CycleTime&, std::vector<ProbeSample>* out) override {
    Result<std::string> text = fs_.ReadFile("/proc/uptime", 4096);
    double seconds = 0;
    if (!text.ok()) {
      log_.Once("read", LogLevel::kWarning, "uptime: " + text.status().message());
      return;
    }
    if (!ParseUptime(*text, &seconds)) {
      log_.Once("read", LogLevel::kWarning,
                "uptime: " + fs_.Path("/proc/uptime") + " does not start with seconds");
      return;
    }
    log_.Clear("read");
    out->push_back(IntSample("sys.uptime_sec", static_cast<int64_t>(seconds)));
  }

 private:
  const HostFs& fs_;
  ProbeLog log_;
};

}  // namespace

std::unique_ptr<Probe> MakeMemoryProbe(const HostFs& fs, LogFn log) {
  return std::make_unique<KeyedFileProbe>(
      fs, "memory", "/proc/meminfo",
      std::vector<KeyedMetric>{{"MemTotal", "mem.total"},
                               {"MemFree", "mem.free"},
                               {"MemAvailable", "mem.available"},
                               {"Buffers", "mem.buffers"},
                               {"Cached", "mem.cached"},
                               {"SwapCached", "mem.swapcached"},
                               {"SwapTotal", "mem.swaptotal"},
                               {"SwapFree", "mem.swapfree"}},
      /*as_int=*/true, std::move(log));
}

std::unique_ptr<Probe> MakeIoProbe(const HostFs& fs, LogFn log) {
  return std::make_unique<KeyedFileProbe>(fs, "io", "/proc/vmstat",
                                          std::vector<KeyedMetric>{{"pgpgin", "io.pgpgin"},
                                                                   {"pgpgout", "io.pgpgout"},
                                                                   {"pswpin", "io.pswpin"},
                                                                   {"pswpout", "io.pswpout"}},
                                          /*as_int=*/false, std::move(log));
}

std::unique_ptr<Probe> MakeLoadavgProbe(const HostFs& fs, LogFn log) {
  return std::make_unique<LoadavgProbe>(fs, std::move(log));
}

std::unique_ptr<Probe> MakeUptimeProbe(const HostFs& fs, LogFn log) {
  return std::make_unique<UptimeProbe>(fs, std::move(log));
}

}  // namespace nanotdb::drip
