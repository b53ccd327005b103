// RollupReader over a real storage engine: answers from rollups (and cascades) equal answers
// from raw data on generated data with gaps, the not yet rolled up tail is stitched from raw
// samples without a gap or a doubled bucket, and queries no rollup can answer exactly are left
// to raw data.
#include "rollup_reader.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "nanotdb/query.h"
#include "nanotdb/stale_marker.h"
#include "nanotdb/time_util.h"
#include "roller.h"
#include "server/core_services.h"
#include "server/plugin_files.h"

namespace nanotdb::rollup {
namespace {

namespace fs = std::filesystem;

constexpr Timestamp kBase = 1'767'225'600 * kSecond;  // 2026-01-01 00:00:00 UTC

constexpr std::string_view kHourly = R"([rollups]
enabled = true
default_grace = "1m"

[[rollups.jobs]]
id = "all_1h"
source_pattern = "*"
interval = "1h"
aggregates = ["min", "max", "avg", "sum", "count", "first", "last", "p95"]
destination_db = "src_1h"
)";

// The exact cascade: each daily output is the raw aggregate of the day.
constexpr std::string_view kDaily = R"([rollups]
enabled = true
default_interval = "24h"
default_destination_db = "src_1d"
default_grace = "1m"

[[rollups.jobs]]
id = "min_1d"
source_pattern = "*.min"
aggregates = ["min"]

[[rollups.jobs]]
id = "max_1d"
source_pattern = "*.max"
aggregates = ["max"]

[[rollups.jobs]]
id = "sum_1d"
source_pattern = "*.sum"
aggregates = ["sum"]

[[rollups.jobs]]
id = "count_1d"
source_pattern = "*.count"
aggregates = ["sum"]

[[rollups.jobs]]
id = "avg_1d"
source_pattern = "*.avg"
aggregates = ["avg"]
)";

class RollupReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nanotdb-reader-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    EngineOptions o;
    o.root = root_.string();
    o.max_future = 1000 * kDay;  // the generated data lies in 2026
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    query_ = std::make_unique<server::EngineQuery>(*engine_, counters_);
    writer_ = std::make_unique<server::EngineWriter>(*engine_, counters_);
    databases_ = std::make_unique<server::EngineDatabases>(*engine_, ManifestSettings{});
    files_ = std::make_unique<server::PluginFiles>(Env::Default(), root_.string(), "rollup");
    RollupServices s;
    s.query = query_.get();
    s.writer = writer_.get();
    s.databases = databases_.get();
    s.files = files_.get();
    s.now = [this] { return now_; };
    roller_ = std::make_unique<Roller>(std::move(s));
    reader_ = std::make_unique<RollupReader>(*query_, *databases_);
  }
  void TearDown() override {
    reader_.reset();
    roller_.reset();
    engine_.reset();
    fs::remove_all(root_);
  }
  void AppendManifest(std::string_view db, std::string_view text) {
    std::ofstream(root_ / db / "manifest.toml", std::ios::app) << "\n" << text;
  }
  // 10 s samples of a noisy signal over [from, to) with gaps: a missing hour, missing minutes,
  // a sparser stretch; values are random so that min/max/first/last differ per period.
  void Generate(std::string_view metric, Timestamp from, Timestamp to) {
    for (Timestamp t = from; t < to; t += 10 * kSecond) {
      const int64_t minute = (t - kBase) / kMinute;
      if (minute >= 5 * 60 && minute < 6 * 60) continue;  // hour 5 missing
      if (minute % 97 >= 90) continue;                    // 7 minutes missing every 97
      if (minute >= 30 * 60 && minute < 34 * 60 && ((t / kSecond) % 60) != 0) continue;  // sparse
      const double v = std::round(dist_(rng_) * 1000) / 100;
      ASSERT_TRUE(engine_->Write("src", metric, t, Value::Float64(v)).ok());
    }
  }
  std::vector<Bucket> Raw(std::string_view series, Timestamp from, Timestamp to, int64_t window,
                          const std::vector<Aggregate>& aggs) {
    std::vector<Bucket> out;
    Status st = nanotdb::AggregateRange(*engine_, "src", series, from, to, window, aggs, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  std::vector<Bucket> FromRollups(std::string_view series, Timestamp from, Timestamp to,
                                  int64_t window, const std::vector<Aggregate>& aggs,
                                  RollupReadInfo* info) {
    std::vector<Bucket> out;
    Status st = reader_->AggregateRange("src", series, from, to, window, aggs, &out, nullptr, info);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  // Same buckets (stamps, ends, counts) and values within float tolerance.
  static void ExpectSame(const std::vector<Bucket>& want, const std::vector<Bucket>& got,
                         const std::string& what) {
    ASSERT_EQ(want.size(), got.size()) << what;
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(want[i].start, got[i].start) << what << " bucket " << i;
      ASSERT_EQ(want[i].end, got[i].end) << what << " bucket " << i;
      ASSERT_EQ(want[i].count, got[i].count) << what << " bucket " << i;
      ASSERT_EQ(want[i].values.size(), got[i].values.size());
      for (size_t a = 0; a < want[i].values.size(); ++a) {
        const double w = want[i].values[a], g = got[i].values[a];
        ASSERT_NEAR(w, g, 1e-9 * std::max(1.0, std::abs(w)))
            << what << " bucket " << i << " aggregate " << a;
      }
    }
  }

  fs::path root_;
  server::CoreCounters counters_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<server::EngineQuery> query_;
  std::unique_ptr<server::EngineWriter> writer_;
  std::unique_ptr<server::EngineDatabases> databases_;
  std::unique_ptr<server::PluginFiles> files_;
  std::unique_ptr<Roller> roller_;
  std::unique_ptr<RollupReader> reader_;
  Timestamp now_ = kBase;
  std::mt19937_64 rng_{42};
  std::uniform_real_distribution<double> dist_{-50, 50};
};

const std::vector<Aggregate> kFive = {Aggregate::kAvg, Aggregate::kMin, Aggregate::kMax,
                                      Aggregate::kSum, Aggregate::kCount};

TEST_F(RollupReaderTest, AnswersEqualRawDataForEveryWindowMultipleAndRange) {
  const Timestamp end = kBase + 3 * kDay + 5 * kHour + 17 * kMinute;  // mid-hour, mid-day
  Generate("room.temp", kBase, end);
  AppendManifest("src", kHourly);
  now_ = end;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  AppendManifest("src_1h", kDaily);
  ASSERT_TRUE(roller_->RunOnce().errors.empty());

  struct Case {
    Timestamp from, to;
    int64_t window;
  };
  const Case cases[] = {
      {kBase, end, kHour},
      {kBase + 7 * kMinute + 3 * kSecond, end, 3 * kHour},  // cut first hour
      {kBase + 2 * kHour + 1, end - 1, kDay},               // cut at both ends
      {kBase, kMaxTimestamp, 2 * kDay},
      {kMinTimestamp, kMaxTimestamp, kDay},
      {kBase + 26 * kHour, kBase + 50 * kHour - 1, 6 * kHour},
  };
  for (const Case& c : cases) {
    const std::string what =
        "window " + FormatDuration(c.window) + " from " + FormatTimestamp(c.from);
    RollupReadInfo info;
    std::vector<Bucket> got = FromRollups("room.temp", c.from, c.to, c.window, kFive, &info);
    ASSERT_TRUE(info.used) << what << ": " << info.reason;
    ExpectSame(Raw("room.temp", c.from, c.to, c.window, kFive), got, what);
    for (Aggregate a : {Aggregate::kFirst, Aggregate::kLast}) {
      got = FromRollups("room.temp", c.from, c.to, c.window, {a}, &info);
      ASSERT_TRUE(info.used) << what;
      ExpectSame(Raw("room.temp", c.from, c.to, c.window, {a}), got, what + " first/last");
    }
  }

  // A daily window reads the daily cascade for the whole days, hours around them, raw at the
  // cut edges and after the last complete hour.
  RollupReadInfo info;
  FromRollups("room.temp", kBase + 2 * kHour + 1, end, kDay, kFive, &info);
  ASSERT_EQ(info.levels.size(), 2u);
  EXPECT_EQ(info.levels[0].db, "src_1d");
  EXPECT_EQ(info.levels[0].interval, kDay);
  EXPECT_EQ(info.levels[0].series,
            (std::vector<std::string>{"room.temp.sum.sum", "room.temp.count.sum",
                                      "room.temp.min.min", "room.temp.max.max"}));
  EXPECT_EQ(info.levels[0].from, kBase + kDay);
  EXPECT_EQ(info.levels[0].to, kBase + 3 * kDay);
  EXPECT_EQ(info.levels[1].db, "src_1h");
  EXPECT_EQ(info.levels[1].from, kBase + 3 * kHour);
  EXPECT_EQ(info.levels[1].to, kBase + 3 * kDay + 5 * kHour);
  EXPECT_EQ(info.raw_tail_from, kBase + 3 * kDay + 5 * kHour);
}

// The cascade declared in the source manifest (source_job): its daily outputs carry the
// hourly job's names and are the raw aggregates of each day, so daily windows read them.
TEST_F(RollupReaderTest, ACascadeInTheSourceManifestAnswersDailyWindowsLikeRawData) {
  const Timestamp end = kBase + 3 * kDay + 5 * kHour + 17 * kMinute;
  Generate("room.temp", kBase, end);
  AppendManifest("src", std::string(kHourly) +
                            "[[rollups.jobs]]\nid = \"all_1d\"\nsource_job = \"all_1h\"\n"
                            "interval = \"1d\"\ndestination_db = \"src_1d\"\n");
  now_ = end;
  PassStats stats = roller_->RunOnce();
  ASSERT_TRUE(stats.errors.empty()) << stats.errors.front();
  // Every aggregate of the hourly job that composes exactly (p95 does not), per day.
  const std::vector<Aggregate> daily = {Aggregate::kMin, Aggregate::kMax,   Aggregate::kAvg,
                                        Aggregate::kSum, Aggregate::kCount, Aggregate::kFirst,
                                        Aggregate::kLast};
  const std::vector<Bucket> want = Raw("room.temp", kBase, kBase + 3 * kDay - 1, kDay, daily);
  ASSERT_EQ(want.size(), 3u);
  for (size_t a = 0; a < daily.size(); ++a) {
    const std::string name = std::string("room.temp.") + AggregateName(daily[a]);
    std::vector<Bucket> got;
    ASSERT_TRUE(nanotdb::AggregateRange(*engine_, "src_1d", name, kMinTimestamp, kMaxTimestamp,
                                        kDay, {Aggregate::kLast}, &got)
                    .ok());
    ASSERT_EQ(got.size(), 3u) << name;
    for (size_t d = 0; d < 3; ++d) {
      EXPECT_EQ(got[d].start, want[d].start) << name;
      EXPECT_NEAR(got[d].values[0], want[d].values[a],
                  1e-9 * std::max(1.0, std::abs(want[d].values[a])))
          << name << " day " << d;
    }
  }
  EXPECT_FALSE(engine_->DatabaseExists("src_1d") &&
               engine_->GetMetric("src_1d", "room.temp.p95").ok());

  for (int64_t window : {kDay, 2 * kDay}) {
    RollupReadInfo info;
    std::vector<Bucket> got =
        FromRollups("room.temp", kBase + 2 * kHour + 1, end, window, kFive, &info);
    ASSERT_TRUE(info.used) << info.reason;
    ExpectSame(Raw("room.temp", kBase + 2 * kHour + 1, end, window, kFive), got,
               "window " + FormatDuration(window));
    ASSERT_EQ(info.levels.size(), 2u);
    EXPECT_EQ(info.levels[0].db, "src_1d");
    EXPECT_EQ(info.levels[0].series, (std::vector<std::string>{"room.temp.sum", "room.temp.count",
                                                               "room.temp.min", "room.temp.max"}));
    EXPECT_EQ(info.levels[1].db, "src_1h");
  }
  // A second pass writes nothing more.
  EXPECT_EQ(roller_->RunOnce().points_written, 0u);
}

TEST_F(RollupReaderTest, RecentTailIsStitchedFromRawWithoutGapOrDoubleBucket) {
  Generate("room.temp", kBase, kBase + 10 * kHour);
  AppendManifest("src", kHourly);
  now_ = kBase + 10 * kHour + 2 * kMinute;  // [9h, 10h) complete after its grace
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  // Written after the last pass: not rolled up yet.
  Generate("room.temp", kBase + 10 * kHour, kBase + 13 * kHour + 20 * kMinute);
  RollupReadInfo info;
  const Timestamp to = kBase + 14 * kHour;
  std::vector<Bucket> got = FromRollups("room.temp", kBase, to, kHour, kFive, &info);
  ASSERT_TRUE(info.used) << info.reason;
  EXPECT_EQ(info.raw_tail_from, kBase + 10 * kHour);
  ExpectSame(Raw("room.temp", kBase, to, kHour, kFive), got, "1h");
  for (size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1].start, got[i].start);
  EXPECT_EQ(got.back().start, kBase + 13 * kHour);  // the open hour, from raw samples
  // A 2h window has a bucket half from the rollup, half raw ([10h, 12h) is raw, [8h, 10h) not).
  got = FromRollups("room.temp", kBase, to, 2 * kHour, kFive, &info);
  ExpectSame(Raw("room.temp", kBase, to, 2 * kHour, kFive), got, "2h");
  // The next pass moves the stitch point; the answer stays the same.
  now_ = kBase + 13 * kHour + 20 * kMinute;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  got = FromRollups("room.temp", kBase, to, kHour, kFive, &info);
  EXPECT_EQ(info.raw_tail_from, kBase + 13 * kHour);
  ExpectSame(Raw("room.temp", kBase, to, kHour, kFive), got, "1h after the pass");
}

