#include "scrape_config.h"

#include <gtest/gtest.h>

namespace nanotdb::prom {
namespace {

constexpr int64_t kSec = 1'000'000'000;
const ScrapeDefaults kDefaults{"prometheus", 30 * kSec, 10 * kSec};

std::string ErrorOf(std::string_view toml) {
  Result<std::vector<ScrapeJob>> jobs = ParseScrapeJobs(toml, kDefaults);
  EXPECT_FALSE(jobs.ok()) << toml;
  return jobs.ok() ? "" : jobs.status().message();
}

TEST(ScrapeConfigTest, JobWithEveryKey) {
  Result<std::vector<ScrapeJob>> jobs = ParseScrapeJobs(
      "[[scrape]]\njob_name = \"node\"\ntargets = [\"127.0.0.1:9100\", \"[::1]:9101\"]\n"
      "interval = \"15s\"\ntimeout = \"5s\"\nmetrics_path = \"/m\"\ndb = \"node\"\n"
      "bearer_token = \"abc.def\"\n"
      "[scrape.labels]\nsite = \"attic\"\nfloor = \"2\"\n",
      kDefaults);
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  ASSERT_EQ(jobs->size(), 1u);
  const ScrapeJob& j = (*jobs)[0];
  EXPECT_EQ(j.job_name, "node");
  ASSERT_EQ(j.targets.size(), 2u);
  EXPECT_EQ(j.targets[0].host, "127.0.0.1");
  EXPECT_EQ(j.targets[0].port, 9100);
  EXPECT_EQ(j.targets[1].host, "::1");
  EXPECT_EQ(j.targets[1].instance, "[::1]:9101");
  EXPECT_EQ(j.interval_ns, 15 * kSec);
  EXPECT_EQ(j.timeout_ns, 5 * kSec);
  EXPECT_EQ(j.metrics_path, "/m");
  EXPECT_EQ(j.db, "node");
  EXPECT_EQ(j.bearer_token, "abc.def");
  EXPECT_EQ(j.labels, (Labels{{"floor", "2"}, {"site", "attic"}}));
}

TEST(ScrapeConfigTest, DefaultsAndTimeoutCappedAtInterval) {
  Result<std::vector<ScrapeJob>> jobs = ParseScrapeJobs(
      "[[scrape]]\njob_name = \"a\"\ntargets = [\"h:1\"]\n"
      "[[scrape]]\njob_name = \"b\"\ntargets = [\"h:2\"]\ninterval = \"2s\"\n",
      kDefaults);
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  EXPECT_EQ((*jobs)[0].interval_ns, 30 * kSec);
  EXPECT_EQ((*jobs)[0].timeout_ns, 10 * kSec);
  EXPECT_EQ((*jobs)[0].metrics_path, "/metrics");
  EXPECT_EQ((*jobs)[0].db, "prometheus");
  EXPECT_EQ((*jobs)[1].timeout_ns, 2 * kSec);
  EXPECT_TRUE(ParseScrapeJobs("", kDefaults)->empty());
}

TEST(ScrapeConfigTest, MistakesNameTheJobAndKey) {
  EXPECT_EQ(ErrorOf("[[scrape]]\ntargets = [\"h:1\"]\n"),
            "scrape[0]: job_name is required (the `job` label)");
  EXPECT_EQ(ErrorOf("[[scrape]]\njob_name = \"n\"\n"),
            "scrape[0] (job \"n\"): targets is required: a list of \"host:port\" strings");
  EXPECT_EQ(ErrorOf("[[scrape]]\njob_name = \"n\"\ntargets = [\"localhost\"]\n"),
            "scrape[0] (job \"n\"): targets[0]: \"localhost\": expected host:port (such as "
            "127.0.0.1:9100)");
  EXPECT_EQ(ErrorOf("[[scrape]]\njob_name = \"n\"\ntargets = [\"h:99999\"]\n"),
            "scrape[0] (job \"n\"): targets[0]: \"h:99999\": port must be 1..65535");
  EXPECT_EQ(ErrorOf("[[scrape]]\njob_name = \"n\"\ntargets = [\"h:1\"]\ninterval = \"5s\"\n"
                    "timeout = \"6s\"\n"),
            "scrape[0] (job \"n\"): timeout (6s) must not exceed interval (5s)");
  EXPECT_EQ(ErrorOf("[[scrape]]\njob_name = \"n\"\ntargets = [\"h:1\"]\nintervall = \"5s\"\n"),
            "scrape[0] (job \"n\"): unknown key \"intervall\" (known: job_name, targets, "
            "interval, timeout, metrics_path, db, bearer_token, labels)");
  EXPECT_EQ(ErrorOf("[[scrape]]\njob_name = \"n\"\ntargets = [\"h:1\"]\n"
                    "[[scrape]]\njob_name = \"n\"\ntargets = [\"h:2\"]\n"),
            "scrape[1] (job \"n\"): job_name used twice");
  EXPECT_EQ(ErrorOf("[[scrape]]\njob_name = \"n\"\ntargets = [\"h:1\"]\n[scrape.labels]\n"
                    "job = \"x\"\n"),
            "scrape[0] (job \"n\"): labels.job is set by the scraper (job_name, targets)");
  EXPECT_EQ(ErrorOf("[[scrape]]\njob_name = \"n\"\ntargets = [\"h:1\"]\nmetrics_path = \"m\"\n"),
            "scrape[0] (job \"n\"): metrics_path must start with '/', got \"m\"");
}

}  // namespace
}  // namespace nanotdb::prom
