// ProbeSettings: what to collect, how often and where to write it. One schema serves both the
// plugin ([plugins.drip-sources] in engine.toml) and the drip binary ([collect] in drip.toml),
// so a setting means the same thing in both places (docs/drip.md lists every key).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "nanotdb/plugin.h"
#include "nanotdb/status.h"

namespace nanotdb::drip {

// Probe names, in the order the Collector runs them.
inline constexpr const char* kProbeNames[] = {"cpu", "memory",  "loadavg", "uptime",  "disk",
                                              "io",  "network", "process", "onewire", "sd_probe"};

struct ProbeSettings {
  std::string database = "metrics";
  int64_t interval_ns = 10 * kNanosPerSecond;
  std::string root = "/";
  std::map<std::string, bool> enabled;          // probe name → on/off (every probe listed)
  std::map<std::string, int64_t> intervals_ns;  // probe name → own interval (absent: interval)

  std::string cpu_temp_path = "/sys/class/thermal/thermal_zone0/temp";
  std::string cpu_freq_path = "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq";
  std::vector<std::string> disk_skip;
  std::vector<std::string> fs_skip_types;
  std::vector<std::string> network_skip;
  std::vector<std::string> process_names;
  std::string onewire_path = "/sys/bus/w1/devices";
  bool onewire_auto_discover = true;
  int64_t onewire_max_valid_mdeg = 125000;
  std::map<std::string, std::string> onewire_names;  // device id → friendly name
  std::string sd_probe_dir;  // "" = the caller's default (the plugin: data root)
  int64_t sd_probe_bytes = 32000;
  int64_t sd_probe_every = 6;

  bool Enabled(const std::string& probe) const;
  // The probe's own interval, rounded up to a whole number of base intervals (at least 1).
  int64_t CyclesPerRun(const std::string& probe) const;
};

// Every key of [plugins.drip-sources] / [collect], with its default and one line of help.
// Two optional sub-tables are not in the schema: `intervals` (probe = "60s") and
// `onewire_names` ("28-0316a2797aff" = "garden").
inline constexpr ConfigKey kProbeConfigKeys[] = {
    {"database", ConfigType::kString, "\"metrics\"", "database the probes write to"},
    {"interval", ConfigType::kDuration, "\"10s\"",
     "collection cycle; samples of a cycle share one timestamp"},
    {"root", ConfigType::kString, "\"/\"",
     "directory holding the host's /proc and /sys (\"/host\" in a container)"},
    {"cpu", ConfigType::kBool, "true", "cpu.* busy %, jiffies per state, frequency, temperature"},
    {"memory", ConfigType::kBool, "true", "mem.* from /proc/meminfo (kB)"},
    {"loadavg", ConfigType::kBool, "true", "sys.load1/5/15 and process counts"},
    {"uptime", ConfigType::kBool, "true", "sys.uptime_sec"},
    {"disk", ConfigType::kBool, "true", "disk.<dev>.* counters and rates, diskfs.<mount>.* usage"},
    {"io", ConfigType::kBool, "true", "io.* paging and swap counters from /proc/vmstat"},
    {"network", ConfigType::kBool, "true", "net.<iface>.* counters and rates"},
    {"process", ConfigType::kBool, "true", "proc.<name>.* for the processes in process_names"},
    {"onewire", ConfigType::kBool, "false", "temp.<name>.mdeg from DS18B20 1-wire sensors"},
    {"sd_probe", ConfigType::kBool, "false", "disk.sd_write_probe_ms: timed write + fsync"},
    {"cpu_temp_path", ConfigType::kString, "\"/sys/class/thermal/thermal_zone0/temp\"",
     "thermal zone read as cpu.temp_mdeg"},
    {"cpu_freq_path", ConfigType::kString,
     "\"/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq\"", "file read as cpu.freq_khz"},
    {"disk_skip", ConfigType::kStringList,
     "[\"loop*\", \"ram*\", \"zram*\", \"dm-*\", \"sr*\", \"fd*\"]",
     "block devices to ignore (globs)"},
    {"fs_skip_types", ConfigType::kStringList,
     "[\"proc\", \"sysfs\", \"tmpfs\", \"devtmpfs\", \"devpts\", \"debugfs\", \"configfs\", "
     "\"overlay\", \"squashfs\", \"ramfs\", \"cgroup\", \"cgroup2\", \"securityfs\", \"pstore\", "
     "\"bpf\", \"tracefs\", \"mqueue\", \"hugetlbfs\", \"fusectl\", \"autofs\", \"binfmt_misc\", "
     "\"nsfs\", \"efivarfs\", \"rpc_pipefs\", \"fuse.portal\", \"fuse.gvfsd-fuse\"]",
     "file-system types that are not real mounts"},
    {"network_skip", ConfigType::kStringList, "[\"lo\"]",
     "interfaces to ignore (globs: \"docker*\", \"veth*\")"},
    {"process_names", ConfigType::kStringList, "[\"nanotdb\", \"drip\"]",
     "process names (comm or argv[0] basename) to report"},
    {"onewire_path", ConfigType::kString, "\"/sys/bus/w1/devices\"", "1-wire bus directory"},
    {"onewire_auto_discover", ConfigType::kBool, "true",
     "read every 28-* device, not only those in onewire_names"},
    {"onewire_max_valid_mdeg", ConfigType::kInt, "125000",
     "readings above this (millidegrees) are dropped"},
    {"sd_probe_dir", ConfigType::kString, "\"\"",
     "directory the write probe writes into (\"\": data root / /var/tmp)"},
    {"sd_probe_bytes", ConfigType::kInt, "32000", "bytes written and fsynced per probe"},
    {"sd_probe_every", ConfigType::kInt, "6",
     "probe every N cycles; the last result is repeated between"},
};

std::span<const ConfigKey> ProbeConfigKeys();

// Reads and checks the settings. Errors name the key and the accepted values
// ("sd_probe_bytes: must be between 1 and 67108864, got 0").
Result<ProbeSettings> ProbeSettingsFromConfig(const PluginConfig& config);

}  // namespace nanotdb::drip
