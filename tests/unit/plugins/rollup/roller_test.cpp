// The Roller over a real storage engine and the core's services, with a settable clock.
#include "roller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "retention_hold.h"
#include "server/core_services.h"
#include "server/plugin_files.h"

namespace nanotdb::rollup {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr Timestamp kBase = 1'767'225'600 * kSecond;  // 2026-01-01 00:00:00 UTC

class RollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nanotdb-roller-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    Open();
  }
  void TearDown() override {
    Close();
    fs::remove_all(root_);
  }
  void Open() {
    EngineOptions o;
    o.root = root_.string();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    query_ = std::make_unique<server::EngineQuery>(*engine_, counters_);
    limit_ = std::make_unique<server::DatabaseLimit>(*engine_, max_databases_);
    writer_ = std::make_unique<server::EngineWriter>(*engine_, counters_, limit_.get());
    databases_ =
        std::make_unique<server::EngineDatabases>(*engine_, ManifestSettings{}, limit_.get());
    files_ = std::make_unique<server::PluginFiles>(Env::Default(), root_.string(), "rollup");
    RollupServices s{query_.get(), writer_.get(), databases_.get(), files_.get()};
    s.log = [this](LogLevel, std::string_view m) { log_.emplace_back(m); };
    s.now = [this] { return now_; };
    roller_ = std::make_unique<Roller>(std::move(s));
  }
  void Close() {
    roller_.reset();
    engine_.reset();
  }
  // Simulates a crash: the engine goes away without flushing its open pages.
  void Write(std::string_view db, std::string_view metric, Timestamp ts, double v) {
    ASSERT_TRUE(engine_->Write(db, metric, ts, Value::Float64(v)).ok());
  }
  void AppendManifest(std::string_view db, std::string_view text) {
    std::ofstream(root_ / db / "manifest.toml", std::ios::app) << "\n" << text;
  }
  // "ts=value" of every sample of db/metric, stamps in seconds after kBase.
  std::vector<std::string> Samples(std::string_view db, std::string_view metric) {
    std::vector<std::string> out;
    Status st =
        engine_->ReadRange(db, metric, kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%lld=%g",
                        static_cast<long long>((s.ts - kBase) / kSecond),
                        Value{ValueType::kFloat64, s.bits}.AsDouble());
          out.emplace_back(buf);
          return true;
        });
    EXPECT_TRUE(st.ok() || st.IsNotFound()) << st.ToString();
    return out;
  }
  std::string Checkpoint(std::string_view db) {
    auto text = files_->Read(std::string(db) + "/rollup.checkpoints.log");
    return text.ok() ? *text : "";
  }

  // 10 s samples 0, 1, 2, ... from kBase for `minutes`.
  void WriteRamp(std::string_view db, std::string_view metric, int minutes) {
    for (int i = 0; i < minutes * 6; ++i) Write(db, metric, kBase + i * 10 * kSecond, i);
  }

  fs::path root_;
  server::CoreCounters counters_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<server::EngineQuery> query_;
  size_t max_databases_ = 0;  // [storage] max_databases of the next Open()
  std::unique_ptr<server::DatabaseLimit> limit_;
  std::unique_ptr<server::EngineWriter> writer_;
  std::unique_ptr<server::EngineDatabases> databases_;
  std::unique_ptr<server::PluginFiles> files_;
  std::unique_ptr<Roller> roller_;
  std::vector<std::string> log_;
  Timestamp now_ = kBase;
};

constexpr std::string_view kTenMinuteJobs = R"([rollups]
enabled = true
default_interval = "10m"
default_grace = "1m"
default_destination_db = "src_10m"

[[rollups.jobs]]
id = "ramp"
source_metric = "ramp"
aggregates = ["min", "max", "sum", "count", "median", "p95", "trimmed_avg"]

[[rollups.jobs]]
id = "cpus"
source_pattern = "cpu"
aggregates = ["max"]
)";

