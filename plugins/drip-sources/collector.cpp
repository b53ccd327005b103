#include "collector.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>

#include "nanotdb/vm_json.h"
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

// {"probe":"...","message":"..."}
std::string ProbePayload(std::string_view probe, std::string_view message) {
  std::string out = "{\"probe\":";
  vm::AppendJsonString(&out, probe);
  out += ",\"message\":";
  vm::AppendJsonString(&out, message);
  return out + "}";
}

std::string JsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    vm::AppendJsonString(&out, items[i]);
  }
  return out + "]";
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
    // A probe warns once per problem (ProbeLog::Once): each warning is also an event.
    LogFn probe_log = [this, outer = log, n](LogLevel level, std::string_view msg) {
      if (outer) outer(level, msg);
      if (level == LogLevel::kWarning || level == LogLevel::kError) {
        AddEvent(cycle_ts_, "drip.probe.failed", std::nullopt, ProbePayload(n, msg));
      }
    };
    if (n == "cpu") add(name, MakeCpuProbe(fs_, s, probe_log));
    if (n == "memory") add(name, MakeMemoryProbe(fs_, probe_log));
    if (n == "loadavg") add(name, MakeLoadavgProbe(fs_, probe_log));
    if (n == "uptime") add(name, MakeUptimeProbe(fs_, probe_log));
    if (n == "disk") add(name, MakeDiskProbe(fs_, s, probe_log));
    if (n == "io") add(name, MakeIoProbe(fs_, probe_log));
    if (n == "network") add(name, MakeNetworkProbe(fs_, s, probe_log));
    if (n == "process") add(name, MakeProcessProbe(fs_, s, probe_log));
    if (n == "onewire") add(name, MakeOnewireProbe(fs_, s, probe_log));
    if (n == "sd_probe") {
      add(name,
          MakeSdProbe(fs_, s, s.sd_probe_dir.empty() ? default_sd_dir : s.sd_probe_dir, probe_log));
    }
  }
}

std::vector<std::string> Collector::probe_names() const {
  std::vector<std::string> out;
  for (const Entry& e : probes_) out.emplace_back(e.probe->name());
  return out;
}

void Collector::AddEvent(Timestamp ts, std::string name, std::optional<Value> value,
                         std::string payload) {
  if (events_.size() >= kMaxPendingEvents) {
    ++events_dropped_;
    return;
  }
  Event e;
  e.name = std::move(name);
  e.ts = ts;
  e.value = value;
  e.payload = std::move(payload);
  events_.push_back(std::move(e));
}

std::vector<Event> Collector::TakeEvents() {
  if (events_dropped_ > 0) {
    Event e;
    e.name = "drip.events.dropped";
    e.ts = cycle_ts_;
    e.value = Value::Int64(static_cast<int64_t>(events_dropped_));
    e.payload = "{\"dropped\":" + std::to_string(events_dropped_) + "}";
    events_.push_back(std::move(e));
    events_dropped_ = 0;
  }
  return std::exchange(events_, {});
}

// Rate probes report nothing on their first run (no delta yet): the second run is the
// baseline, later runs compare against the one before.
void Collector::NoteSeries(Entry& e, const CycleTime& now, std::vector<std::string> series) {
  std::sort(series.begin(), series.end());
  series.erase(std::unique(series.begin(), series.end()), series.end());
  ++e.runs;
  if (e.runs > 2 && series != e.series) {
    std::vector<std::string> added, removed;
    std::set_difference(series.begin(), series.end(), e.series.begin(), e.series.end(),
                        std::back_inserter(added));
    std::set_difference(e.series.begin(), e.series.end(), series.begin(), series.end(),
                        std::back_inserter(removed));
    std::string payload = "{\"probe\":";
    vm::AppendJsonString(&payload, e.probe->name());
    payload += ",\"added\":" + JsonArray(added) + ",\"removed\":" + JsonArray(removed) +
               ",\"series\":" + std::to_string(series.size()) + "}";
    AddEvent(
        now.ts, "drip.probe.changed",
        Value::Int64(static_cast<int64_t>(series.size()) - static_cast<int64_t>(e.series.size())),
        std::move(payload));
  }
  e.series = std::move(series);
}

std::vector<ProbeSample> Collector::Collect(const CycleTime& now, bool all_probes) {
  std::vector<ProbeSample> out;
  timings_.clear();
  cycle_ts_ = now.ts;
  const int64_t cycle = settings_.interval_ns > 0 ? now.ts / settings_.interval_ns : 0;
  for (Entry& e : probes_) {
    if (!all_probes && e.ran && cycle % e.cycles_per_run != 0) continue;
    int64_t start = SteadyNanos();
    const size_t before = out.size();
    e.probe->Collect(now, &out);
    int64_t took = SteadyNanos() - start;
    e.ran = true;
    std::vector<std::string> series;
    for (size_t i = before; i < out.size(); ++i) series.push_back(out[i].metric);
    NoteSeries(e, now, std::move(series));
    timings_.emplace_back(std::string(e.probe->name()), took);
    if (took > settings_.interval_ns / 2) {
      if (!e.slow_reported) {
        e.slow_reported = true;
        std::string payload = "{\"probe\":";
        vm::AppendJsonString(&payload, e.probe->name());
        payload += ",\"took_ms\":" + std::to_string(took / 1000000) +
                   ",\"interval_ms\":" + std::to_string(settings_.interval_ns / 1000000) + "}";
        AddEvent(now.ts, "drip.probe.slow", Value::Int64(took / 1000000), std::move(payload));
      }
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
