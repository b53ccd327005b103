#include "probes.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "collector.h"
#include "drip_test_util.h"

namespace nanotdb::drip {
namespace {

constexpr Timestamp kT0 = 1'716'552'000'000'000'000;
const CycleTime kCycle1{kT0, 0};
const CycleTime kCycle2{kT0 + 10 * kNanosPerSecond, 10 * kNanosPerSecond};
const CycleTime kCycle3{kT0 + 20 * kNanosPerSecond, 20 * kNanosPerSecond};

HostOptions AtRoot(const std::string& root) {
  HostOptions o;
  o.root = root;
  return o;
}

class ProbesTest : public ::testing::Test {
 protected:
  HostFs Fs(const FixtureRoot& root) {
    HostOptions o;
    o.root = root.path();
    o.clock_ticks = 100;
    o.page_size = 4096;
    o.statfs = [this](const std::string& mount) -> Result<FsUsage> {
      statfs_calls.push_back(mount);
      return FsUsage{1000, 400, 300};
    };
    return HostFs(o);
  }
  std::vector<ProbeSample> Run(Probe& p, const CycleTime& t) {
    std::vector<ProbeSample> out;
    p.Collect(t, &out);
    return out;
  }

  ProbeSettings settings = SettingsFromToml("");
  LogRecorder logs;
  std::vector<std::string> statfs_calls;
};

TEST_F(ProbesTest, CpuReportsJiffiesTemperatureAndFrequency) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto probe = MakeCpuProbe(fs, settings, logs.fn());
  auto s = Run(*probe, kCycle1);
  EXPECT_EQ(FindSample(s, "cpu.user")->AsFloat64(), 10000.0f);
  EXPECT_EQ(FindSample(s, "cpu.idle")->AsFloat64(), 80000.0f);
  EXPECT_EQ(FindSample(s, "cpu.softirq")->AsFloat64(), 400.0f);
  ASSERT_TRUE(FindSample(s, "cpu.temp_mdeg"));
  EXPECT_EQ(FindSample(s, "cpu.temp_mdeg")->type, ValueType::kInt64);
  EXPECT_EQ(FindSample(s, "cpu.temp_mdeg")->AsInt64(), 48312);
  EXPECT_EQ(FindSample(s, "cpu.freq_khz")->AsInt64(), 1500000);
  EXPECT_FALSE(FindSample(s, "cpu.busy_pct")) << "a rate needs two cycles";
  EXPECT_TRUE(logs.lines.empty());
}

TEST_F(ProbesTest, CpuBusyPercentComesFromTheSecondCycle) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto probe = MakeCpuProbe(fs, settings, logs.fn());
  Run(*probe, kCycle1);
  root.Overlay("pi4-next");
  auto s = Run(*probe, kCycle2);
  ASSERT_TRUE(FindSample(s, "cpu.busy_pct"));
  EXPECT_FLOAT_EQ(FindSample(s, "cpu.busy_pct")->AsFloat64(), 40.0f);  // 400 of 1000 jiffies
}

TEST_F(ProbesTest, CpuCountersGoingBackGiveNoBusyPercent) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto probe = MakeCpuProbe(fs, settings, logs.fn());
  Run(*probe, kCycle1);
  root.Overlay("pi4-reset");
  auto s = Run(*probe, kCycle2);
  EXPECT_TRUE(FindSample(s, "cpu.user"));
  EXPECT_FALSE(FindSample(s, "cpu.busy_pct"));
}

TEST_F(ProbesTest, MemoryReportsKilobytesAsInt64) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto s = Run(*MakeMemoryProbe(fs, logs.fn()), kCycle1);
  ASSERT_EQ(s.size(), 8u);
  EXPECT_EQ(FindSample(s, "mem.total")->type, ValueType::kInt64);
  EXPECT_EQ(FindSample(s, "mem.total")->AsInt64(), 3884512);
  EXPECT_EQ(FindSample(s, "mem.available")->AsInt64(), 2345678);
  EXPECT_EQ(FindSample(s, "mem.cached")->AsInt64(), 1234567);
  EXPECT_EQ(FindSample(s, "mem.swapcached")->AsInt64(), 0);
  EXPECT_EQ(FindSample(s, "mem.swapfree")->AsInt64(), 102396);
}