TEST_F(RollerTest, LiveDataIsRolledUpPeriodByPeriodWithoutAPartitionFlush) {
  WriteRamp("src", "ramp", 25);  // samples 0..149 over 25 minutes, all in the open page
  AppendManifest("src", kTenMinuteJobs);
  now_ = kBase + 25 * kMinute;
  PassStats stats = roller_->RunOnce();
  EXPECT_TRUE(stats.errors.empty()) << stats.errors.front();
  // Periods [0,10m) and [10m,20m) are complete (the ramp has samples after 20m); [20m,30m) not.
  // Period 0 holds 0..59: min 0, max 59, sum 1770, median 29.5, p95 rank 56.05 = 56.05,
  // trimmed_avg drops max(1, 60/20) = 3 per tail: mean of 3..56 = 29.5.
  EXPECT_EQ(Samples("src_10m", "ramp.min"), (std::vector<std::string>{"0=0", "600=60"}));
  EXPECT_EQ(Samples("src_10m", "ramp.max"), (std::vector<std::string>{"0=59", "600=119"}));
  EXPECT_EQ(Samples("src_10m", "ramp.sum"), (std::vector<std::string>{"0=1770", "600=5370"}));
  EXPECT_EQ(Samples("src_10m", "ramp.count"), (std::vector<std::string>{"0=60", "600=60"}));
  EXPECT_EQ(Samples("src_10m", "ramp.median"), (std::vector<std::string>{"0=29.5", "600=89.5"}));
  EXPECT_EQ(Samples("src_10m", "ramp.p95"), (std::vector<std::string>{"0=56.05", "600=116.05"}));
  EXPECT_EQ(Samples("src_10m", "ramp.trimmed_avg"),
            (std::vector<std::string>{"0=29.5", "600=89.5"}));
  EXPECT_EQ(Checkpoint("src"), "ramp," + std::to_string(kBase + 20 * kMinute) + "\n");

  // More live data: the third period completes; nothing is written twice.
  for (int i = 150; i < 200; ++i) Write("src", "ramp", kBase + i * 10 * kSecond, i);
  now_ = kBase + 34 * kMinute;
  stats = roller_->RunOnce();
  EXPECT_TRUE(stats.errors.empty());
  EXPECT_EQ(Samples("src_10m", "ramp.count"),
            (std::vector<std::string>{"0=60", "600=60", "1200=60"}));
  // A pass with nothing new writes nothing.
  stats = roller_->RunOnce();
  EXPECT_EQ(stats.points_written, 0u);

  // The destination was created with a rollup-tuned manifest.
  Result<ManifestSettings> m = engine_->GetManifest("src_10m");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->wal_enabled);
  EXPECT_EQ(m->partition, Partitioning::kMonth);
}

TEST_F(RollerTest, GraceClosesAPeriodOfAMetricThatStopped) {
  WriteRamp("src", "ramp", 5);  // stops at 4m50s
  AppendManifest("src", kTenMinuteJobs);
  now_ = kBase + 10 * kMinute + 59 * kSecond;  // within the 1m grace
  roller_->RunOnce();
  EXPECT_TRUE(Samples("src_10m", "ramp.count").empty());
  now_ = kBase + 11 * kMinute;
  roller_->RunOnce();
  EXPECT_EQ(Samples("src_10m", "ramp.count"), (std::vector<std::string>{"0=30"}));
}

TEST_F(RollerTest, LabelledSeriesKeepTheirLabelsAfterTheAggregateSuffix) {
  for (int i = 0; i < 120; ++i) {
    Write("src", "cpu{core=\"0\"}", kBase + i * 10 * kSecond, i % 7);
    Write("src", "cpu{core=\"1\"}", kBase + i * 10 * kSecond, 100 + i % 5);
  }
  AppendManifest("src", kTenMinuteJobs);
  now_ = kBase + 30 * kMinute;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  EXPECT_EQ(Samples("src_10m", "cpu.max{core=\"0\"}"), (std::vector<std::string>{"0=6", "600=6"}));
  EXPECT_EQ(Samples("src_10m", "cpu.max{core=\"1\"}"),
            (std::vector<std::string>{"0=104", "600=104"}));
  EXPECT_THAT(Checkpoint("src"), HasSubstr("cpus::cpu{core=\"1\"},"));
}

