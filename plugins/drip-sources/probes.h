// Factories of the probes (see probe.h for the common contract and metric typing). Each
// probe reads through `fs`, which must outlive it, and logs through `log`.
//
// Metric names follow the reference collector (docs/drip.md lists them with their types).
#pragma once

#include <memory>
#include <string>

#include "host_fs.h"
#include "probe.h"
#include "settings.h"

namespace nanotdb::drip {

// cpu.{user,nice,system,idle,iowait,irq,softirq,steal} jiffies (float64 counters),
// cpu.busy_pct (float64, from the 2nd cycle), cpu.temp_mdeg and cpu.freq_khz (int64).
std::unique_ptr<Probe> MakeCpuProbe(const HostFs& fs, const ProbeSettings& s, LogFn log);
// mem.{total,free,available,buffers,cached,swapcached,swaptotal,swapfree} in kB (int64).
std::unique_ptr<Probe> MakeMemoryProbe(const HostFs& fs, LogFn log);
// sys.load1/5/15 (float64), sys.procs_running, sys.procs_total (int64).
std::unique_ptr<Probe> MakeLoadavgProbe(const HostFs& fs, LogFn log);
// sys.uptime_sec (int64).
std::unique_ptr<Probe> MakeUptimeProbe(const HostFs& fs, LogFn log);
// io.{pgpgin,pgpgout,pswpin,pswpout} (float64 counters).
std::unique_ptr<Probe> MakeIoProbe(const HostFs& fs, LogFn log);
// disk.<dev>.* counters (float64; io_in_progress int64) and busy_pct, iops, read_kbps,
// write_kbps (float64, 2nd cycle on); diskfs.<mount>.bytes_{total,used,free,avail}, used_pct.
std::unique_ptr<Probe> MakeDiskProbe(const HostFs& fs, const ProbeSettings& s, LogFn log);
// net.<iface>.{rx,tx}_{bytes,packets,errors,drop} (float64 counters), rx_kbps, tx_kbps.
std::unique_ptr<Probe> MakeNetworkProbe(const HostFs& fs, const ProbeSettings& s, LogFn log);
// proc.<name>.count (int64), rss_bytes, vsize_bytes, cpu_pct (float64; cpu from 2nd cycle).
std::unique_ptr<Probe> MakeProcessProbe(const HostFs& fs, const ProbeSettings& s, LogFn log);
// temp.<name>.mdeg (int64) per DS18B20; onewire.dropped (int64, readings dropped so far).
std::unique_ptr<Probe> MakeOnewireProbe(const HostFs& fs, const ProbeSettings& s, LogFn log);
// disk.sd_write_probe_ms (float64): write + fsync of sd_probe_bytes into `dir` every
// sd_probe_every runs, the last result repeated in between, -1 when the probe failed.
std::unique_ptr<Probe> MakeSdProbe(const HostFs& fs, const ProbeSettings& s, std::string dir,
                                   LogFn log);

}  // namespace nanotdb::drip
