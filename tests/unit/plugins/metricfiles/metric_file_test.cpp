#include "metric_file.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>

namespace nanotdb::metricfiles {
namespace {

std::vector<SeriesInput> HostLike(size_t cycles) {
  std::mt19937_64 rng(1);
  std::vector<SeriesInput> s = {{3, ValueType::kFloat64, "cpu.busy_pct", {}},
                                {1, ValueType::kInt64, "mem.free", {}},
                                {7, ValueType::kFloat64, "temp.garden", {}}};
  int64_t mem = 1200000;
  for (size_t i = 0; i < cycles; ++i) {
    const Timestamp ts = 1767225600000000000 + static_cast<int64_t>(i) * 10000000000 +
                         static_cast<int64_t>(rng() % 4000000);
    s[0].samples.push_back({ts, std::bit_cast<uint64_t>(WidenFloat32((rng() % 100000) / 997.0f))});
    mem += static_cast<int64_t>(rng() % 2001) - 1000;
    s[1].samples.push_back({ts, static_cast<uint64_t>(mem)});
    if (i % 3 != 0) {  // a series with gaps: its own time block
      s[2].samples.push_back({ts, std::bit_cast<uint64_t>(20 + (rng() % 50) / 10.0)});
    }
  }
  return s;
}

std::unique_ptr<MetricFileReader> OpenBytes(std::string bytes) {
  auto r = MetricFileReader::Open(MemorySource(std::move(bytes)), "test.ntm");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

TEST(MetricFileTest, EverySeriesReadsBackWithSharedTimeBlocks) {
  const auto input = HostLike(2000);
  auto bytes = EncodeMetricFile(input, SourceInfo{123456, 4});
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto r = OpenBytes(*bytes);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->source().bytes, 123456u);
  EXPECT_EQ(r->source().frames, 4u);
  ASSERT_EQ(r->series().size(), 3u);
  EXPECT_EQ(r->series()[0].id, 1u);  // by id
  EXPECT_EQ(r->series()[0].name, "mem.free");
  EXPECT_EQ(r->time_blocks().size(), 2u);  // the gapped series has its own
  for (const SeriesInput& s : input) {
    std::vector<Sample> out;
    ASSERT_TRUE(r->ReadAll(s.id, &out).ok());
    EXPECT_EQ(out, s.samples) << s.name;
    EXPECT_EQ(r->Find(s.id)->count, s.samples.size());
    EXPECT_EQ(r->Find(s.id)->type, s.type);
  }
  EXPECT_TRUE(r->ReadSeries(99, 0, 0, [](const Sample&) { return true; }).IsNotFound());
}

TEST(MetricFileTest, RangesAndEarlyStopSelectSamples) {
  const auto input = HostLike(500);
  auto r = OpenBytes(*EncodeMetricFile(input, {}));
  const auto& all = input[1].samples;
  const Timestamp from = all[100].ts, to = all[199].ts;
  std::vector<Sample> out;
  ASSERT_TRUE(r->ReadSeries(1, from, to, [&](const Sample& s) {
                 out.push_back(s);
                 return true;
               }).ok());
  EXPECT_EQ(out, std::vector<Sample>(all.begin() + 100, all.begin() + 200));
  out.clear();
  ASSERT_TRUE(r->ReadSeries(1, kMinTimestamp, kMaxTimestamp, [&](const Sample& s) {
                 out.push_back(s);
                 return out.size() < 3;
               }).ok());
  EXPECT_EQ(out.size(), 3u);
  out.clear();
  ASSERT_TRUE(r->ReadSeries(1, all.back().ts + 1, kMaxTimestamp, [&](const Sample& s) {
                 out.push_back(s);
                 return true;
               }).ok());
  EXPECT_TRUE(out.empty());
}

TEST(MetricFileTest, EqualTimestampsKeepTheirOrder) {
  std::vector<SeriesInput> in = {{1, ValueType::kInt64, "m", {{5, 1}, {5, 2}, {5, 3}, {9, 4}}}};
  auto r = OpenBytes(*EncodeMetricFile(in, {}));
  std::vector<Sample> out;
  ASSERT_TRUE(r->ReadAll(1, &out).ok());
  EXPECT_EQ(out, in[0].samples);
}

TEST(MetricFileTest, BadInputIsRefusedNamingTheSeries) {
  std::vector<SeriesInput> unsorted = {{4, ValueType::kInt64, "m", {{9, 1}, {5, 2}}}};
  auto r = EncodeMetricFile(unsorted, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("series 4 (m)"), std::string::npos);
  std::vector<SeriesInput> empty = {{4, ValueType::kInt64, "m", {}}};
  EXPECT_FALSE(EncodeMetricFile(empty, {}).ok());
  std::vector<SeriesInput> twice = {{4, ValueType::kInt64, "a", {{1, 1}}},
                                    {4, ValueType::kInt64, "b", {{1, 1}}}};
  EXPECT_FALSE(EncodeMetricFile(twice, {}).ok());
}

TEST(MetricFileTest, DamageIsDetectedNeverServed) {
  const auto input = HostLike(1000);
  const std::string good = *EncodeMetricFile(input, {});
  std::mt19937_64 rng(2);
  for (int i = 0; i < 300; ++i) {
    std::string bad = good;
    const size_t at = rng() % bad.size();
    bad[at] ^= static_cast<char>(1 + rng() % 255);
    auto r = MetricFileReader::Open(MemorySource(bad), "bad.ntm");
    if (!r.ok()) continue;  // header, index or footer damage: refused
    for (const SeriesInput& s : input) {
      std::vector<Sample> out;
      Status st = (*r)->ReadAll(s.id, &out);
      if (st.ok()) {
        EXPECT_EQ(out, s.samples) << "flip at " << at;
      } else {
        EXPECT_TRUE(st.IsCorruption()) << st.ToString();
      }
    }
  }
  for (size_t len : {size_t{0}, size_t{10}, good.size() / 2, good.size() - 1}) {
    EXPECT_FALSE(MetricFileReader::Open(MemorySource(good.substr(0, len)), "t.ntm").ok()) << len;
  }
}

}  // namespace
}  // namespace nanotdb::metricfiles
