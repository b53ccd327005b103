// Parsers for the text files the probes read (/proc/stat, /proc/meminfo, /proc/diskstats,
// /proc/net/dev, /proc/mounts, /proc/<pid>/stat, w1_slave, ...). Pure functions over the file
// text: no I/O, no allocation beyond the returned values, thread-safe. A parser returns false
// (or skips the line) when the text does not have the documented shape; it never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nanotdb::drip {

// The aggregate "cpu" line of /proc/stat, in USER_HZ jiffies.
struct CpuTimes {
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  uint64_t Total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
};
bool ParseProcStatCpu(std::string_view text, CpuTimes* out);

// The unsigned integer after `key` on the line that starts with `key` followed by ':' or a
// blank: FindKeyedValue(meminfo, "MemTotal") → 3884512, FindKeyedValue(vmstat, "pgpgin").
std::optional<uint64_t> FindKeyedValue(std::string_view text, std::string_view key);

struct LoadAvg {
  double load1 = 0, load5 = 0, load15 = 0;
  int64_t procs_running = 0, procs_total = 0;
};
bool ParseLoadavg(std::string_view text, LoadAvg* out);  // "0.52 0.58 0.59 2/345 12345"

bool ParseUptime(std::string_view text, double* seconds);  // "12345.67 45678.90"

// One /proc/diskstats line: the 11 classic counters after major, minor and name.
struct DiskStat {
  std::string name;
  // reads, reads_merged, read_sectors, read_ms, writes, writes_merged, write_sectors,
  // write_ms, io_in_progress, io_ms, io_weighted_ms
  uint64_t fields[11] = {};
};
// Lines with fewer than 14 fields or a non-numeric counter are skipped and counted.
std::vector<DiskStat> ParseDiskstats(std::string_view text, size_t* malformed_lines);

struct NetDevStat {
  std::string name;
  // rx_bytes, rx_packets, rx_errors, rx_drop, tx_bytes, tx_packets, tx_errors, tx_drop
  uint64_t fields[8] = {};
};
std::vector<NetDevStat> ParseNetDev(std::string_view text, size_t* malformed_lines);

struct MountEntry {
  std::string device, mount_point, fs_type;
};
// /proc/mounts or /proc/self/mounts; octal escapes ("\040" for a space) are decoded.
std::vector<MountEntry> ParseMounts(std::string_view text);

// /proc/<pid>/stat. comm may hold spaces and parentheses: it ends at the last ')'.
struct PidStat {
  std::string comm;
  uint64_t utime = 0, stime = 0;  // jiffies
  uint64_t vsize = 0;             // bytes
  int64_t rss_pages = 0;
};
bool ParsePidStat(std::string_view text, PidStat* out);

// A DS18B20 w1_slave file:
//   72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
//   72 01 4b 46 7f ff 0e 10 57 t=23125
enum class W1Read { kOk, kCrcError, kMalformed };
W1Read ParseW1Slave(std::string_view text, int32_t* millidegrees);

}  // namespace nanotdb::drip