// Prometheus stale markers (remote write) are no values: the roller leaves them out of the
// rollups and the raw tail leaves them out, so rollup answers equal the core's raw aggregates
// (which skip them too), and an hour holding only markers is no bucket in either.
TEST_F(RollupReaderTest, StaleMarkersAreLeftOutOfRollupsAndRawTailsAlike) {
  const double stale = std::bit_cast<double>(kStaleMarkerBits);
  uint64_t values = 0;
  for (Timestamp t = kBase; t < kBase + 4 * kHour; t += 10 * kSecond) {
    const int64_t i = (t - kBase) / (10 * kSecond);
    const bool marker = i % 7 == 3 || (t >= kBase + 2 * kHour && t < kBase + 3 * kHour);
    values += marker ? 0 : 1;
    ASSERT_TRUE(
        engine_->Write("src", "room.temp", t, Value::Float64(marker ? stale : i % 50)).ok());
  }
  AppendManifest("src", kHourly);
  now_ = kBase + 3 * kHour + 2 * kMinute;  // hours 0-2 rolled up, hour 2 writing nothing
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  EXPECT_EQ(engine_->GetMetric("src_1h", "room.temp.count")->last->ts, kBase + kHour);
  RollupReadInfo info;
  const Timestamp to = kBase + 4 * kHour;
  std::vector<Bucket> got = FromRollups("room.temp", kBase, to, kHour, kFive, &info);
  ASSERT_TRUE(info.used) << info.reason;
  // Coverage ends with the rollup's last period: hours 2 (markers only) and 3 are read raw.
  EXPECT_EQ(info.raw_tail_from, kBase + 2 * kHour);
  ExpectSame(Raw("room.temp", kBase, to, kHour, kFive), got, "1h");
  ASSERT_EQ(got.size(), 3u);  // hours 0, 1 and 3
  EXPECT_EQ(got[2].start, kBase + 3 * kHour);
  uint64_t counted = 0;
  for (const Bucket& b : got) {
    counted += b.count;
    for (double v : b.values) EXPECT_FALSE(std::isnan(v)) << "bucket " << b.start;
  }
  EXPECT_EQ(counted, values);
}