// source_metric = "node_cpu" takes every series of that name: the unlabelled one keeps the
// checkpoint key "<id>" (what older checkpoints hold), each labelled one gets its own.
TEST_F(RollerTest, ASourceMetricTakesEverySeriesOfThatNameWhateverItsLabels) {
  for (int i = 0; i < 120; ++i) {
    Write("src", "node_cpu{cpu=\"0\",mode=\"idle\"}", kBase + i * 10 * kSecond, i);
    Write("src", "node_cpu{cpu=\"0\",mode=\"user\"}", kBase + i * 10 * kSecond, 2 * i);
    Write("src", "node_cpu", kBase + i * 10 * kSecond, 1);
    Write("src", "node_cpu_guest{cpu=\"0\"}", kBase + i * 10 * kSecond, 5);  // another name
  }
  AppendManifest("src", R"([rollups]
enabled = true
[[rollups.jobs]]
id = "cpu"
source_metric = "node_cpu"
interval = "10m"
grace = "1m"
aggregates = ["max", "count"]
destination_db = "src_10m"
[[rollups.jobs]]
id = "one"
source_metric = "node_cpu{mode='user', cpu='0'}"
interval = "10m"
aggregates = ["sum"]
destination_db = "src_10m"
destination_metric_prefix = "user0"
)");
  now_ = kBase + 30 * kMinute;
  PassStats stats = roller_->RunOnce();
  ASSERT_TRUE(stats.errors.empty()) << stats.errors.front();
  EXPECT_EQ(Samples("src_10m", "node_cpu.max{cpu=\"0\",mode=\"idle\"}"),
            (std::vector<std::string>{"0=59", "600=119"}));
  EXPECT_EQ(Samples("src_10m", "node_cpu.max{cpu=\"0\",mode=\"user\"}"),
            (std::vector<std::string>{"0=118", "600=238"}));
  EXPECT_EQ(Samples("src_10m", "node_cpu.count"), (std::vector<std::string>{"0=60", "600=60"}));
  EXPECT_TRUE(Samples("src_10m", "node_cpu_guest.max{cpu=\"0\"}").empty());
  // A source_metric with labels takes that series only, whatever order its labels are in.
  EXPECT_EQ(Samples("src_10m", "user0.sum{cpu=\"0\",mode=\"user\"}"),
            (std::vector<std::string>{"0=3540", "600=10740"}));
  const std::string end = std::to_string(kBase + 20 * kMinute);
  EXPECT_EQ(Checkpoint("src"), "cpu," + end + "\ncpu::node_cpu{cpu=\"0\",mode=\"idle\"}," + end +
                                   "\ncpu::node_cpu{cpu=\"0\",mode=\"user\"}," + end + "\none," +
                                   end + "\n");
}

TEST_F(RollerTest, AfterACrashNoBucketIsDuplicatedOrSkipped) {
  WriteRamp("src", "ramp", 60);
  AppendManifest("src", kTenMinuteJobs);
  now_ = kBase + 35 * kMinute;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());  // 3 periods, flushed and checkpointed
  const std::string checkpoint = Checkpoint("src");
  // Later: 2 more periods are written and flushed, then the process dies before the
  // checkpoint is replaced (rewind it), and the source's newest samples were in its WAL.
  now_ = kBase + 61 * kMinute;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  ASSERT_TRUE(files_->Write("src/rollup.checkpoints.log", checkpoint).ok());
  Close();
  Open();
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  EXPECT_EQ(
      Samples("src_10m", "ramp.count"),
      (std::vector<std::string>{"0=60", "600=60", "1200=60", "1800=60", "2400=60", "3000=60"}));
  // A lost checkpoint file recomputes everything and still writes nothing twice.
  ASSERT_TRUE(files_->Remove("src/rollup.checkpoints.log").ok());
  EXPECT_EQ(roller_->RunOnce().points_written, 0u);
  EXPECT_EQ(Samples("src_10m", "ramp.sum").size(), 6u);
}

