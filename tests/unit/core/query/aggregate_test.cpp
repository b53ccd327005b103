#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>

#include "nanotdb/query.h"
#include "nanotdb/stale_marker.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;
constexpr Timestamp kMinuteAligned = 1'780'000'020'000'000'000;  // a multiple of 60 s

class AggregateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nanotdb-agg-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    EngineOptions o;
    o.root = root_.string();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    // SPEC §4.3 worked example: +5 s = 1, +20 s = 2, +35 s = 3, +50 s = 4.
    for (auto [off, v] : {std::pair{5, 1.0f}, {20, 2.0f}, {35, 3.0f}, {50, 4.0f}}) {
      ASSERT_TRUE(
          engine_->Write("db", "m", kMinuteAligned + off * kSecond, Value::Float64(v)).ok());
    }
    ASSERT_TRUE(engine_->Write("db", "n", kMinuteAligned, Value::Int64(-7)).ok());
  }
  void TearDown() override {
    engine_.reset();
    fs::remove_all(root_);
  }
  fs::path root_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(AggregateTest, BucketsAlignToTheEpochAndAreClippedToTheRange) {
  std::vector<Bucket> out;
  Timestamp to = kMinuteAligned + 55 * kSecond;
  ASSERT_TRUE(
      AggregateRange(*engine_, "db", "m", kMinuteAligned, to, 30 * kSecond, {Aggregate::kAvg}, &out)
          .ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_DOUBLE_EQ(out[0].values[0], 1.5);
  EXPECT_EQ(out[0].start, kMinuteAligned);
  EXPECT_EQ(out[0].end, kMinuteAligned + 30 * kSecond);
  EXPECT_DOUBLE_EQ(out[1].values[0], 3.5);
  EXPECT_EQ(out[1].start, kMinuteAligned + 30 * kSecond);
  EXPECT_EQ(out[1].end, to);

  // Shifting the start by 10 s does not move the buckets, it only clips the first.
  ASSERT_TRUE(AggregateRange(*engine_, "db", "m", kMinuteAligned + 10 * kSecond, to, 30 * kSecond,
                             {Aggregate::kAvg}, &out)
                  .ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_DOUBLE_EQ(out[0].values[0], 2.0);
  EXPECT_EQ(out[0].start, kMinuteAligned + 10 * kSecond);
  EXPECT_DOUBLE_EQ(out[1].values[0], 3.5);
}

TEST_F(AggregateTest, EveryAggregateInOnePass) {
  std::vector<Aggregate> aggs;
  ASSERT_TRUE(ParseAggregateList("min,max,sum,avg,count,first,last", &aggs).ok());
  std::vector<Bucket> out;
  ASSERT_TRUE(
      AggregateRange(*engine_, "db", "m", kMinuteAligned, kMaxTimestamp, kMinute, aggs, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].values, (std::vector<double>{1, 4, 10, 2.5, 4, 1, 4}));
  EXPECT_EQ(out[0].count, 4u);
  ASSERT_TRUE(
      AggregateRange(*engine_, "db", "n", kMinTimestamp, kMaxTimestamp, kMinute, aggs, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].values[0], -7);
}

TEST_F(AggregateTest, OrderStatisticsOverABucket) {
  // One minute of 21 samples, written out of value order: 0, 10, 20, ..., 190 and one 1000.
  const double values[] = {50,  10,  0,   1000, 30,  20,  40,  60,  70,  80, 90,
                           100, 110, 120, 130,  140, 150, 160, 170, 180, 190};
  Timestamp t = kMinuteAligned + 10 * kMinute;
  for (double v : values) {
    ASSERT_TRUE(engine_->Write("db", "o", t, Value::Float64(v)).ok());
    t += kSecond;
  }
  std::vector<Aggregate> aggs;
  ASSERT_TRUE(ParseAggregateList("median,p50,p95,p99,trimmed_avg,trimmed_average,avg", &aggs).ok());
  ASSERT_EQ(aggs.size(), 5u);  // the aliases are the same aggregates
  std::vector<Bucket> out;
  ASSERT_TRUE(
      AggregateRange(*engine_, "db", "o", kMinTimestamp, kMaxTimestamp, kMinute, aggs, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].count, 21u);
  // Sorted: 0, 10, ..., 190, 1000. Median: rank 10 = 100.
  EXPECT_DOUBLE_EQ(out[0].values[0], 100);
  // p95: rank 20 * 0.95 = 19, the value 190. p99: rank 19.8 = 190 + 0.8 * (1000 - 190) = 838.
  EXPECT_DOUBLE_EQ(out[0].values[1], 190);
  EXPECT_NEAR(out[0].values[2], 838, 1e-9);
  // trimmed_avg: n = 21 drops max(1, 21/20) = 1 per tail: mean of 10..190 = 100.
  EXPECT_DOUBLE_EQ(out[0].values[3], 100);
  EXPECT_DOUBLE_EQ(out[0].values[4], (1900.0 + 1000) / 21);
}

// Prometheus stale markers end a series; they are no values: buckets leave them out (a bucket
// of markers alone is no bucket), as PromQL does. Other NaNs are values.
TEST_F(AggregateTest, StaleMarkersAreSkippedAndOtherNaNsAreValues) {
  const double stale = std::bit_cast<double>(kStaleMarkerBits);
  const Timestamp t = kMinuteAligned + 20 * kMinute;
  for (auto [off, v] : {std::pair{0, 1.0}, {10, stale}, {20, 3.0}, {70, stale}}) {
    ASSERT_TRUE(engine_->Write("db", "s", t + off * kSecond, Value::Float64(v)).ok());
  }
  std::vector<Aggregate> aggs;
  ASSERT_TRUE(ParseAggregateList("min,max,sum,avg,count,first,last,median", &aggs).ok());
  std::vector<Bucket> out;
  ASSERT_TRUE(
      AggregateRange(*engine_, "db", "s", kMinTimestamp, kMaxTimestamp, kMinute, aggs, &out).ok());
  ASSERT_EQ(out.size(), 1u) << "the minute holding only a marker gave a bucket";
  EXPECT_EQ(out[0].count, 2u);
  EXPECT_EQ(out[0].values, (std::vector<double>{1, 3, 4, 2, 2, 1, 3, 2}));

  ASSERT_TRUE(engine_->Write("db", "s", t + 80 * kSecond, Value::Float64(std::nan(""))).ok());
  ASSERT_TRUE(engine_->Write("db", "s", t + 90 * kSecond, Value::Float64(5)).ok());
  ASSERT_TRUE(AggregateRange(*engine_, "db", "s", t + kMinute, kMaxTimestamp, kMinute,
                             {Aggregate::kCount, Aggregate::kSum}, &out)
                  .ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].values[0], 2);  // the NaN and the 5, not the marker
  EXPECT_TRUE(std::isnan(out[0].values[1]));
  EXPECT_TRUE(IsStaleMarker(ValueType::kFloat64, kStaleMarkerBits));
  EXPECT_FALSE(IsStaleMarker(ValueType::kInt64, kStaleMarkerBits));
}

TEST(ComputeAggregateTest, SmallAndLargeCountsFollowTheDocumentedRules) {
  std::vector<double> one = {7};
  EXPECT_EQ(ComputeAggregate(Aggregate::kP99, one), 7);
  EXPECT_EQ(ComputeAggregate(Aggregate::kTrimmedAvg, one), 7);
  std::vector<double> two = {1, 4};
  EXPECT_EQ(ComputeAggregate(Aggregate::kMedian, two), 2.5);
  EXPECT_EQ(ComputeAggregate(Aggregate::kTrimmedAvg, two), 2.5);  // n <= 2: nothing dropped
  std::vector<double> three = {9, 1, 2};
  EXPECT_EQ(ComputeAggregate(Aggregate::kTrimmedAvg, three), 2);  // drops 1 and 9
  // 100 values 1..100: 5 dropped per tail, the mean of 6..95 is 50.5; p95 at rank 94.05.
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  std::vector<double> copy = hundred;
  EXPECT_DOUBLE_EQ(ComputeAggregate(Aggregate::kTrimmedAvg, copy), 50.5);
  copy = hundred;
  EXPECT_DOUBLE_EQ(ComputeAggregate(Aggregate::kP95, copy), 95.05);
  // first/last follow the given (time) order.
  copy = hundred;
  EXPECT_EQ(ComputeAggregate(Aggregate::kFirst, copy), 100);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(ComputeAggregate(Aggregate::kMedian, none)));
}