TEST_F(ProbesTest, LoadavgUptimeAndIo) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto load = Run(*MakeLoadavgProbe(fs, logs.fn()), kCycle1);
  EXPECT_FLOAT_EQ(FindSample(load, "sys.load1")->AsFloat64(), 0.52f);
  EXPECT_FLOAT_EQ(FindSample(load, "sys.load15")->AsFloat64(), 0.59f);
  EXPECT_EQ(FindSample(load, "sys.procs_running")->AsInt64(), 2);
  EXPECT_EQ(FindSample(load, "sys.procs_total")->AsInt64(), 345);
  auto up = Run(*MakeUptimeProbe(fs, logs.fn()), kCycle1);
  EXPECT_EQ(FindSample(up, "sys.uptime_sec")->AsInt64(), 12345);
  auto io = Run(*MakeIoProbe(fs, logs.fn()), kCycle1);
  EXPECT_EQ(FindSample(io, "io.pgpgin")->AsFloat64(), 123456.0f);
  EXPECT_EQ(FindSample(io, "io.pgpgout")->AsFloat64(), 654321.0f);
  EXPECT_EQ(FindSample(io, "io.pswpin")->AsFloat64(), 7.0f);
  EXPECT_EQ(FindSample(io, "io.pswpout")->AsFloat64(), 9.0f);
}

TEST_F(ProbesTest, DiskReportsWholePhysicalDisksOnly) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto s = Run(*MakeDiskProbe(fs, settings, logs.fn()), kCycle1);
  EXPECT_EQ(FindSample(s, "disk.mmcblk0.reads")->AsFloat64(), 1000.0f);
  EXPECT_EQ(FindSample(s, "disk.mmcblk0.write_sectors")->AsFloat64(), 40000.0f);
  EXPECT_EQ(FindSample(s, "disk.mmcblk0.io_weighted_ms")->AsFloat64(), 3500.0f);
  EXPECT_EQ(FindSample(s, "disk.mmcblk0.io_in_progress")->type, ValueType::kInt64);
  EXPECT_FALSE(HasMetricWithPrefix(s, "disk.mmcblk0p1."));  // partition
  EXPECT_FALSE(HasMetricWithPrefix(s, "disk.loop0."));      // skipped by glob
  EXPECT_FALSE(HasMetricWithPrefix(s, "disk.ram0."));
  EXPECT_FALSE(FindSample(s, "disk.mmcblk0.iops"));
}

TEST_F(ProbesTest, DiskRatesAcrossTwoCycles) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto probe = MakeDiskProbe(fs, settings, logs.fn());
  Run(*probe, kCycle1);
  root.Overlay("pi4-next");
  auto s = Run(*probe, kCycle2);
  EXPECT_FLOAT_EQ(FindSample(s, "disk.mmcblk0.busy_pct")->AsFloat64(), 10.0f);
  EXPECT_FLOAT_EQ(FindSample(s, "disk.mmcblk0.iops")->AsFloat64(), 40.0f);
  EXPECT_FLOAT_EQ(FindSample(s, "disk.mmcblk0.read_kbps")->AsFloat64(), 102.4f);
  EXPECT_FLOAT_EQ(FindSample(s, "disk.mmcblk0.write_kbps")->AsFloat64(), 307.2f);
  EXPECT_EQ(FindSample(s, "disk.mmcblk0.io_in_progress")->AsInt64(), 2);
}

TEST_F(ProbesTest, DiskCounterResetSkipsRatesInsteadOfSpiking) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto probe = MakeDiskProbe(fs, settings, logs.fn());
  Run(*probe, kCycle1);
  root.Overlay("pi4-reset");
  auto s = Run(*probe, kCycle2);
  EXPECT_EQ(FindSample(s, "disk.mmcblk0.reads")->AsFloat64(), 10.0f);
  EXPECT_FALSE(FindSample(s, "disk.mmcblk0.iops"));
  root.Overlay("pi4-next");
  s = Run(*probe, kCycle3);  // rates resume against the post-reset reading
  EXPECT_TRUE(FindSample(s, "disk.mmcblk0.iops"));
}

