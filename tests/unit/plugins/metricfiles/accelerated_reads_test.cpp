// Metric files in the core's read path: random databases (random series, gaps, int64 and
// float64 with NaN, infinities, -0 and extremes, equal timestamps) answer range reads, strided
// reads and every aggregate identically with metric files off, on beside the raw data, and on
// with the raw data renamed or deleted; stale files are declined; sealed partitions refuse
// samples; retention removes metric files; a metric-only partition without an accelerator is
// reported, not silently empty.
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "accelerator.h"
#include "builder.h"
#include "metric_file.h"
#include "nanotdb/engine.h"
#include "nanotdb/query.h"
#include "server/core_services.h"

namespace nanotdb {

// Bit-exact, NaN equal to NaN (in nanotdb so Answer's defaulted == finds it).
bool operator==(const Bucket& a, const Bucket& b) {
  if (a.start != b.start || a.end != b.end || a.count != b.count ||
      a.values.size() != b.values.size()) {
    return false;
  }
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (std::bit_cast<uint64_t>(a.values[i]) != std::bit_cast<uint64_t>(b.values[i]) &&
        !(std::isnan(a.values[i]) && std::isnan(b.values[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace nanotdb

namespace nanotdb::metricfiles {
namespace {

constexpr Timestamp kDay0 = 1767225600000000000;  // 2026-01-01
constexpr int64_t kSec = kNanosPerSecond;

struct Answer {
  std::vector<std::vector<Sample>> ranges;
  std::vector<std::vector<Bucket>> buckets;
  std::vector<std::optional<Sample>> last;
  bool operator==(const Answer&) const = default;
};

class AcceleratedReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("mf_reads_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<Engine> Open() {
    EngineOptions o;
    o.root = root_.string();
    o.max_future = 0;
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(*e);
  }

  // Three days of random series: some every 10 s, some with gaps, some only on one day.
  void Fill(Engine& e, uint64_t seed) {
    std::mt19937_64 rng(seed);
    const int series = 12;
    for (int m = 0; m < series; ++m) {
      const bool is_int = m % 3 == 0;
      names_.push_back("m" + std::to_string(m) + (is_int ? ".i" : ".f"));
    }
    const double odd[] = {std::numeric_limits<double>::quiet_NaN(),
                          std::numeric_limits<double>::infinity(),
                          -std::numeric_limits<double>::infinity(),
                          -0.0,
                          5e-324,
                          std::numeric_limits<double>::max()};
    std::vector<PointRef> batch;
    std::vector<double> level(series, 20.0);
    for (int64_t t = 0; t < 3 * 86400; t += 10) {
      for (int m = 0; m < series; ++m) {
        if (m == 5 && t > 86400) continue;                // stops after day one
        if (m == 7 && t < 2 * 86400) continue;            // starts on day three
        if (m % 4 == 1 && (t / 3600) % 5 == 2) continue;  // hour-long gaps
        if (m == 9 && rng() % 3 == 0) continue;           // random gaps
        const Timestamp ts = kDay0 + t * kSec + static_cast<Timestamp>(rng() % 3000000);
        Value v;
        if (m % 3 == 0) {
          const int64_t big = rng() % 50 == 0 ? std::numeric_limits<int64_t>::min() + 1
                                              : static_cast<int64_t>(rng() % 100000) - 50000;
          v = Value::Int64(m == 0 ? static_cast<int64_t>(t) : big);
        } else {
          level[m] += (static_cast<double>(rng() % 2001) - 1000) / 1000.0;
          double x = m % 3 == 1 ? std::round(level[m] * 10) / 10 : level[m];
          if (rng() % 200 == 0) x = odd[rng() % 6];
          v = Value::Float64(x);
        }
        batch.push_back(PointRef{"db", names_[m], ts, v});
        if (m == 2 && rng() % 100 == 0) batch.push_back(PointRef{"db", names_[m], ts, v});
      }
      if (batch.size() > 5000) {
        auto r = e.WriteBatch(batch);
        ASSERT_TRUE(r.ok());
        batch.clear();
      }
    }
    ASSERT_TRUE(e.WriteBatch(batch).ok());
    ASSERT_TRUE(e.Flush("db").ok());
  }

  Answer Ask(Engine& e) {
    Answer a;
    std::mt19937_64 rng(99);
    const std::vector<Aggregate> aggs = {Aggregate::kMin,  Aggregate::kMax,       Aggregate::kSum,
                                         Aggregate::kAvg,  Aggregate::kCount,     Aggregate::kFirst,
                                         Aggregate::kLast, Aggregate::kMedian,    Aggregate::kP95,
                                         Aggregate::kP99,  Aggregate::kTrimmedAvg};
    for (const std::string& name : names_) {
      for (int q = 0; q < 6; ++q) {
        Timestamp from = kMinTimestamp, to = kMaxTimestamp;
        uint32_t stride = 1;
        if (q > 0) {
          from = kDay0 + static_cast<Timestamp>(rng() % (3 * 86400)) * kSec;
          to = from + static_cast<Timestamp>(rng() % (2 * 86400)) * kSec;
          stride = 1 + static_cast<uint32_t>(rng() % 7);
        }
        std::vector<Sample> got;
        EXPECT_TRUE(e.ReadRange("db", name, from, to, stride, [&](const Sample& s) {
                       got.push_back(s);
                       return got.size() < 100000;
                     }).ok());
        a.ranges.push_back(std::move(got));
      }
      std::vector<Bucket> buckets;
      EXPECT_TRUE(AggregateRange(e, "db", name, kDay0, kDay0 + 3 * 86400 * kSec, 3600 * kSec, aggs,
                                 &buckets)
                      .ok());
      a.buckets.push_back(std::move(buckets));
      auto info = e.GetMetric("db", name);
      a.last.push_back(info.ok() ? info->last : std::nullopt);
    }
    return a;
  }

  Status Build(Engine& e, RawAction action, bool verify = true) {
    server::EnginePartitions partitions(e);
    MetricFileBuilder builder(partitions);
    BuildOptions opts;
    opts.verify = verify;
    opts.raw_action = action;
    reports_.clear();
    return builder.BuildDatabase("db", opts, &reports_);
  }

  std::filesystem::path root_;
  std::vector<std::string> names_;
  std::vector<BuildReport> reports_;
  MetricFileAccelerator accelerator_;
};

TEST_F(AcceleratedReadsTest, RandomDataAnswersTheSameWithMetricFilesOffOnAndReplacingRaw) {
  for (uint64_t seed : {1, 2}) {
    std::filesystem::remove_all(root_);
    names_.clear();
    Answer raw, kept, deleted, reopened;
    {
      auto e = Open();
      Fill(*e, seed);
      raw = Ask(*e);
      e->SetReadAccelerator(&accelerator_);
      ASSERT_TRUE(Build(*e, RawAction::kKeep).ok());
      ASSERT_EQ(reports_.size(), 3u);
      for (const BuildReport& r : reports_) {
        EXPECT_EQ(r.outcome, "built") << r.partition << ": " << r.detail;
        EXPECT_TRUE(r.verified);
        EXPECT_LT(r.metric_bytes, r.raw_bytes);
      }
      kept = Ask(*e);
      e->SetReadAccelerator(nullptr);
      EXPECT_EQ(Ask(*e), raw) << "raw data kept: readable with the plugin off";
      e->SetReadAccelerator(&accelerator_);
      ASSERT_TRUE(Build(*e, RawAction::kRename).ok());
      EXPECT_EQ(Ask(*e), raw);
      ASSERT_TRUE(Build(*e, RawAction::kDelete).ok());  // nothing left to delete: all renamed
      for (const BuildReport& r : reports_) EXPECT_EQ(r.outcome, "sealed");
      deleted = Ask(*e);
    }
    EXPECT_EQ(kept, raw);
    EXPECT_EQ(deleted, raw);
    for (const auto& entry : std::filesystem::directory_iterator(root_ / "db")) {
      EXPECT_FALSE(entry.path().filename().string().starts_with("data-")) << entry.path();
    }
    {
      // After a restart the last values come back from the metric files.
      auto e = Open();
      e->SetReadAccelerator(&accelerator_);
      reopened = Ask(*e);
    }
    EXPECT_EQ(reopened, raw);
  }
}

TEST_F(AcceleratedReadsTest, AReadStoppedInAMetricFileStaysStopped) {
  auto e = Open();
  for (int day = 0; day < 3; ++day) {
    ASSERT_TRUE(e->Write("db", "a", kDay0 + day * 86400 * kSec, Value::Int64(day)).ok());
  }
  ASSERT_TRUE(e->Flush("db").ok());
  e->SetReadAccelerator(&accelerator_);
  ASSERT_TRUE(Build(*e, RawAction::kKeep).ok());
  for (uint32_t stride : {1u, 2u}) {
    // The first sample, as a rollup finds where a series starts.
    std::vector<Sample> got;
    ASSERT_TRUE(e->ReadRange("db", "a", kMinTimestamp, kMaxTimestamp, stride, [&](const Sample& s) {
                   got.push_back(s);
                   return false;
                 }).ok());
    ASSERT_EQ(got.size(), 1u) << "stride " << stride;
    EXPECT_EQ(got[0].ts, kDay0);
  }
}

TEST_F(AcceleratedReadsTest, AStaleMetricFileIsDeclinedAndTheRawDataRead) {
  auto e = Open();
  ASSERT_TRUE(e->Write("db", "a", kDay0 + kSec, Value::Int64(1)).ok());
  ASSERT_TRUE(e->Write("db", "b", kDay0 + kSec, Value::Int64(1)).ok());
  ASSERT_TRUE(e->Flush("db").ok());
  e->SetReadAccelerator(&accelerator_);
  ASSERT_TRUE(Build(*e, RawAction::kKeep).ok());
  // A late sample for a metric with nothing newer goes to the partition's data file.
  ASSERT_TRUE(e->Write("db", "a", kDay0 + 2 * kSec, Value::Int64(2)).ok());
  ASSERT_TRUE(e->Flush("db").ok());
  std::vector<Sample> got;
  ASSERT_TRUE(e->ReadRange("db", "a", kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
                 got.push_back(s);
                 return true;
               }).ok());
  EXPECT_EQ(got.size(), 2u);
  // Rebuilding brings the file up to date; then the raw data may go.
  ASSERT_TRUE(Build(*e, RawAction::kDelete).ok());
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].outcome, "built");
  EXPECT_EQ(reports_[0].raw_action, "deleted");
  got.clear();
  ASSERT_TRUE(e->ReadRange("db", "a", kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
                 got.push_back(s);
                 return true;
               }).ok());
  EXPECT_EQ(got.size(), 2u);
}

TEST_F(AcceleratedReadsTest, ASealedPartitionRefusesSamplesAndOthersTakeThem) {
  auto e = Open();
  ASSERT_TRUE(e->Write("db", "a", kDay0 + kSec, Value::Int64(1)).ok());
  ASSERT_TRUE(e->Flush("db").ok());
  e->SetReadAccelerator(&accelerator_);
  ASSERT_TRUE(Build(*e, RawAction::kDelete).ok());
  Status st = e->Write("db", "b", kDay0 + 5 * kSec, Value::Int64(1));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("sealed into metric-2026-01-01.ntm"), std::string::npos)
      << st.message();
  EXPECT_TRUE(e->Write("db", "b", kDay0 + 86400 * kSec, Value::Int64(1)).ok());
}

TEST_F(AcceleratedReadsTest, DeleteNeedsVerifyAndAMissingAcceleratorIsReported) {
  auto e = Open();
  ASSERT_TRUE(e->Write("db", "a", kDay0 + kSec, Value::Int64(1)).ok());
  ASSERT_TRUE(e->Flush("db").ok());
  EXPECT_FALSE(Build(*e, RawAction::kDelete, /*verify=*/false).ok());
  EXPECT_TRUE(std::filesystem::exists(root_ / "db" / "data-2026-01-01.dat"));
  ASSERT_TRUE(Build(*e, RawAction::kDelete).ok());
  ReadReport report;
  size_t n = 0;
  ASSERT_TRUE(e->ReadRange(
                   "db", "a", kMinTimestamp, kMaxTimestamp, 1,
                   [&](const Sample&) {
                     ++n;
                     return true;
                   },
                   &report)
                  .ok());
  EXPECT_EQ(n, 0u);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_NE(report.skipped[0].reason.find("[plugins.metricfiles]"), std::string::npos);
}

// A metric file that claims to be built from the data file as it is (same source size) but
// differs by one sample: verify finds it, names the series and the sample, and the raw data
// stays.
TEST_F(AcceleratedReadsTest, VerifyFindsAMetricFileThatDiffersByOneSample) {
  auto e = Open();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(e->Write("db", "a", kDay0 + i * kSec, Value::Int64(i)).ok());
    ASSERT_TRUE(e->Write("db", "b", kDay0 + i * kSec, Value::Float64(i / 4.0)).ok());
  }
  ASSERT_TRUE(e->Flush("db").ok());
  e->SetReadAccelerator(&accelerator_);
  ASSERT_TRUE(Build(*e, RawAction::kKeep).ok());
  const auto path = root_ / "db" / "metric-2026-01-01.ntm";
  auto good = MetricFileReader::OpenPath(path.string());
  ASSERT_TRUE(good.ok());
  std::vector<SeriesInput> series;
  for (const SeriesEntry& s : (*good)->series()) {
    SeriesInput in{s.id, s.type, s.name, {}};
    ASSERT_TRUE((*good)->ReadAll(s.id, &in.samples).ok());
    series.push_back(std::move(in));
  }
  ASSERT_EQ(series.size(), 2u);
  series[1].samples[57].bits = std::bit_cast<uint64_t>(57.5 / 4);
  auto bad = EncodeMetricFile(series, (*good)->source());
  ASSERT_TRUE(bad.ok());
  good->reset();
  std::ofstream(path, std::ios::binary | std::ios::trunc) << *bad;

  Status st = Build(*e, RawAction::kDelete);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("series 2 (b) differs at sample 57"), std::string::npos)
      << st.message();
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].outcome, "failed");
  EXPECT_FALSE(reports_[0].verified);
  EXPECT_TRUE(std::filesystem::exists(root_ / "db" / "data-2026-01-01.dat"));
}