TEST_F(RollerTest, CascadesRunThroughTheDestinationsOwnManifest) {
  for (int i = 0; i < 3 * 24 * 6; ++i) Write("src", "t", kBase + i * 10 * kMinute, 1);
  AppendManifest("src",
                 "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"t1h\"\n"
                 "source_metric = \"t\"\ninterval = \"1h\"\naggregates = [\"sum\", \"count\"]\n"
                 "destination_db = \"src_1h\"\n");
  now_ = kBase + 4 * kDay;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  EXPECT_EQ(Samples("src_1h", "t.sum").size(), 72u);
  AppendManifest("src_1h",
                 "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"t1d\"\n"
                 "source_metric = \"t.sum\"\ninterval = \"24h\"\naggregates = [\"sum\"]\n"
                 "destination_db = \"src_1d\"\n");
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  EXPECT_EQ(Samples("src_1d", "t.sum.sum"),
            (std::vector<std::string>{"0=144", "86400=144", "172800=144"}));
  Result<ManifestSettings> m = engine_->GetManifest("src_1d");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->partition, Partitioning::kYear);
}

// One manifest: the hourly job, a daily cascade of it (source_job) and a 7-day cascade of
// that. A cascade period is rolled up once its parent has rolled up every period inside it,
// and a backfill rebuilds the chain in order.
TEST_F(RollerTest, CascadesDeclaredInTheSourceManifestFollowTheirSourceJob) {
  for (int i = 0; i < 15 * 24 * 6; ++i)
    Write("src", "t{room=\"a\"}", kBase + i * 10 * kMinute, i % 6);
  AppendManifest("src", R"([rollups]
enabled = true
default_grace = "1m"
[[rollups.jobs]]
id = "t1h"
source_metric = "t"
interval = "1h"
aggregates = ["sum", "count", "max", "avg"]
destination_db = "src_1h"
destination_retention_days = 366
[[rollups.jobs]]
id = "t1d"
source_job = "t1h"
interval = "1d"
destination_db = "src_1d"
[[rollups.jobs]]
id = "t7d"
source_job = "t1d"
interval = "7d"
aggregates = ["count", "max"]
destination_db = "src_7d"
)");
  now_ = kBase + 2 * kDay + 3 * kHour;  // data of 15 days (imported), two days later
  // 2 days and 3 hours of the hourly job: data up to day 15 is there, so every hour up to the
  // last sample is complete; days up to the last whole one, weeks likewise.
  PassStats stats = roller_->RunOnce();
  ASSERT_TRUE(stats.errors.empty()) << stats.errors.front();
  EXPECT_EQ(Samples("src_1h", "t.count{room=\"a\"}").size(), 15u * 24 - 1);
  std::vector<std::string> days = Samples("src_1d", "t.count{room=\"a\"}");
  ASSERT_EQ(days.size(), 14u);
  EXPECT_EQ(days.front(), "0=144");
  EXPECT_EQ(Samples("src_1d", "t.sum{room=\"a\"}").front(), "0=360");
  EXPECT_EQ(Samples("src_1d", "t.avg{room=\"a\"}").front(), "0=2.5");
  EXPECT_EQ(Samples("src_1d", "t.max{room=\"a\"}").front(), "0=5");
  EXPECT_EQ(Samples("src_7d", "t.count{room=\"a\"}"),
            (std::vector<std::string>{"0=1008", "604800=1008"}));  // kBase starts an epoch week
  EXPECT_TRUE(Samples("src_7d", "t.sum{room=\"a\"}").empty());
  EXPECT_THAT(Checkpoint("src"),
              HasSubstr("t1d::t{room=\"a\"}," + std::to_string(kBase + 14 * kDay) + "\n"));
  // The hourly destination keeps a year; the others keep everything.
  Result<ManifestSettings> m = engine_->GetManifest("src_1h");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->retention_days, 366);
  EXPECT_EQ(m->retention_action, RetentionAction::kDelete);
  m = engine_->GetManifest("src_1d");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->retention_action, RetentionAction::kKeep);

  // Nothing new: nothing written. A crash after the outputs were flushed but before the
  // checkpoints were replaced (here: the checkpoint file lost) recomputes every level and
  // writes nothing twice.
  EXPECT_EQ(roller_->RunOnce().points_written, 0u);
  ASSERT_TRUE(files_->Remove("src/rollup.checkpoints.log").ok());
  Close();
  Open();
  EXPECT_EQ(roller_->RunOnce().points_written, 0u);
  EXPECT_EQ(Samples("src_1d", "t.count{room=\"a\"}"), days);
  EXPECT_EQ(Samples("src_7d", "t.max{room=\"a\"}"), (std::vector<std::string>{"0=5", "604800=5"}));
  // A backfill rebuilds the same points.
  Result<BackfillReport> report = roller_->Backfill({"src"}, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->destination_databases,
            (std::vector<std::string>{"src_1d", "src_1h", "src_7d"}));
  EXPECT_EQ(Samples("src_1d", "t.count{room=\"a\"}"), days);
}