TEST_F(ProbesTest, DiskFsReportsRealMountsOnce) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto s = Run(*MakeDiskProbe(fs, settings, logs.fn()), kCycle1);
  EXPECT_EQ(statfs_calls, (std::vector<std::string>{"/", "/boot/firmware", "/mnt/my disk"}));
  EXPECT_EQ(FindSample(s, "diskfs.root.bytes_total")->AsFloat64(), 1000.0f);
  EXPECT_EQ(FindSample(s, "diskfs.root.bytes_used")->AsFloat64(), 600.0f);
  EXPECT_EQ(FindSample(s, "diskfs.root.bytes_free")->AsFloat64(), 400.0f);
  EXPECT_EQ(FindSample(s, "diskfs.root.bytes_avail")->AsFloat64(), 300.0f);
  EXPECT_FLOAT_EQ(FindSample(s, "diskfs.root.used_pct")->AsFloat64(), 600.0f / 9.0f);
  EXPECT_TRUE(FindSample(s, "diskfs.boot_firmware.used_pct"));
  EXPECT_TRUE(FindSample(s, "diskfs.mnt_my_disk.used_pct"));
  EXPECT_FALSE(HasMetricWithPrefix(s, "diskfs.tmp."));
  EXPECT_FALSE(HasMetricWithPrefix(s, "diskfs.run."));
}

TEST_F(ProbesTest, DiskFsStatFailureIsLoggedOncePerMount) {
  FixtureRoot root("pi4");
  HostOptions o;
  o.root = root.path();
  o.statfs = [](const std::string& m) -> Result<FsUsage> {
    if (m == "/boot/firmware") return Status::IOError("statvfs /boot/firmware: EIO");
    return FsUsage{1000, 400, 300};
  };
  HostFs fs(o);
  auto probe = MakeDiskProbe(fs, settings, logs.fn());
  auto s = Run(*probe, kCycle1);
  Run(*probe, kCycle2);
  EXPECT_TRUE(FindSample(s, "diskfs.root.bytes_total"));
  EXPECT_FALSE(HasMetricWithPrefix(s, "diskfs.boot_firmware."));
  EXPECT_EQ(logs.Count("/boot/firmware"), 1u);
}

TEST_F(ProbesTest, NetworkSkipsGlobsAndBridgesA32BitWrap) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  ProbeSettings s = SettingsFromToml("network_skip = [\"lo\", \"docker*\"]\n");
  auto probe = MakeNetworkProbe(fs, s, logs.fn());
  auto c1 = Run(*probe, kCycle1);
  EXPECT_EQ(FindSample(c1, "net.eth0.rx_bytes")->AsFloat64(), 4294966272.0f);
  EXPECT_EQ(FindSample(c1, "net.eth0.tx_drop")->AsFloat64(), 3.0f);
  EXPECT_EQ(FindSample(c1, "net.eth0.rx_errors")->AsFloat64(), 1.0f);
  EXPECT_TRUE(FindSample(c1, "net.wlan0.tx_packets"));
  EXPECT_FALSE(HasMetricWithPrefix(c1, "net.lo."));
  EXPECT_FALSE(HasMetricWithPrefix(c1, "net.docker0."));
  EXPECT_FALSE(FindSample(c1, "net.eth0.rx_kbps"));
  root.Overlay("pi4-next");
  auto c2 = Run(*probe, kCycle2);
  EXPECT_FLOAT_EQ(FindSample(c2, "net.eth0.rx_kbps")->AsFloat64(), 0.2f);  // 2048 B over 10 s
  EXPECT_FLOAT_EQ(FindSample(c2, "net.eth0.tx_kbps")->AsFloat64(), 100.0f);
  EXPECT_FLOAT_EQ(FindSample(c2, "net.wlan0.rx_kbps")->AsFloat64(), 0.0f);
}

TEST_F(ProbesTest, NetworkCounterResetSkipsRates) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  auto probe = MakeNetworkProbe(fs, settings, logs.fn());
  Run(*probe, kCycle1);
  root.Overlay("pi4-reset");
  auto s = Run(*probe, kCycle2);
  EXPECT_TRUE(FindSample(s, "net.eth0.rx_bytes"));
  EXPECT_FALSE(FindSample(s, "net.eth0.rx_kbps"));
}

