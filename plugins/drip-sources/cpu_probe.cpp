#include <charconv>

#include "probes.h"
#include "proc_parsers.h"

namespace nanotdb::drip {
namespace {

// Reads a file holding one integer ("48312\n"); nullopt when absent or malformed, logged once.
std::optional<int64_t> ReadIntFile(const HostFs& fs, const std::string& path, ProbeLog& log,
                                   std::string_view what) {
  Result<std::string> text = fs.ReadFile(path, 256);
  if (!text.ok()) {
    log.Once(path, LogLevel::kWarning,
             std::string(what) + " not collected: " + text.status().message());
    return std::nullopt;
  }
  std::string_view t = *text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
  int64_t v = 0;
  auto res = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || res.ec != std::errc() || res.ptr != t.data() + t.size()) {
    log.Once(path, LogLevel::kWarning,
             std::string(what) + " not collected: " + fs.Path(path) + " does not hold an integer");
    return std::nullopt;
  }
  log.Clear(path);
  return v;
}

class CpuProbe final : public Probe {
 public:
  CpuProbe(const HostFs& fs, const ProbeSettings& s, LogFn log)
      : fs_(fs), temp_path_(s.cpu_temp_path), freq_path_(s.cpu_freq_path), log_(std::move(log)) {}
  std::string_view name() const override { return "cpu"; }

  void Collect(const CycleTime& now, std::vector<ProbeSample>* out) override {
    CollectTimes(out);
    if (!temp_path_.empty()) {
      if (auto v = ReadIntFile(fs_, temp_path_, log_, "cpu.temp_mdeg")) {
        out->push_back(IntSample("cpu.temp_mdeg", *v));
      }
    }
    if (!freq_path_.empty()) {
      if (auto v = ReadIntFile(fs_, freq_path_, log_, "cpu.freq_khz")) {
        out->push_back(IntSample("cpu.freq_khz", *v));
      }
    }
  }

 private:
  void CollectTimes(std::vector<ProbeSample>* out) {
    Result<std::string> text = fs_.ReadFile("/proc/stat");
    CpuTimes t;
    if (!text.ok()) {
      log_.Once("stat", LogLevel::kWarning, "cpu: " + text.status().message());
      return;
    }
    if (!ParseProcStatCpu(*text, &t)) {
      log_.Once("stat", LogLevel::kWarning,
                "cpu: " + fs_.Path("/proc/stat") + " has no readable \"cpu\" line");
      return;
    }
    log_.Clear("stat");
    out->push_back(FloatSample("cpu.user", t.user));
    out->push_back(FloatSample("cpu.nice", t.nice));
    out->push_back(FloatSample("cpu.system", t.system));
    out->push_back(FloatSample("cpu.idle", t.idle));
    out->push_back(FloatSample("cpu.iowait", t.iowait));
    out->push_back(FloatSample("cpu.irq", t.irq));
    out->push_back(FloatSample("cpu.softirq", t.softirq));
    out->push_back(FloatSample("cpu.steal", t.steal));
    if (prev_) {
      // iowait counts as idle. The kernel's iowait may step back a little; clamp at zero.
      int64_t total = static_cast<int64_t>(t.Total()) - static_cast<int64_t>(prev_->Total());
      int64_t idle = static_cast<int64_t>(t.idle + t.iowait) -
                     static_cast<int64_t>(prev_->idle + prev_->iowait);
      if (total > 0) {
        idle = std::clamp<int64_t>(idle, 0, total);
        out->push_back(FloatSample("cpu.busy_pct", 100.0 * (total - idle) / total));
      }
    }
    prev_ = t;
  }

  const HostFs& fs_;
  std::string temp_path_, freq_path_;
  ProbeLog log_;
  std::optional<CpuTimes> prev_;
};

}  // namespace

std::unique_ptr<Probe> MakeCpuProbe(const HostFs& fs, const ProbeSettings& s, LogFn log) {
  return std::make_unique<CpuProbe>(fs, s, std::move(log));
}

}  // namespace nanotdb::drip