TEST_F(RollerTest, BackfillEmptiesDestinationsAndRebuildsThem) {
  WriteRamp("src", "ramp", 30);
  AppendManifest("src", kTenMinuteJobs);
  now_ = kBase + 40 * kMinute;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  // Derived files the core does not know (a metric file of a later plugin) go too, and so does
  // a sample that is not a rollup.
  std::ofstream(root_ / "src_10m" / "metric-2026-01.dat") << "stale";
  Write("src_10m", "ramp.count", kBase + 50 * kMinute, 999);
  int calls = 0;
  Result<BackfillReport> r =
      roller_->Backfill({}, [&](std::string_view, size_t, size_t, uint64_t) { ++calls; });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(calls, 0);
  EXPECT_EQ(r->source_databases, (std::vector<std::string>{"src"}));
  EXPECT_EQ(r->destination_databases, (std::vector<std::string>{"src_10m"}));
  EXPECT_THAT(r->cleared_files, ::testing::Contains(HasSubstr("metric-2026-01.dat")));
  EXPECT_EQ(r->cleared_checkpoint_files.size(), 1u);
  EXPECT_FALSE(fs::exists(root_ / "src_10m" / "metric-2026-01.dat"));
  EXPECT_TRUE(fs::exists(root_ / "src_10m" / "manifest.toml"));
  EXPECT_EQ(Samples("src_10m", "ramp.count"),
            (std::vector<std::string>{"0=60", "600=60", "1200=60"}));
  EXPECT_EQ(r->stats.points_written, 3u * 7);

  EXPECT_TRUE(roller_->Backfill({"nope"}, nullptr).status().IsNotFound());
  Write("plain", "x", kBase, 1);
  EXPECT_THAT(roller_->Backfill({"plain"}, nullptr).status().message(),
              HasSubstr("database \"plain\" defines no rollup jobs"));
}

TEST_F(RollerTest, ACancelledRollerWritesNothingMore) {
  WriteRamp("src", "ramp", 30);
  AppendManifest("src", kTenMinuteJobs);
  now_ = kBase + 40 * kMinute;
  roller_->Cancel();
  EXPECT_EQ(roller_->RunOnce().points_written, 0u);
  EXPECT_TRUE(Samples("src_10m", "ramp.count").empty());
  EXPECT_EQ(Checkpoint("src"), "");
}

// [storage] max_databases counts rollup destinations: one that would exceed it is not
// created, its jobs wait (one error per pass, logged once), nothing loops or crashes, and the
// jobs run once there is room.
TEST_F(RollerTest, ADestinationPastMaxDatabasesIsNotCreatedAndItsJobsWait) {
  WriteRamp("src", "ramp", 25);
  Write("src", "cpu{core=\"0\"}", kBase, 1);
  AppendManifest("src", kTenMinuteJobs);  // two jobs into src_10m
  Close();
  max_databases_ = 1;  // src itself
  Open();
  now_ = kBase + 25 * kMinute;
  for (int pass = 0; pass < 3; ++pass) {
    PassStats stats = roller_->RunOnce();
    ASSERT_EQ(stats.errors.size(), 1u) << stats.errors.back();
    EXPECT_EQ(stats.errors[0],
              "rollup job \"cpus\" of src: creating rollup destination src_10m: database "
              "\"src_10m\" not created: the limit of 1 databases is reached (raise [storage] "
              "max_databases in engine.toml); the jobs writing into it wait until it can be "
              "created");
    EXPECT_EQ(stats.points_written, 0u);
  }
  EXPECT_FALSE(engine_->DatabaseExists("src_10m"));
  EXPECT_EQ(std::count_if(log_.begin(), log_.end(),
                          [](const std::string& l) { return l.find("src_10m") != l.npos; }),
            1);
  EXPECT_EQ(Checkpoint("src"), "");
  EXPECT_EQ(roller_->LastPass().passes, 3u);
  EXPECT_EQ(roller_->LastPass().stats.errors.size(), 1u);

  Close();
  max_databases_ = 2;
  Open();
  PassStats stats = roller_->RunOnce();
  EXPECT_TRUE(stats.errors.empty()) << stats.errors.front();
  EXPECT_EQ(Samples("src_10m", "ramp.count"), (std::vector<std::string>{"0=60", "600=60"}));
}

