#include "settings.h"

#include <toml++/toml.h>

#include <algorithm>

#include "nanotdb/time_util.h"
#include "probe.h"
#include "toml_config.h"

namespace nanotdb::drip {
namespace {

bool IsProbe(std::string_view name) {
  return std::any_of(std::begin(kProbeNames), std::end(kProbeNames),
                     [&](const char* p) { return name == p; });
}

Status ParseIntervals(const std::string& text, ProbeSettings* s) {
  if (text.empty()) return Status::Ok();
  NANOTDB_ASSIGN_OR_RETURN(toml::table parsed, ParseToml(text, "intervals"));
  for (const auto& [key, node] : parsed) {
    std::string name(key.str());
    if (!IsProbe(name)) {
      return Status::InvalidArgument("intervals." + name +
                                     ": unknown probe (known: cpu, memory, loadavg, uptime, disk, "
                                     "io, network, process, onewire, sd_probe)");
    }
    const auto* str = node.as_string();
    if (str == nullptr) {
      return Status::InvalidArgument("intervals." + name + ": expected a duration like \"60s\"");
    }
    Result<int64_t> d = ParseDuration(str->get());
    if (!d.ok()) return d.status().WithContext("intervals." + name);
    if (*d <= 0) return Status::InvalidArgument("intervals." + name + ": must be > 0");
    s->intervals_ns[name] = *d;
  }
  return Status::Ok();
}

Status ParseOnewireNames(const std::string& text, ProbeSettings* s) {
  if (text.empty()) return Status::Ok();
  NANOTDB_ASSIGN_OR_RETURN(toml::table parsed, ParseToml(text, "onewire_names"));
  for (const auto& [key, node] : parsed) {
    std::string id(key.str());
    const auto* str = node.as_string();
    if (str == nullptr || str->get().empty()) {
      return Status::InvalidArgument("onewire_names." + id +
                                     ": expected a non-empty friendly name string");
    }
    s->onewire_names[id] = SanitizeNamePart(str->get());
  }
  return Status::Ok();
}

}  // namespace

bool ProbeSettings::Enabled(const std::string& probe) const {
  auto it = enabled.find(probe);
  return it != enabled.end() && it->second;
}

int64_t ProbeSettings::CyclesPerRun(const std::string& probe) const {
  auto it = intervals_ns.find(probe);
  if (it == intervals_ns.end() || interval_ns <= 0) return 1;
  return std::max<int64_t>(1, (it->second + interval_ns - 1) / interval_ns);
}

std::span<const ConfigKey> ProbeConfigKeys() { return kProbeConfigKeys; }

Result<ProbeSettings> ProbeSettingsFromConfig(const PluginConfig& config) {
  ProbeSettings s;
  s.database = config.GetString("database");
  NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(s.database).WithContext("database"));
  s.interval_ns = config.GetDuration("interval");
  if (s.interval_ns < kNanosPerSecond / 10) {
    return Status::InvalidArgument("interval: must be at least 100ms, got \"" +
                                   FormatDuration(s.interval_ns) + "\"");
  }
  s.root = config.GetString("root");
  if (s.root.empty() || s.root.front() != '/') {
    return Status::InvalidArgument("root: must be an absolute directory, got \"" + s.root + "\"");
  }
  for (const char* probe : kProbeNames) s.enabled[probe] = config.GetBool(probe);
  s.cpu_temp_path = config.GetString("cpu_temp_path");
  s.cpu_freq_path = config.GetString("cpu_freq_path");
  s.disk_skip = config.GetStringList("disk_skip");
  s.fs_skip_types = config.GetStringList("fs_skip_types");
  s.network_skip = config.GetStringList("network_skip");
  s.process_names = config.GetStringList("process_names");
  s.onewire_path = config.GetString("onewire_path");
  s.onewire_auto_discover = config.GetBool("onewire_auto_discover");
  s.onewire_max_valid_mdeg = config.GetInt("onewire_max_valid_mdeg");
  s.sd_probe_dir = config.GetString("sd_probe_dir");
  s.sd_probe_bytes = config.GetInt("sd_probe_bytes");
  s.sd_probe_every = config.GetInt("sd_probe_every");
  if (s.sd_probe_bytes < 1 || s.sd_probe_bytes > (64 << 20)) {
    return Status::InvalidArgument("sd_probe_bytes: must be between 1 and 67108864, got " +
                                   std::to_string(s.sd_probe_bytes));
  }
  if (s.sd_probe_every < 1) {
    return Status::InvalidArgument("sd_probe_every: must be at least 1, got " +
                                   std::to_string(s.sd_probe_every));
  }
  if (s.Enabled("process") && s.process_names.empty()) {
    return Status::InvalidArgument(
        "process_names: empty while the process probe is on; list names or set process = false");
  }
  for (const std::string& name : s.process_names) {
    if (name.empty()) return Status::InvalidArgument("process_names: names must not be empty");
  }
  NANOTDB_RETURN_IF_ERROR(ParseIntervals(config.GetTableToml("intervals"), &s));
  NANOTDB_RETURN_IF_ERROR(ParseOnewireNames(config.GetTableToml("onewire_names"), &s));
  if (std::none_of(std::begin(kProbeNames), std::end(kProbeNames),
                   [&](const char* p) { return s.Enabled(p); })) {
    return Status::InvalidArgument(
        "no probe enabled: set at least one of cpu, memory, loadavg, uptime, disk, io, network, "
        "process, onewire, sd_probe to true");
  }
  return s;
}

}  // namespace nanotdb::drip
