#include <gtest/gtest.h>

#include <filesystem>

#include "nanotdb/query.h"

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

TEST_F(AggregateTest, BucketsAlignToTheEpochAndStampTheClippedEnd) {
  std::vector<Bucket> out;
  Timestamp to = kMinuteAligned + 55 * kSecond;
  ASSERT_TRUE(
      AggregateRange(*engine_, "db", "m", kMinuteAligned, to, 30 * kSecond, {Aggregate::kAvg}, &out)
          .ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_DOUBLE_EQ(out[0].values[0], 1.5);
  EXPECT_EQ(out[0].end, kMinuteAligned + 30 * kSecond);
  EXPECT_DOUBLE_EQ(out[1].values[0], 3.5);
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
  EXPECT_EQ(ParseAggregateList("avg,p99", &aggs).message(),
            "unsupported aggregate \"p99\" (supported: avg,count,first,last,max,min,sum)");
  EXPECT_EQ(ParseAggregateList(" , ", &aggs).message(),
            "at least one aggregate is required (supported: avg,count,first,last,max,min,sum)");
}

}  // namespace
}  // namespace nanotdb