TEST_F(ProbesTest, ProcessCountsRssAndCpuPercent) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  ProbeSettings s = SettingsFromToml("process_names = [\"nanotdb\", \"drip\", \"absent\"]\n");
  auto probe = MakeProcessProbe(fs, s, logs.fn());
  auto c1 = Run(*probe, kCycle1);
  EXPECT_EQ(FindSample(c1, "proc.nanotdb.count")->AsInt64(), 1);
  EXPECT_EQ(FindSample(c1, "proc.nanotdb.rss_bytes")->AsFloat64(), 2560.0f * 4096);
  EXPECT_EQ(FindSample(c1, "proc.nanotdb.vsize_bytes")->AsFloat64(), 104857600.0f);
  EXPECT_EQ(FindSample(c1, "proc.drip.count")->AsInt64(), 2);
  EXPECT_EQ(FindSample(c1, "proc.drip.rss_bytes")->AsFloat64(), 2 * 1000.0f * 4096);
  EXPECT_EQ(FindSample(c1, "proc.absent.count")->AsInt64(), 0);
  EXPECT_FALSE(FindSample(c1, "proc.absent.rss_bytes"));
  EXPECT_FALSE(FindSample(c1, "proc.nanotdb.cpu_pct"));
  root.Overlay("pi4-next");
  auto c2 = Run(*probe, kCycle2);
  EXPECT_FLOAT_EQ(FindSample(c2, "proc.nanotdb.cpu_pct")->AsFloat64(), 12.0f);  // 120 jiffies
  EXPECT_FLOAT_EQ(FindSample(c2, "proc.drip.cpu_pct")->AsFloat64(), 0.5f);
}

TEST_F(ProbesTest, OnewireDropsCrcPowerOnAndEmptyReadsAndCountsThem) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  ProbeSettings s = SettingsFromToml("[onewire_names]\n\"28-0316a2797aff\" = \"garden\"\n");
  auto probe = MakeOnewireProbe(fs, s, logs.fn());
  auto c1 = Run(*probe, kCycle1);
  EXPECT_EQ(FindSample(c1, "temp.garden.mdeg")->AsInt64(), 23125);
  EXPECT_FALSE(HasMetricWithPrefix(c1, "temp.28-"));
  EXPECT_EQ(FindSample(c1, "onewire.dropped")->AsInt64(), 3);
  auto c2 = Run(*probe, kCycle2);
  EXPECT_EQ(FindSample(c2, "onewire.dropped")->AsInt64(), 6);
  EXPECT_EQ(logs.Count("28-000005e2fdc3"), 1u) << "a failing sensor is reported once";
  EXPECT_EQ(logs.Count("power-on"), 1u);
  EXPECT_EQ(logs.Count("empty read"), 1u);
}

TEST_F(ProbesTest, OnewireWithoutAutoDiscoveryReadsOnlyNamedDevicesAndNamesByIdOtherwise) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  ProbeSettings named = SettingsFromToml(
      "onewire_auto_discover = false\n[onewire_names]\n\"28-0316a2797aff\" = \"garden\"\n");
  auto c1 = Run(*MakeOnewireProbe(fs, named, logs.fn()), kCycle1);
  EXPECT_EQ(FindSample(c1, "onewire.dropped")->AsInt64(), 0);
  auto c2 = Run(*MakeOnewireProbe(fs, settings, logs.fn()), kCycle1);
  EXPECT_EQ(FindSample(c2, "temp.28-0316a2797aff.mdeg")->AsInt64(), 23125);
}

TEST_F(ProbesTest, OnewireAbsentBusIsLoggedOnceAndQuiet) {
  FixtureRoot root("");
  HostFs fs = Fs(root);
  auto probe = MakeOnewireProbe(fs, settings, logs.fn());
  EXPECT_TRUE(Run(*probe, kCycle1).empty());
  EXPECT_TRUE(Run(*probe, kCycle2).empty());
  EXPECT_EQ(logs.lines.size(), 1u);
  EXPECT_NE(logs.lines[0].find("no 1-wire bus"), std::string::npos);
}

TEST_F(ProbesTest, MissingSourcesAreLoggedOnceAndStayQuiet) {
  FixtureRoot root("");
  HostFs fs = Fs(root);
  ProbeSettings s = SettingsFromToml("onewire = true\n");
  Collector collector(s, AtRoot(root.path()), root.path(), logs.fn());
  // sd_probe is off: everything else reads files that do not exist.
  EXPECT_TRUE(collector.Collect(kCycle1).empty());
  size_t first = logs.lines.size();
  EXPECT_GE(first, 8u);
  EXPECT_TRUE(collector.Collect(kCycle2).empty());
  EXPECT_EQ(logs.lines.size(), first) << "no repeated complaints";
}