TEST_F(AcceleratedReadsTest, RetentionRemovesMetricFiles) {
  {
    auto e = Open();
    ASSERT_TRUE(e->Write("db", "a", kDay0 + kSec, Value::Int64(1)).ok());
    ASSERT_TRUE(e->Write("db", "b", kDay0 + kSec, Value::Int64(1)).ok());
    ASSERT_TRUE(e->Flush("db").ok());
    e->SetReadAccelerator(&accelerator_);
    ASSERT_TRUE(Build(*e, RawAction::kRename).ok());
  }
  std::string manifest;
  {
    std::ifstream in(root_ / "db" / "manifest.toml");
    manifest.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = manifest.find("retention_action = \"keep\"");
  ASSERT_NE(at, std::string::npos);
  manifest.replace(at, std::string("retention_action = \"keep\"").size(),
                   "retention_action = \"delete\"");
  std::ofstream(root_ / "db" / "manifest.toml") << manifest;
  auto e = Open();
  ASSERT_TRUE(e->Maintain().ok());
  EXPECT_FALSE(std::filesystem::exists(root_ / "db" / "metric-2026-01-01.ntm"));
  EXPECT_FALSE(std::filesystem::exists(root_ / "db" / "raw-2026-01-01.dat"));
}

}  // namespace
}  // namespace nanotdb::metricfiles
