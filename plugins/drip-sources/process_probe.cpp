#include <map>

#include "probes.h"
#include "proc_parsers.h"

namespace nanotdb::drip {
namespace {

// The kernel keeps at most 15 bytes of a command name in comm.
constexpr size_t kCommBytes = 15;

class ProcessProbe final : public Probe {
 public:
  ProcessProbe(const HostFs& fs, const ProbeSettings& s, LogFn log)
      : fs_(fs), names_(s.process_names), log_(std::move(log)) {}
  std::string_view name() const override { return "process"; }

  void Collect(const CycleTime& now, std::vector<ProbeSample>* out) override {
    std::vector<std::string> entries = fs_.ListDir("/proc");
    if (entries.empty()) {
      log_.Once("proc", LogLevel::kWarning, "process: cannot list " + fs_.Path("/proc"));
      return;
    }
    log_.Clear("proc");
    struct Totals {
      int64_t count = 0;
      double rss = 0, vsize = 0;
      uint64_t cpu_delta = 0;  // jiffies of processes seen in both cycles
    };
    std::vector<Totals> totals(names_.size());
    std::map<std::string, uint64_t> cpu_now;  // pid → utime + stime
    for (const std::string& pid : entries) {
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      Result<std::string> text = fs_.ReadFile("/proc/" + pid + "/stat", 4096);
      PidStat st;
      if (!text.ok() || !ParsePidStat(*text, &st)) continue;  // exited meanwhile
      for (size_t i = 0; i < names_.size(); ++i) {
        const std::string& want = names_[i];
        if (st.comm != want &&
            !(want.size() > kCommBytes && st.comm == want.substr(0, kCommBytes))) {
          continue;
        }
        Totals& t = totals[i];
        ++t.count;
        t.rss += static_cast<double>(st.rss_pages) * static_cast<double>(fs_.page_size());
        t.vsize += static_cast<double>(st.vsize);
        uint64_t cpu = st.utime + st.stime;
        auto prev = cpu_prev_.find(pid);
        if (prev != cpu_prev_.end() && cpu >= prev->second) t.cpu_delta += cpu - prev->second;
        cpu_now[pid] = cpu;
        break;
      }
    }
    double seconds =
        have_prev_ ? static_cast<double>(now.monotonic_ns - prev_monotonic_ns_) / 1e9 : 0;
    for (size_t i = 0; i < names_.size(); ++i) {
      const std::string prefix = "proc." + SanitizeNamePart(names_[i]) + ".";
      out->push_back(IntSample(prefix + "count", totals[i].count));
      if (totals[i].count == 0) continue;
      out->push_back(FloatSample(prefix + "rss_bytes", totals[i].rss));
      out->push_back(FloatSample(prefix + "vsize_bytes", totals[i].vsize));
      if (seconds > 0) {
        double cpu_seconds =
            static_cast<double>(totals[i].cpu_delta) / static_cast<double>(fs_.clock_ticks());
        out->push_back(FloatSample(prefix + "cpu_pct", 100.0 * cpu_seconds / seconds));
      }
    }
    cpu_prev_ = std::move(cpu_now);
    prev_monotonic_ns_ = now.monotonic_ns;
    have_prev_ = true;
  }

 private:
  const HostFs& fs_;
  std::vector<std::string> names_;
  ProbeLog log_;
  std::map<std::string, uint64_t> cpu_prev_;
  int64_t prev_monotonic_ns_ = 0;
  bool have_prev_ = false;
};

}  // namespace

std::unique_ptr<Probe> MakeProcessProbe(const HostFs& fs, const ProbeSettings& s, LogFn log) {
  return std::make_unique<ProcessProbe>(fs, s, std::move(log));
}

}  // namespace nanotdb::drip