TEST_F(ProbesTest, MalformedFilesAreReportedAndSkipped) {
  FixtureRoot root("broken");
  HostFs fs = Fs(root);
  EXPECT_TRUE(Run(*MakeCpuProbe(fs, settings, logs.fn()), kCycle1).empty());
  EXPECT_TRUE(Run(*MakeMemoryProbe(fs, logs.fn()), kCycle1).empty());
  EXPECT_TRUE(Run(*MakeLoadavgProbe(fs, logs.fn()), kCycle1).empty());
  EXPECT_TRUE(Run(*MakeUptimeProbe(fs, logs.fn()), kCycle1).empty());
  EXPECT_TRUE(Run(*MakeIoProbe(fs, logs.fn()), kCycle1).empty());
  EXPECT_TRUE(Run(*MakeDiskProbe(fs, settings, logs.fn()), kCycle1).empty());
  EXPECT_TRUE(Run(*MakeNetworkProbe(fs, settings, logs.fn()), kCycle1).empty());
  auto w1 = Run(*MakeOnewireProbe(fs, settings, logs.fn()), kCycle1);
  EXPECT_EQ(FindSample(w1, "onewire.dropped")->AsInt64(), 1);
  EXPECT_EQ(logs.Count("has no readable \"cpu\" line"), 1u);
  EXPECT_EQ(logs.Count("does not hold an integer"), 1u);  // thermal zone says "warm"
  EXPECT_EQ(logs.Count("malformed line(s)"), 2u);         // diskstats and net/dev
  EXPECT_EQ(logs.Count("has no readable \"MemTotal\""), 1u);
}

TEST_F(ProbesTest, SdProbeTimesWriteAndRepeatsTheLastValue) {
  FixtureRoot root("pi4");
  FixtureRoot dir("");
  HostFs fs = Fs(root);
  ProbeSettings s = SettingsFromToml("sd_probe_bytes = 4096\nsd_probe_every = 3\n");
  auto probe = MakeSdProbe(fs, s, dir.path(), logs.fn());
  auto c1 = Run(*probe, kCycle1);
  double first = FindSample(c1, "disk.sd_write_probe_ms")->AsFloat64();
  EXPECT_GE(first, 0.0f);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/.drip-sd-write-probe.tmp"));
  auto c2 = Run(*probe, kCycle2);
  EXPECT_EQ(FindSample(c2, "disk.sd_write_probe_ms")->AsFloat64(), first);
}

TEST_F(ProbesTest, SdProbeIntoAMissingDirectoryReportsMinusOneOnce) {
  FixtureRoot root("pi4");
  HostFs fs = Fs(root);
  ProbeSettings s = SettingsFromToml("sd_probe_every = 1\n");
  auto probe = MakeSdProbe(fs, s, root.path() + "/no/such/dir", logs.fn());
  EXPECT_EQ(FindSample(Run(*probe, kCycle1), "disk.sd_write_probe_ms")->AsFloat64(), -1.0f);
  EXPECT_EQ(FindSample(Run(*probe, kCycle2), "disk.sd_write_probe_ms")->AsFloat64(), -1.0f);
  EXPECT_EQ(logs.Count("reports -1"), 1u);
}

TEST_F(ProbesTest, SdProbeWarnsOnceWhenTheDirectoryIsOnTmpfs) {
  FixtureRoot root("pi4");  // its mount table says /tmp is tmpfs
  std::string tmpl = "/tmp/drip-sd-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  HostFs fs = Fs(root);
  ProbeSettings s = SettingsFromToml("sd_probe_every = 1\n");
  auto probe = MakeSdProbe(fs, s, tmpl, logs.fn());
  Run(*probe, kCycle1);
  Run(*probe, kCycle2);
  std::filesystem::remove_all(tmpl);
  EXPECT_EQ(logs.Count("is on tmpfs"), 1u);
}

