#include "rollup_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checkpoints.h"

namespace nanotdb::rollup {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kHourNs = 3600 * int64_t{1'000'000'000};

// The product brief's example, as a user would paste it.
constexpr std::string_view kBriefExample = R"([retention]
partition = "day"

[rollups]
enabled = true
checkpoint_file = "rollup.checkpoints.log"
default_grace = "5m"
default_interval = "1h"
default_destination_db = "sensors_rollup_1h"
default_aggregates = ["min", "max", "avg", "count"]
global_exclude_patterns = ["nanotdb.*", "*.debug"]

[[rollups.jobs]]
id = "all_metrics_1h"
source_pattern = "*"
exclude_patterns = ["disk.sd_write_probe_ms", "net.*"]

[[rollups.jobs]]
id = "outside_temp_1h"
source_metric = "temp.out_dry"
interval = "1h"
aggregates = ["min", "max", "sum", "avg", "count"]
destination_db = "sensors_rollup_1h"
destination_metric_prefix = "temp.out_dry"
)";

Result<RollupConfig> Parse(std::string_view text, std::vector<std::string>* warnings = nullptr) {
  return ParseRollupConfig(text, "sensors/manifest.toml", "sensors", warnings);
}

std::string ErrorOf(std::string_view text) {
  Result<RollupConfig> r = Parse(text);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(RollupConfigTest, TheBriefsExampleParsesWithDefaultsInherited) {
  Result<RollupConfig> cfg = Parse(kBriefExample);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_TRUE(cfg->enabled);
  EXPECT_EQ(cfg->checkpoint_file, "rollup.checkpoints.log");
  ASSERT_EQ(cfg->jobs.size(), 2u);
  const RollupJob& all = cfg->jobs[0];
  EXPECT_EQ(all.id, "all_metrics_1h");
  EXPECT_EQ(all.source_pattern, "*");
  EXPECT_EQ(all.exclude_patterns,
            (std::vector<std::string>{"nanotdb.*", "*.debug", "disk.sd_write_probe_ms", "net.*"}));
  EXPECT_EQ(all.interval, kHourNs);
  EXPECT_EQ(all.grace, 5 * 60 * int64_t{1'000'000'000});
  EXPECT_EQ(all.destination_db, "sensors_rollup_1h");
  EXPECT_EQ(all.aggregates, (std::vector<Aggregate>{Aggregate::kMin, Aggregate::kMax,
                                                    Aggregate::kAvg, Aggregate::kCount}));
  const RollupJob& temp = cfg->jobs[1];
  EXPECT_EQ(temp.source_metric, "temp.out_dry");
  EXPECT_EQ(temp.destination_metric_prefix, "temp.out_dry");
  EXPECT_EQ(temp.aggregates.size(), 5u);
  EXPECT_EQ(temp.line, 18u);
}

TEST(RollupConfigTest, NoSectionOrDisabledMeansNoJobs) {
  Result<RollupConfig> cfg = Parse("[retention]\npartition = \"day\"\n");
  ASSERT_TRUE(cfg.ok());
  EXPECT_FALSE(cfg->enabled);
  // Jobs of a disabled section are not validated (the reference dropped them).
  cfg = Parse("[rollups]\nenabled = false\n[[rollups.jobs]]\nid = \"x\"\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_TRUE(cfg->jobs.empty());
}

TEST(RollupConfigTest, AggregatesDefaultToTheFiveAndAcceptTheOrderStatistics) {
  Result<RollupConfig> cfg = Parse(
      "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"a\"\nsource_metric = \"m\"\n"
      "interval = \"1h\"\ndestination_db = \"d\"\n"
      "[[rollups.jobs]]\nid = \"b\"\nsource_metric = \"m\"\ninterval = \"1d\"\n"
      "destination_db = \"d\"\naggregates = [\"median\", \"p95\", \"p99\", \"trimmed_avg\"]\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->jobs[0].aggregates.size(), 5u);
  EXPECT_EQ(cfg->jobs[1].aggregates,
            (std::vector<Aggregate>{Aggregate::kMedian, Aggregate::kP95, Aggregate::kP99,
                                    Aggregate::kTrimmedAvg}));
  EXPECT_EQ(cfg->jobs[1].interval, 24 * kHourNs);
}

TEST(RollupConfigTest, ErrorsNameTheFileLineJobAndKey) {
  const std::string head = "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"t\"\n";
  EXPECT_EQ(ErrorOf(head + "source_metric = \"m\"\ndestination_db = \"d\"\n"),
            "sensors/manifest.toml:3: rollups.jobs[0] (id \"t\"): interval: missing (set "
            "interval or rollups.default_interval)");
  EXPECT_THAT(ErrorOf(head + "source_metric = \"m\"\ninterval = \"1h\"\n"),
              HasSubstr("rollups.jobs[0] (id \"t\"): destination_db: missing"));
  EXPECT_THAT(ErrorOf(head + "source_metric = \"m\"\nsource_pattern = \"*\"\ninterval = \"1h\"\n"
                             "destination_db = \"d\"\n"),
              HasSubstr("set exactly one of source_metric"));
  EXPECT_EQ(ErrorOf(head + "source_metric = \"m\"\ninterval = \"0s\"\ndestination_db = \"d\"\n"),
            "sensors/manifest.toml:6: rollups.jobs[0] (id \"t\"): interval: \"0s\" must be > 0");
  EXPECT_THAT(ErrorOf(head + "source_metric = \"m\"\ninterval = \"1h\"\ndestination_db = \"d\"\n"
                             "aggregates = [\"p90\"]\n"),
              HasSubstr("(id \"t\"): aggregates: unsupported aggregate \"p90\""));
  EXPECT_THAT(ErrorOf(head + "source_metric = \"m\"\ninterval = \"1h\"\n"
                             "destination_db = \"sensors\"\n"),
              HasSubstr("destination_db: \"sensors\" is this database itself"));
  EXPECT_THAT(ErrorOf(head + "source_pattern = \"cpu[0-9\"\ninterval = \"1h\"\n"
                             "destination_db = \"d\"\n"),
              HasSubstr("source_pattern: pattern \"cpu[0-9\": '[' at offset 3 is not closed"));
  EXPECT_THAT(ErrorOf(head + "source_pattern = \"*\"\ninterval = \"1h\"\ndestination_db = \"d\"\n"
                             "destination_metric_prefix = \"x\"\n"),
              HasSubstr("destination_metric_prefix: only applies to source_metric jobs"));
  EXPECT_THAT(ErrorOf(head + "source_metric = \"m\"\ninterval = \"1h\"\ndestination_db = \"d\"\n" +
                      "[[rollups.jobs]]\nid = \"t\"\n"),
              HasSubstr("sensors/manifest.toml:8: rollups.jobs[1] (id \"t\"): id: \"t\" is used"));
  EXPECT_THAT(ErrorOf("[rollups]\nenabled = \"yes\"\n"),
              HasSubstr(":2: rollups.enabled: expected true or false"));
  EXPECT_THAT(ErrorOf("[rollups]\nenabled = true\ndefault_grace = \"soon\"\n"),
              HasSubstr(":3: rollups.default_grace: "));
  EXPECT_THAT(ErrorOf("[rollups]\ncheckpoint_file = \"../x\"\n"),
              HasSubstr("rollups.checkpoint_file: \"../x\" is not a file name"));
  EXPECT_THAT(ErrorOf("[rollups\n"), HasSubstr("sensors/manifest.toml:1: "));
}

TEST(RollupConfigTest, ASourceMetricWithLabelsIsStoredAsItsCanonicalKey) {
  const std::string head =
      "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"t\"\n"
      "interval = \"1h\"\ndestination_db = \"d\"\n";
  Result<RollupConfig> cfg = Parse(head + "source_metric = \"cpu{mode='user', cpu=\\\"0\\\"}\"\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->jobs[0].source_metric, "cpu{cpu=\"0\",mode=\"user\"}");
  std::string key;
  EXPECT_TRUE(JobTakes(cfg->jobs[0], "cpu{cpu=\"0\",mode=\"user\"}", &key));
  EXPECT_EQ(key, "t");
  EXPECT_FALSE(JobTakes(cfg->jobs[0], "cpu{cpu=\"1\",mode=\"user\"}", &key));
  EXPECT_FALSE(JobTakes(cfg->jobs[0], "cpu", &key));

  cfg = Parse(head + "source_metric = \"cpu\"\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_TRUE(JobTakes(cfg->jobs[0], "cpu", &key));
  EXPECT_EQ(key, "t");
  EXPECT_TRUE(JobTakes(cfg->jobs[0], "cpu{cpu=\"1\"}", &key));
  EXPECT_EQ(key, "t::cpu{cpu=\"1\"}");
  EXPECT_FALSE(JobTakes(cfg->jobs[0], "cpu2{cpu=\"1\"}", &key));

  EXPECT_THAT(ErrorOf(head + "source_metric = \"cpu{mode=\"\n"),
              HasSubstr("sensors/manifest.toml:7: rollups.jobs[0] (id \"t\"): source_metric: "));
  EXPECT_THAT(ErrorOf(head + "source_metric = \"a b\"\n"),
              HasSubstr("rollups.jobs[0] (id \"t\"): source_metric: "));
}

TEST(RollupConfigTest, ACascadeNamesAnotherJobAndTakesWhatComposesExactly) {
  const std::string hourly =
      "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"h\"\nsource_pattern = \"*\"\n"
      "interval = \"1h\"\naggregates = [\"min\", \"avg\", \"sum\", \"count\", \"p95\"]\n"
      "destination_db = \"s_1h\"\ndestination_retention_days = 366\n";
  const std::string daily = "[[rollups.jobs]]\nid = \"d\"\nsource_job = \"h\"\n";
  Result<RollupConfig> cfg =
      Parse(hourly + daily + "interval = \"1d\"\ndestination_db = \"s_1d\"\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  const RollupJob& d = cfg->jobs[1];
  EXPECT_EQ(d.parent, 0);
  EXPECT_EQ(d.root, 0);
  EXPECT_EQ(d.depth, 1);
  EXPECT_EQ(d.aggregates, (std::vector<Aggregate>{Aggregate::kMin, Aggregate::kAvg, Aggregate::kSum,
                                                  Aggregate::kCount}));
  EXPECT_EQ(cfg->jobs[0].destination_retention_days, 366);
  std::string key;
  EXPECT_FALSE(JobTakes(d, "cpu{core=\"1\"}", &key));
  EXPECT_TRUE(CascadeTakes(*cfg, d, "cpu{core=\"1\"}", &key));
  EXPECT_EQ(key, "d::cpu{core=\"1\"}");

  const std::string at = "sensors/manifest.toml:10: rollups.jobs[1] (id \"d\"): ";
  EXPECT_EQ(ErrorOf(hourly + daily + "interval = \"90m\"\ndestination_db = \"s_1d\"\n"),
            at + "interval: 1h30m is not a multiple of job \"h\"'s 1h (a cascade period is "
                 "made of whole periods of its source job)");
  EXPECT_EQ(ErrorOf(hourly + daily + "interval = \"1d\"\ndestination_db = \"s_1h\"\n"),
            at + "destination_db: \"s_1h\" is job \"h\"'s destination too; a cascade's outputs "
                 "have its source job's names, so they go into another database");
  EXPECT_EQ(ErrorOf(hourly + daily +
                    "interval = \"1d\"\ndestination_db = \"s_1d\"\naggregates = [\"p95\"]\n"),
            at + "aggregates: \"p95\" cannot be computed from job \"h\"'s outputs (a cascade "
                 "computes min, max, sum, count, first and last from the same aggregate of its "
                 "source job, avg from its sum and count)");
  EXPECT_EQ(ErrorOf(hourly + "[[rollups.jobs]]\nid = \"d\"\nsource_job = \"x\"\ninterval = \"1d\"\n"
                             "destination_db = \"s_1d\"\n"),
            at + "source_job: no job with id \"x\" in this manifest");
  EXPECT_THAT(
      ErrorOf(hourly + "[[rollups.jobs]]\nid = \"a\"\nsource_job = \"b\"\ninterval = \"1d\"\n"
                       "destination_db = \"s_a\"\n[[rollups.jobs]]\nid = \"b\"\n"
                       "source_job = \"a\"\ninterval = \"1d\"\ndestination_db = \"s_b\"\n"),
      HasSubstr("source_job: the cascades form a cycle"));
  EXPECT_THAT(ErrorOf(hourly + daily +
                      "source_metric = \"m\"\ninterval = \"1d\"\ndestination_db = \"s_1d\"\n"),
              HasSubstr("set exactly one of source_metric (one metric), source_pattern (a glob) "
                        "and source_job (a cascade of another job)"));
  EXPECT_THAT(ErrorOf(hourly + "[[rollups.jobs]]\nid = \"x\"\nsource_metric = \"m\"\n"
                               "interval = \"1h\"\ndestination_db = \"z\"\n"
                               "destination_retention_days = 0\n"),
              HasSubstr("destination_retention_days: expected a whole number of days from 1"));
}

TEST(RollupConfigTest, UnknownKeysAreWarnings) {
  std::vector<std::string> warnings;
  Result<RollupConfig> cfg = Parse(
      "[rollups]\nenabled = true\nspeed = 3\n[[rollups.jobs]]\nid = \"t\"\n"
      "source_metric = \"m\"\ninterval = \"1h\"\ndestination_db = \"d\"\ncolour = \"red\"\n",
      &warnings);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "sensors/manifest.toml:3: unknown key rollups.speed (ignored)",
                          "sensors/manifest.toml:9: unknown key rollups.jobs[0] (id \"t\"): "
                          "colour (ignored)"}));
}

TEST(GlobTest, StarQuestionAndSets) {
  EXPECT_TRUE(GlobMatch("*", "anything.at.all"));
  EXPECT_TRUE(GlobMatch("temp.*", "temp.out_dry"));
  EXPECT_FALSE(GlobMatch("temp.*", "xtemp.out"));
  EXPECT_TRUE(GlobMatch("*.debug", "app.debug"));
  EXPECT_TRUE(GlobMatch("cpu?", "cpu1"));
  EXPECT_FALSE(GlobMatch("cpu?", "cpu10"));
  EXPECT_TRUE(GlobMatch("cpu[0-3]", "cpu2"));
  EXPECT_FALSE(GlobMatch("cpu[0-3]", "cpu7"));
  EXPECT_TRUE(GlobMatch("cpu[!0-3]", "cpu7"));
  EXPECT_TRUE(GlobMatch("n[ae]t.*", "net.rx"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYY"));
  EXPECT_TRUE(ValidateGlob("[]]x").ok());
  EXPECT_FALSE(ValidateGlob("[abc").ok());
}

TEST(CheckpointsTest, RoundTripAndLaterLinesWin) {
  Checkpoints c = {{"a", 10}, {"b::cpu{core=\"0\"}", -20}};
  std::string text = RenderCheckpoints(c);
  EXPECT_EQ(text, "a,10\nb::cpu{core=\"0\"},-20\n");
  Result<Checkpoints> back = ParseCheckpoints(text + "a,30\n");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->at("a"), 30);
  EXPECT_EQ(back->at("b::cpu{core=\"0\"}"), -20);
  EXPECT_EQ(ParseCheckpoints("a,10\nbroken\n").status().message(),
            "line 2: expected \"<job>,<period end in ns>\", got \"broken\"");
  EXPECT_FALSE(ParseCheckpoints("a,1x\n").ok());
}

}  // namespace
}  // namespace nanotdb::rollup
