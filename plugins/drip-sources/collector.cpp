#include "collector.h"

#include <algorithm>
#include <chrono>

#include "probes.h"

namespace nanotdb::drip {
namespace {

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Timestamp WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

CycleTime NowCycleTime() { return {WallNanos(), SteadyNanos()}; }

Collector::Collector(ProbeSettings settings, HostOptions host, std::string default_sd_dir,
                     LogFn log)
    : settings_(std::move(settings)), fs_(std::move(host)), log_(log) {
  const ProbeSettings& s = settings_;
  auto add = [&](const char* name, std::unique_ptr<Probe> p) {
    probes_.push_back({std::move(p), s.CyclesPerRun(name)});
  };
  for (const char* name : kProbeNames) {
    if (!s.Enabled(name)) continue;
    const std::string n = name;
    if (n == "cpu") add(name, MakeCpuProbe(fs_, s, log));
    if (n == "memory") add(name, MakeMemoryProbe(fs_, log));
    if (n == "loadavg") add(name, MakeLoadavgProbe(fs_, log));
    if (n == "uptime") add(name, MakeUptimeProbe(fs_, log));
    if (n == "disk") add(name, MakeDiskProbe(fs_, s, log));
    if (n == "io") add(name, MakeIoProbe(fs_, log));
    if (n == "network") add(name, MakeNetworkProbe(fs_, s, log));
    if (n == "process") add(name, MakeProcessProbe(fs_, s, log));
    if (n == "onewire") add(name, MakeOnewireProbe(fs_, s, log));
    if (n == "sd_probe") {
      add(name, MakeSdProbe(fs_, s, s.sd_probe_dir.empty() ? default_sd_dir : s.sd_probe_dir, log));
    }
  }
}

std::vector<ProbeSample> Collector::Collect(const CycleTime& now, bool all_probes) {
  std::vector<ProbeSample> out;
  timings_.clear();
  const int64_t cycle = settings_.interval_ns > 0 ? now.ts / settings_.interval_ns : 0;
  for (Entry& e : probes_) {
    if (!all_probes && e.ran && cycle % e.cycles_per_run != 0) continue;
    int64_t start = SteadyNanos();
    e.probe->Collect(now, &out);
    int64_t took = SteadyNanos() - start;
    e.ran = true;
    timings_.emplace_back(std::string(e.probe->name()), took);
    if (took > settings_.interval_ns / 2) {
      log_.Once(std::string("slow:") + std::string(e.probe->name()), LogLevel::kWarning,
                "probe " + std::string(e.probe->name()) + " took " +
                    std::to_string(took / 1000000) +
                    " ms, more than half the interval; give it a longer interval under "
                    "[intervals] or switch it off");
    }
  }
  return out;
}

bool CycleTicker::WaitNext(CycleTime* out) {
  std::unique_lock lock(mu_);
  const int64_t i = interval_ns_;
  Timestamp now = WallNanos();
  // Late (a slow cycle): serve the tick that is already due instead of waiting for the next.
  Timestamp target = last_tick_ == 0 ? (now / i + 1) * i : std::max(last_tick_ + i, now / i * i);
  while (!stopped_) {
    now = WallNanos();
    if (target - now > i) target = (now / i + 1) * i;  // the clock was set back
    if (now >= target) {
      last_tick_ = target;
      *out = {target, SteadyNanos()};
      return true;
    }
    cv_.wait_for(lock, std::chrono::nanoseconds(target - now));
  }
  return false;
}

void CycleTicker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

}  // namespace nanotdb::drip