TEST_F(RollerTest, ConfigErrorsAreReportedOnceAndOtherDatabasesRun) {
  WriteRamp("bad", "ramp", 30);
  AppendManifest("bad", "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"x\"\n");
  WriteRamp("src", "ramp", 30);
  AppendManifest("src", kTenMinuteJobs);
  now_ = kBase + 40 * kMinute;
  PassStats stats = roller_->RunOnce();
  ASSERT_EQ(stats.errors.size(), 1u);
  EXPECT_THAT(stats.errors[0], HasSubstr("bad/manifest.toml:"));
  EXPECT_THAT(stats.errors[0], HasSubstr("rollups.jobs[0] (id \"x\")"));
  EXPECT_EQ(Samples("src_10m", "ramp.count").size(), 3u);
  roller_->RunOnce();
  size_t logged = 0;
  for (const std::string& l : log_) logged += l.find("bad/manifest.toml") != std::string::npos;
  EXPECT_EQ(logged, 1u);
}

// The retention hold the plugin publishes: raw data is needed from the earliest period a job
// reading the database has not rolled up (its checkpoint, or its first sample's period when it
// has rolled up nothing), everything while the [rollups] section is broken, nothing elsewhere.
TEST_F(RollerTest, RetentionHoldIsTheEarliestPeriodAJobHasNotRolledUp) {
  RollupRetentionHold hold(*query_, *databases_, *files_);
  WriteRamp("src", "ramp", 25);
  EXPECT_FALSE(hold.HoldFor("src").holds()) << "no [rollups] section: nothing held";
  AppendManifest("src", kTenMinuteJobs);
  RetentionHold h = hold.HoldFor("src");
  EXPECT_EQ(h.from, kBase);
  EXPECT_EQ(h.holder,
            "rollup job \"ramp\" (ramp -> src_10m, 10m) has rolled up nothing yet (data "
            "from 2026-01-01T00:00:00Z)");

  now_ = kBase + 25 * kMinute;
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  h = hold.HoldFor("src");
  EXPECT_EQ(h.from, kBase + 20 * kMinute);
  EXPECT_EQ(h.holder,
            "rollup job \"ramp\" (ramp -> src_10m, 10m) has not rolled up data from "
            "2026-01-01T00:20:00Z");
  EXPECT_FALSE(hold.HoldFor("src_10m").holds()) << "a destination without jobs holds nothing";

  // A new series with older samples (history imported over HTTP) is held from its first period.
  for (int i = 0; i < 30; ++i) Write("src", "cpu", kBase + 13 * kMinute + i * 10 * kSecond, i);
  h = hold.HoldFor("src");
  EXPECT_EQ(h.from, kBase + 10 * kMinute);
  EXPECT_THAT(h.holder,
              HasSubstr("rollup job \"cpus\" (cpu -> src_10m, 10m) has rolled up nothing"));
  ASSERT_TRUE(roller_->RunOnce().errors.empty());
  EXPECT_EQ(hold.HoldFor("src").from, kBase + 20 * kMinute);

  // A [rollups] section that does not parse stops the jobs: everything is held, and why.
  WriteRamp("bad", "ramp", 30);
  AppendManifest("bad", "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"x\"\n");
  h = hold.HoldFor("bad");
  EXPECT_EQ(h.from, kMinTimestamp);
  EXPECT_THAT(h.holder, HasSubstr("the rollups of bad do not run (bad/manifest.toml:"));
  EXPECT_THAT(h.holder, HasSubstr("fix bad/manifest.toml"));
}

}  // namespace
}  // namespace nanotdb::rollup
