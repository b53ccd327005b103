#include "proc_parsers.h"

#include <gtest/gtest.h>

#include "probe.h"

namespace nanotdb::drip {
namespace {

TEST(ProcParsersTest, PidStatCommMayHoldSpacesAndParentheses) {
  PidStat st;
  ASSERT_TRUE(ParsePidStat(
      "200 (my (weird) proc) S 1 2 3 0 -1 0 0 0 0 0 11 22 0 0 20 0 1 0 9 4096 7 0 0", &st));
  EXPECT_EQ(st.comm, "my (weird) proc");
  EXPECT_EQ(st.utime, 11u);
  EXPECT_EQ(st.stime, 22u);
  EXPECT_EQ(st.vsize, 4096u);
  EXPECT_EQ(st.rss_pages, 7);
}

TEST(ProcParsersTest, TruncatedPidStatIsRejected) {
  PidStat st;
  EXPECT_FALSE(ParsePidStat("200 (x) S 1 2 3", &st));
  EXPECT_FALSE(ParsePidStat("no parentheses at all", &st));
}

TEST(ProcParsersTest, W1SlaveReadsTemperatureOnlyWhenCrcSaysYes) {
  int32_t mdeg = 0;
  EXPECT_EQ(ParseW1Slave("72 01 : crc=57 YES\n72 01 t=-1250\n", &mdeg), W1Read::kOk);
  EXPECT_EQ(mdeg, -1250);
  EXPECT_EQ(ParseW1Slave("72 01 : crc=57 NO\n72 01 t=23125\n", &mdeg), W1Read::kCrcError);
  EXPECT_EQ(ParseW1Slave("", &mdeg), W1Read::kMalformed);
  EXPECT_EQ(ParseW1Slave("72 01 : crc=57 YES\n", &mdeg), W1Read::kMalformed);
  EXPECT_EQ(ParseW1Slave("72 01 : crc=57 YES\n72 01 t=warm\n", &mdeg), W1Read::kMalformed);
}

TEST(ProcParsersTest, MountPointsDecodeOctalEscapes) {
  std::vector<MountEntry> m = ParseMounts("/dev/sda1 /mnt/my\\040disk ext4 rw 0 0\nshort line\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].mount_point, "/mnt/my disk");
  EXPECT_EQ(m[0].fs_type, "ext4");
}

TEST(ProcParsersTest, KeyedValueMatchesWholeKeysOnly) {
  const char* meminfo = "SwapCached:   5 kB\nCached:  1234 kB\nMemFreeX: 9\n";
  EXPECT_EQ(FindKeyedValue(meminfo, "Cached"), 1234u);
  EXPECT_EQ(FindKeyedValue(meminfo, "MemFree"), std::nullopt);
  EXPECT_EQ(FindKeyedValue("pgpgin 77\n", "pgpgin"), 77u);
}

TEST(ProcParsersTest, LoadavgNeedsRunningSlashTotal) {
  LoadAvg l;
  ASSERT_TRUE(ParseLoadavg("1.5 0.25 0.125 3/456 789\n", &l));
  EXPECT_DOUBLE_EQ(l.load1, 1.5);
  EXPECT_EQ(l.procs_running, 3);
  EXPECT_EQ(l.procs_total, 456);
  EXPECT_FALSE(ParseLoadavg("1.5 0.25 0.125 3-456 789\n", &l));
}

TEST(ProcParsersTest, DiskstatsCountsMalformedLines) {
  size_t bad = 0;
  auto disks = ParseDiskstats(" 8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n 8 1 sdb 1 2\n", &bad);
  ASSERT_EQ(disks.size(), 1u);
  EXPECT_EQ(disks[0].name, "sda");
  EXPECT_EQ(disks[0].fields[10], 11u);
  EXPECT_EQ(bad, 1u);
}

TEST(CounterDeltaTest, IncreaseIsTheDifference) { EXPECT_EQ(CounterDelta(10, 25), 15u); }

TEST(CounterDeltaTest, ThirtyTwoBitWrapIsBridged) {
  EXPECT_EQ(CounterDelta(4294966272u, 1024u), 2048u);
}

TEST(CounterDeltaTest, ResetGivesNoDelta) {
  EXPECT_EQ(CounterDelta(1000, 5), std::nullopt);               // small counter went down: reboot
  EXPECT_EQ(CounterDelta(uint64_t{1} << 40, 5), std::nullopt);  // 64-bit counter went down
}

TEST(SanitizeNamePartTest, ReplacesBytesOutsideTheNameAlphabet) {
  EXPECT_EQ(SanitizeNamePart("my disk/α"), "my_disk___");
  EXPECT_EQ(SanitizeNamePart("eth0.100"), "eth0.100");
}

}  // namespace
}  // namespace nanotdb::drip
