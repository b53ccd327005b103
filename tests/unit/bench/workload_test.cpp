#include "bench/workload.h"

#include <gtest/gtest.h>

#include <bit>
#include <set>

#include "nanotdb/status.h"

namespace nanotdb::bench {
namespace {

std::vector<std::vector<uint64_t>> FirstCycles(const WorkloadOptions& opts, int n,
                                               std::vector<Timestamp>* stamps = nullptr) {
  Workload w(opts);
  std::vector<std::vector<uint64_t>> out;
  Timestamp ts;
  std::vector<uint64_t> values;
  for (int i = 0; i < n && w.Next(&ts, &values); ++i) {
    out.push_back(values);
    if (stamps != nullptr) stamps->push_back(ts);
  }
  return out;
}

TEST(WorkloadTest, SameSeedGivesSameSamplesAndOtherSeedsDiffer) {
  WorkloadOptions opts;
  std::vector<Timestamp> a_ts, b_ts, c_ts;
  const auto a = FirstCycles(opts, 200, &a_ts);
  const auto b = FirstCycles(opts, 200, &b_ts);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a_ts, b_ts);
  opts.seed = 2;
  const auto c = FirstCycles(opts, 200, &c_ts);
  EXPECT_NE(a, c);
  EXPECT_NE(a_ts, c_ts);
}

TEST(WorkloadTest, HostAndLargeSetsHaveUniqueValidNames) {
  for (int metrics : {84, 1000, 10}) {
    WorkloadOptions opts;
    opts.metrics = metrics;
    Workload w(opts);
    ASSERT_EQ(w.metrics().size(), static_cast<size_t>(metrics));
    std::set<std::string> names;
    for (const auto& m : w.metrics()) {
      EXPECT_TRUE(ValidateMetricName(m.name).ok()) << m.name;
      EXPECT_TRUE(names.insert(m.name).second) << "duplicate " << m.name;
    }
  }
}

TEST(WorkloadTest, OneDayIsEveryTenSecondsWithAFewMillisecondsOfJitter) {
  WorkloadOptions opts;
  opts.days = 2;
  Workload w(opts);
  EXPECT_EQ(w.cycles(), 2u * 8640);
  Timestamp ts, prev = kMinTimestamp;
  std::vector<uint64_t> values;
  uint64_t cycle = 0;
  while (w.Next(&ts, &values)) {
    const Timestamp nominal = opts.start + static_cast<Timestamp>(cycle) * opts.interval;
    EXPECT_GE(ts, nominal);
    EXPECT_LT(ts, nominal + 20'000'000);
    EXPECT_GT(ts, prev);
    EXPECT_EQ(values.size(), 84u);
    prev = ts;
    ++cycle;
  }
  EXPECT_EQ(cycle, w.cycles());
}

// Gauges are written with a float32's digits, so the line protocol is the same text as before
// values were 64-bit and bytes/sample stay comparable across that change.
TEST(WorkloadTest, GaugesAreShortDecimals) {
  std::vector<WorkloadMetric> metrics;
  WorkloadOptions opts;
  const auto cols = GenerateColumns(opts, &metrics);
  for (size_t m = 0; m < metrics.size(); ++m) {
    if (metrics[m].type != ValueType::kFloat64) continue;
    for (size_t i = 0; i < cols[m].size(); i += 97) {
      const Value v{ValueType::kFloat64, cols[m][i].bits};
      EXPECT_LE(FormatValue(v).size(), 11u) << metrics[m].name << " " << FormatValue(v);
    }
  }
}

TEST(WorkloadTest, CountersOnlyGrowAndSomeWrapPast32Bits) {
  std::vector<WorkloadMetric> metrics;
  const auto cols = GenerateColumns(WorkloadOptions{}, &metrics);
  int wrapped = 0;
  for (size_t m = 0; m < metrics.size(); ++m) {
    const std::string& name = metrics[m].name;
    if (!name.ends_with("_bytes") || metrics[m].type != ValueType::kInt64) continue;
    for (size_t i = 1; i < cols[m].size(); ++i) {
      // The counters are 32 bits wide, as a host's are: compare modulo 2^32.
      const uint32_t step = static_cast<uint32_t>(cols[m][i].bits - cols[m][i - 1].bits);
      EXPECT_LT(step, 1u << 28) << name << " went backwards at cycle " << i;
      if (static_cast<int32_t>(cols[m][i].bits) < static_cast<int32_t>(cols[m][i - 1].bits)) {
        ++wrapped;
      }
    }
  }
  EXPECT_GE(wrapped, 2);
}

TEST(WorkloadTest, DripProfileIsTheCollectorsMetricSetWithFloat32Digits) {
  WorkloadOptions opts;
  opts.profile = WorkloadProfile::kDrip;
  opts.days = 1;
  std::vector<WorkloadMetric> metrics;
  const auto cols = GenerateColumns(opts, &metrics);
  ASSERT_EQ(metrics.size(), 84u);
  std::set<std::string> names;
  for (const auto& m : metrics) names.insert(m.name);
  EXPECT_EQ(names.size(), 84u);
  for (const char* n : {"cpu.busy_pct", "mem.available", "disk.mmcblk0.write_kbps",
                        "net.eth0.rx_bytes", "temp.garden.mdeg", "disk.sd_write_probe_ms"}) {
    EXPECT_EQ(names.count(n), 1u) << n;
  }
  size_t distinct_rates = 0;
  for (size_t m = 0; m < metrics.size(); ++m) {
    ASSERT_EQ(cols[m].size(), 8640u);
    if (metrics[m].type != ValueType::kFloat64) continue;
    for (const Sample& s : cols[m]) {
      const double v = std::bit_cast<double>(s.bits);
      ASSERT_EQ(std::bit_cast<uint64_t>(WidenFloat32(static_cast<float>(v))), s.bits)
          << metrics[m].name << " holds more than a float32's digits";
    }
    if (metrics[m].name.ends_with("_kbps")) {
      std::set<uint64_t> values;
      for (const Sample& s : cols[m]) values.insert(s.bits);
      distinct_rates += values.size() > 4000;
    }
  }
  EXPECT_EQ(distinct_rates, 5u);  // noisy rates over a jittered interval (read_kbps is mostly 0)
  std::vector<WorkloadMetric> again;
  EXPECT_EQ(GenerateColumns(opts, &again), cols);
}

}  // namespace
}  // namespace nanotdb::bench