TEST_F(AggregateTest, BadRequestsNameTheProblem) {
  std::vector<Bucket> out;
  EXPECT_EQ(AggregateRange(*engine_, "db", "m", 0, 10, 0, {Aggregate::kAvg}, &out).message(),
            "window must be a positive duration");
  EXPECT_EQ(AggregateRange(*engine_, "db", "m", 10, 0, 5, {Aggregate::kAvg}, &out).message(),
            "end must be >= start");
  EXPECT_TRUE(AggregateRange(*engine_, "db", "zz", 0, 10, 5, {Aggregate::kAvg}, &out).IsNotFound());
}

TEST(ParseAggregateListTest, DeduplicatesAndKeepsOrder) {
  std::vector<Aggregate> aggs;
  ASSERT_TRUE(ParseAggregateList("max, min,max", &aggs).ok());
  EXPECT_EQ(aggs, (std::vector<Aggregate>{Aggregate::kMax, Aggregate::kMin}));
}

TEST(ParseAggregateListTest, UnknownAndEmptyAreRefused) {
  std::vector<Aggregate> aggs;
  const std::string supported =
      "avg,count,first,last,max,median,min,p50,p95,p99,sum,trimmed_average,trimmed_avg";
  EXPECT_EQ(ParseAggregateList("avg,p90", &aggs).message(),
            "unsupported aggregate \"p90\" (supported: " + supported + ")");
  EXPECT_EQ(ParseAggregateList(" , ", &aggs).message(),
            "at least one aggregate is required (supported: " + supported + ")");
  EXPECT_EQ(SupportedAggregateNames().size(), 13u);
  EXPECT_STREQ(AggregateName(Aggregate::kMedian), "median");
  EXPECT_STREQ(AggregateName(Aggregate::kTrimmedAvg), "trimmed_avg");
}

}  // namespace
}  // namespace nanotdb