TEST_F(ProbesTest, CollectorRunsAProbeWithItsOwnIntervalEveryNthCycle) {
  FixtureRoot root("pi4");
  ProbeSettings s = SettingsFromToml(
      "cpu = false\nmemory = false\nuptime = false\ndisk = false\nio = false\nnetwork = false\n"
      "process = false\n[intervals]\nloadavg = \"25s\"\n");  // rounds up to 3 cycles
  Collector collector(s, AtRoot(root.path()), root.path(), logs.fn());
  ASSERT_EQ(collector.probe_count(), 1u);
  auto at = [](int64_t cycle) {
    return CycleTime{cycle * 10 * kNanosPerSecond, cycle * 10 * kNanosPerSecond};
  };
  EXPECT_FALSE(collector.Collect(at(7)).empty()) << "first cycle runs every probe";
  EXPECT_TRUE(collector.Collect(at(8)).empty());
  EXPECT_FALSE(collector.Collect(at(9)).empty());
  EXPECT_TRUE(collector.Collect(at(10)).empty());
  EXPECT_FALSE(collector.Collect(at(10), /*all_probes=*/true).empty());
}

TEST_F(ProbesTest, CollectorSamplesOfACycleComeFromEveryEnabledProbe) {
  FixtureRoot root("pi4");
  HostOptions o = AtRoot(root.path());
  o.statfs = [](const std::string&) -> Result<FsUsage> { return FsUsage{1000, 400, 300}; };
  Collector collector(SettingsFromToml("onewire = true\n"), o, root.path(), logs.fn());
  auto s = collector.Collect(kCycle1);
  for (const char* m :
       {"cpu.user", "mem.total", "sys.load1", "sys.uptime_sec", "disk.mmcblk0.reads", "io.pgpgin",
        "net.eth0.rx_bytes", "proc.nanotdb.count", "temp.28-0316a2797aff.mdeg"}) {
    EXPECT_TRUE(FindSample(s, m)) << m;
  }
  EXPECT_EQ(collector.last_timings().size(), 9u);
}

TEST_F(ProbesTest, CollectorReportsASensorThatVanishedAsAProbeChange) {
  FixtureRoot root("pi4");
  ProbeSettings s = SettingsFromToml(
      "cpu = false\nmemory = false\nloadavg = false\nuptime = false\ndisk = false\n"
      "io = false\nnetwork = false\nprocess = false\nonewire = true\n");
  Collector collector(s, AtRoot(root.path()), root.path(), logs.fn());
  auto at = [](int64_t cycle) {
    return CycleTime{kT0 + cycle * 10 * kNanosPerSecond, cycle * 10 * kNanosPerSecond};
  };
  for (int c = 0; c < 3; ++c) collector.Collect(at(c));
  for (const Event& e : collector.TakeEvents()) {
    EXPECT_NE(e.name, "drip.probe.changed") << "a steady probe is no change: " << e.payload;
  }
  std::filesystem::remove_all(root.path() + "/sys/bus/w1/devices/28-0316a2797aff");
  collector.Collect(at(3));
  std::vector<Event> events = collector.TakeEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "drip.probe.changed");
  EXPECT_EQ(events[0].ts, at(3).ts);
  EXPECT_EQ(events[0].value->AsInt64(), -1);
  EXPECT_EQ(events[0].payload,
            R"({"probe":"onewire","added":[],"removed":["temp.28-0316a2797aff.mdeg"],)"
            R"("series":1})");
  collector.Collect(at(4));
  EXPECT_TRUE(collector.TakeEvents().empty()) << "reported once";
}

TEST_F(ProbesTest, CollectorTurnsEachFirstProbeWarningIntoOneEvent) {
  FixtureRoot root("");
  Collector collector(SettingsFromToml("onewire = true\n"), AtRoot(root.path()), root.path(),
                      logs.fn());
  collector.Collect(kCycle1);
  std::vector<Event> events = collector.TakeEvents();
  ASSERT_EQ(events.size(), logs.lines.size());
  bool onewire = false;
  for (const Event& e : events) {
    EXPECT_EQ(e.name, "drip.probe.failed");
    EXPECT_EQ(e.ts, kCycle1.ts);
    EXPECT_FALSE(e.value.has_value());
    onewire = onewire || e.payload.starts_with(R"({"probe":"onewire","message":")");
  }
  EXPECT_TRUE(onewire);
  collector.Collect(kCycle2);
  EXPECT_TRUE(collector.TakeEvents().empty()) << "no repeated events";
}

}  // namespace
}  // namespace nanotdb::drip