TEST_F(RollupReaderTest, QuantilesAreReadOnlyWhenTheWindowIsOnePeriod) {
  Generate("room.temp", kBase, kBase + 6 * kHour);
  AppendManifest("src", kHourly);
  now_ = kBase + 7 * kHour;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  RollupReadInfo info;
  std::vector<Bucket> got =
      FromRollups("room.temp", kBase, kBase + 6 * kHour, kHour, {Aggregate::kP95}, &info);
  ASSERT_TRUE(info.used);
  ExpectSame(Raw("room.temp", kBase, kBase + 6 * kHour, kHour, {Aggregate::kP95}), got, "p95");
  got = FromRollups("room.temp", kBase, kBase + 6 * kHour, 2 * kHour, {Aggregate::kP95}, &info);
  EXPECT_FALSE(info.used);
  EXPECT_TRUE(got.empty());
  // Median is not rolled up at all.
  FromRollups("room.temp", kBase, kBase + 6 * kHour, kHour, {Aggregate::kMedian}, &info);
  EXPECT_FALSE(info.used);
}

TEST_F(RollupReaderTest, NoRollupAnswersWindowsThatAreNotMultiplesOrSeriesWithoutJobs) {
  Generate("room.temp", kBase, kBase + 6 * kHour);
  AppendManifest("src", kHourly);
  now_ = kBase + 7 * kHour;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  RollupReadInfo info;
  FromRollups("room.temp", kBase, kBase + 6 * kHour, 90 * kMinute, kFive, &info);
  EXPECT_FALSE(info.used);
  FromRollups("room.temp", kBase, kBase + 6 * kHour, 30 * kMinute, kFive, &info);
  EXPECT_FALSE(info.used);
  FromRollups("nope", kBase, kBase + 6 * kHour, kHour, kFive, &info);
  EXPECT_FALSE(info.used);
  // A range holding no whole rolled-up period reads raw data.
  FromRollups("room.temp", kBase + 10 * kMinute, kBase + 50 * kMinute, kHour, kFive, &info);
  EXPECT_FALSE(info.used);
  // The avg of hourly avgs is not a raw average: a cascade of avg alone is not used.
  const std::string avg_only = R"([rollups]
enabled = true
[[rollups.jobs]]
id = "avg_1d"
source_pattern = "*.avg"
interval = "24h"
aggregates = ["avg", "min"]
destination_db = "src_1d"
)";
  AppendManifest("src_1h", avg_only);
  std::vector<RollupLevel> levels = reader_->Levels("src", "room.temp");
  ASSERT_EQ(levels.size(), 1u);
  EXPECT_EQ(levels[0].db, "src_1h");
}

}  // namespace
}  // namespace nanotdb::rollup
