// The rollup plugin in the real daemon: live rollups of data written over HTTP, backfill over
// HTTP (admin) with its results readable by nanocli at once, and kill -9 in the middle of a
// rollup followed by a restart that neither duplicates nor skips a bucket.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/integration/daemon.h"

namespace nanotdb::itest {
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void AppendFile(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::app) << "\n" << text;
}

Object::Ptr Json(const std::string& body) {
  try {
    return Poco::JSON::Parser().parse(body).extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "not JSON: " << body;
    return new Object;
  }
}

// "unix_seconds=value" of a raw range query of db/metric.
std::vector<std::string> Points(const Daemon& d, const std::string& db, const std::string& metric,
                                int64_t start) {
  HttpResult r = d.Get("/api/v1/query_range",
                       {{"db", db}, {"query", metric}, {"start", std::to_string(start)}});
  std::vector<std::string> out;
  if (r.status != 200) return out;
  Array::Ptr result = Json(r.body)->getObject("data")->getArray("result");
  if (result->size() == 0) return out;
  Array::Ptr values = result->getObject(0)->getArray("values");
  for (size_t i = 0; i < values->size(); ++i) {
    Array::Ptr p = values->getArray(static_cast<unsigned>(i));
    out.push_back(p->get(0).toString() + "=" + p->get(1).toString());
  }
  return out;
}

// Polls until fn() is true (up to `seconds`).
template <typename Fn>
bool Eventually(Fn fn, int seconds = 15) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return fn();
}

class RollupDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { d_.Configure("plugins.rollup", "interval", "\"1s\""); }
  HttpResult Import(const std::string& lines) {
    return d_.Post("/api/v1/import", lines, "text/plain");
  }
  Daemon d_;
};

TEST_F(RollupDaemonTest, LiveDataWrittenOverHttpIsRolledUpAsItArrives) {
  ASSERT_TRUE(d_.Start());
  // 10 s periods a few minutes back; grace 1h, so only the data itself closes a period.
  const int64_t t0 = NowSeconds() / 10 * 10 - 300;
  auto line = [](int64_t ts, double v) {
    return "live/v " + std::to_string(v) + " " + std::to_string(ts * 1'000'000'000) + "\n";
  };
  ASSERT_EQ(Import(line(t0, 1)).status, 200);
  AppendFile(fs::path(d_.root()) / "live" / "manifest.toml",
             "[rollups]\nenabled = true\ndefault_grace = \"1h\"\n[[rollups.jobs]]\n"
             "id = \"v10s\"\nsource_metric = \"v\"\ninterval = \"10s\"\n"
             "aggregates = [\"sum\", \"count\", \"max\"]\ndestination_db = \"live_10s\"\n");
  std::string batch;
  for (int i = 1; i < 10; ++i) batch += line(t0 + i, 1 + i);  // 1..10 in the first period
  batch += line(t0 + 10, 100);                                // opens the second
  ASSERT_EQ(Import(batch).status, 200);
  const std::string first = std::to_string(t0) + "=55";
  EXPECT_TRUE(Eventually([&] { return Points(d_, "live_10s", "v.sum", t0).size() == 1; }))
      << d_.Log();
  EXPECT_EQ(Points(d_, "live_10s", "v.sum", t0), (std::vector<std::string>{first}));
  ASSERT_EQ(Import(line(t0 + 15, 200) + line(t0 + 21, 1)).status, 200);
  EXPECT_TRUE(Eventually([&] { return Points(d_, "live_10s", "v.sum", t0).size() == 2; }));
  EXPECT_EQ(Points(d_, "live_10s", "v.sum", t0),
            (std::vector<std::string>{first, std::to_string(t0 + 10) + "=300"}));
  EXPECT_EQ(Points(d_, "live_10s", "v.count", t0),
            (std::vector<std::string>{std::to_string(t0) + "=10", std::to_string(t0 + 10) + "=2"}));
  EXPECT_TRUE(d_.Stop());
}

TEST_F(RollupDaemonTest, BackfillIsAdminAndPersistsBeforeAnswering) {
  d_.Configure("auth", "admin_token", "\"s3cret\"");
  ASSERT_TRUE(d_.Start());
  const int64_t t0 = (NowSeconds() - 3 * 86400) / 3600 * 3600;
  std::string lines;
  for (int i = 0; i < 3 * 60; ++i) {  // 3 hours at 1 min: 0..59 each hour
    lines += "bf/m " + std::to_string(i % 60) + " " +
             std::to_string((t0 + i * 60) * 1'000'000'000) + "\n";
  }
  ASSERT_EQ(Import(lines).status, 200);
  AppendFile(fs::path(d_.root()) / "bf" / "manifest.toml",
             "[rollups]\nenabled = true\ndefault_interval = \"1h\"\n"
             "default_destination_db = \"bf_1h\"\n[[rollups.jobs]]\nid = \"m\"\n"
             "source_metric = \"m\"\naggregates = [\"avg\", \"p95\"]\n");
  const Headers admin = {{"Authorization", "Bearer s3cret"}};
  HttpResult r = d_.Post("/api/v1/rollup/backfill", "{\"dbs\":[\"bf\"]}", "application/json");
  EXPECT_EQ(r.status, 401) << r.body;
  r = d_.Post("/api/v1/rollup/backfill", "{\"dbs\":[\"bf\"]}", "application/json", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  Object::Ptr result = Json(r.body)->getObject("data")->getObject("result");
  EXPECT_EQ(result->getValue<int>("points_written"), 6);
  EXPECT_EQ(result->getArray("destination_databases")->get(0).toString(), "bf_1h");

  // Persisted: the offline reader sees the rebuilt destination while the server runs.
  auto [code, out] = RunCommand({NANOCLI_BIN, "export", "--root", d_.root(), "--db", "bf_1h",
                                 "--out", d_.root() + "/bf_1h.lp"});
  ASSERT_EQ(code, 0) << out;
  const std::string exported = ReadFile(d_.root() + "/bf_1h.lp");
  EXPECT_NE(exported.find("bf_1h/m.avg 29.5 "), std::string::npos) << exported;
  EXPECT_NE(exported.find("bf_1h/m.p95 56.05 "), std::string::npos) << exported;
  EXPECT_EQ(std::count(exported.begin(), exported.end(), '\n'), 6);

  // Again, with a parameter instead of a body: the same six points, not twelve.
  r = d_.Post("/api/v1/rollup/backfill?dbs=bf", "", "text/plain", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Points(d_, "bf_1h", "m.avg", t0).size(), 3u);
  EXPECT_FALSE(
      Json(r.body)->getObject("data")->getObject("result")->getArray("cleared_files")->size() == 0);

  r = d_.Post("/api/v1/rollup/backfill", "{\"dbs\":", "application/json", admin);
  EXPECT_EQ(r.status, 400) << r.body;
  r = d_.Post("/api/v1/rollup/backfill", "{\"dbs\":[\"nope\"]}", "application/json", admin);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("database \\\"nope\\\" does not exist"), std::string::npos) << r.body;
  EXPECT_TRUE(d_.Stop());
}

// node_exporter's CPU counters pushed as Prometheus text: one metric name, a series per cpu and
// mode. A source_metric job naming the metric rolls up every one of them, labels kept.
TEST_F(RollupDaemonTest, ASourceMetricRollsUpEveryLabelledSeriesOfPrometheusText) {
  ASSERT_TRUE(d_.Start());
  const int64_t t0 = (NowSeconds() - 3 * 86400) / 3600 * 3600;  // three whole hours, 3 days ago
  std::string page;
  for (int i = 0; i < 3 * 60; ++i) {
    for (int cpu = 0; cpu < 2; ++cpu) {
      for (const char* mode : {"idle", "user"}) {
        const int value = i * (cpu + 1) * (mode[0] == 'i' ? 10 : 1);
        page += "node_cpu_seconds_total{cpu=\"" + std::to_string(cpu) + "\",mode=\"" + mode +
                "\"} " + std::to_string(value) + " " + std::to_string((t0 + i * 60) * 1000) + "\n";
      }
    }
  }
  HttpResult r = d_.Post("/api/v1/import/prometheus?db=node", page, "text/plain");
  ASSERT_EQ(r.status, 200) << r.body;
  AppendFile(fs::path(d_.root()) / "node" / "manifest.toml",
             "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"cpu_1h\"\n"
             "source_metric = \"node_cpu_seconds_total\"\ninterval = \"1h\"\n"
             "aggregates = [\"max\", \"count\"]\ndestination_db = \"node_1h\"\n");
  auto hours = [&](const std::string& series) { return Points(d_, "node_1h", series, t0); };
  const std::string user1 = "node_cpu_seconds_total.max{cpu=\"1\",mode=\"user\"}";
  ASSERT_TRUE(Eventually([&] { return hours(user1).size() == 3; })) << d_.Log();
  for (int cpu = 0; cpu < 2; ++cpu) {
    for (const std::string mode : {"idle", "user"}) {
      const std::string labels = "{cpu=\"" + std::to_string(cpu) + "\",mode=\"" + mode + "\"}";
      const int scale = (cpu + 1) * (mode == "idle" ? 10 : 1);
      std::vector<std::string> max, count;
      for (int h = 0; h < 3; ++h) {
        max.push_back(std::to_string(t0 + h * 3600) + "=" + std::to_string((h * 60 + 59) * scale));
        count.push_back(std::to_string(t0 + h * 3600) + "=60");
      }
      EXPECT_TRUE(Eventually([&] { return hours("node_cpu_seconds_total.max" + labels) == max; }))
          << labels << " " << d_.Log();
      EXPECT_EQ(hours("node_cpu_seconds_total.count" + labels), count) << labels;
    }
  }
  // An aggregate query of the metric reads the rollup of each series.
  r = d_.Get("/api/v1/query_range", {{"db", "node"},
                                     {"query", "node_cpu_seconds_total"},
                                     {"start", std::to_string(t0)},
                                     {"end", std::to_string(t0 + 3 * 3600 - 1)},
                                     {"aggregate", "max"},
                                     {"window", "1h"}});
  ASSERT_EQ(r.status, 200) << r.body;
  Array::Ptr uses = Json(r.body)->getObject("data")->getArray("rollups");
  ASSERT_FALSE(uses.isNull()) << r.body;
  EXPECT_EQ(uses->size(), 4u) << r.body;
  EXPECT_TRUE(d_.Stop());
}

// [storage] max_databases counts rollup destinations: with room for the source only, the
// destination is not created, the error is logged once and listed by /api/v1/rollup/status,
// the daemon keeps serving; with room, the next start rolls up.
TEST_F(RollupDaemonTest, ADestinationPastMaxDatabasesIsReportedAndTheJobWaits) {
  d_.Configure("storage", "max_databases", "1");
  ASSERT_TRUE(d_.Start());
  const int64_t t0 = (NowSeconds() - 86400) / 3600 * 3600;
  std::string lines;
  for (int i = 0; i < 120; ++i) {
    lines +=
        "lim/t " + std::to_string(i) + " " + std::to_string((t0 + i * 60) * 1'000'000'000) + "\n";
  }
  ASSERT_EQ(Import(lines).status, 200);
  AppendFile(fs::path(d_.root()) / "lim" / "manifest.toml",
             "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"t_1h\"\n"
             "source_metric = \"t\"\ninterval = \"1h\"\ndestination_db = \"lim_1h\"\n");
  const std::string error =
      "rollup job \"t_1h\" of lim: creating rollup destination lim_1h: database \"lim_1h\" not "
      "created: the limit of 1 databases is reached (raise [storage] max_databases in "
      "engine.toml); the jobs writing into it wait until it can be created";
  ASSERT_TRUE(Eventually([&] { return d_.Log().find(error) != std::string::npos; })) << d_.Log();
  // Three more passes (interval 1s): the same error, not logged again.
  auto passes = [&] {
    HttpResult r = d_.Get("/api/v1/rollup/status");
    return r.status == 200
               ? Json(r.body)->getObject("data")->getObject("result")->getValue<int>("passes")
               : -1;
  };
  const int seen = passes();
  ASSERT_TRUE(Eventually([&] { return passes() >= seen + 3; })) << d_.Log();
  const std::string log = d_.Log();
  EXPECT_EQ(log.find(error), log.rfind(error)) << log;
  HttpResult r = d_.Get("/api/v1/rollup/status");
  ASSERT_EQ(r.status, 200) << r.body;
  Object::Ptr result = Json(r.body)->getObject("data")->getObject("result");
  ASSERT_FALSE(result->getObject("last_pass").isNull()) << r.body;
  Array::Ptr errors = result->getObject("last_pass")->getArray("errors");
  ASSERT_EQ(errors->size(), 1u) << r.body;
  EXPECT_EQ(errors->get(0).toString(), error);
  Object::Ptr source = result->getArray("sources")->getObject(0);
  EXPECT_EQ(source->getValue<std::string>("db"), "lim");
  Object::Ptr job = source->getArray("jobs")->getObject(0);
  EXPECT_EQ(job->getValue<std::string>("id"), "t_1h");
  EXPECT_EQ(job->getValue<std::string>("source_metric"), "t");
  EXPECT_FALSE(job->getValue<bool>("destination_exists"));
  EXPECT_EQ(job->getValue<int>("series"), 1);
  EXPECT_FALSE(fs::exists(fs::path(d_.root()) / "lim_1h"));
  EXPECT_EQ(d_.Get("/health").status, 200);
  EXPECT_TRUE(d_.Stop());

  d_.Configure("storage", "max_databases", "2");
  ASSERT_TRUE(d_.Start());
  EXPECT_TRUE(Eventually([&] { return Points(d_, "lim_1h", "t.count", t0).size() == 2; }))
      << d_.Log();
  // The outputs are flushed before the pass that wrote them ends and is listed.
  ASSERT_TRUE(Eventually([&] { return passes() >= 1; })) << d_.Log();
  r = d_.Get("/api/v1/rollup/status");
  ASSERT_EQ(r.status, 200) << r.body;
  result = Json(r.body)->getObject("data")->getObject("result");
  ASSERT_FALSE(result->getObject("last_pass").isNull()) << r.body;
  EXPECT_EQ(result->getObject("last_pass")->getArray("errors")->size(), 0u) << r.body;
  EXPECT_TRUE(d_.Stop());
}

// Every value of every series of a query_range answer, in order.
std::vector<double> Values(const Object::Ptr& body) {
  std::vector<double> out;
  Array::Ptr result = body->getObject("data")->getArray("result");
  for (size_t s = 0; s < result->size(); ++s) {
    Array::Ptr values = result->getObject(static_cast<unsigned>(s))->getArray("values");
    for (size_t i = 0; i < values->size(); ++i) {
      Array::Ptr p = values->getArray(static_cast<unsigned>(i));
      out.push_back(p->getElement<double>(0));
      out.push_back(std::stod(p->get(1).toString()));
    }
  }
  return out;
}

TEST_F(RollupDaemonTest, AggregateQueriesReadRollupsSaySoAndRollupOffReadsRaw) {
  ASSERT_TRUE(d_.Start());
  // 48.5 hours of 1-minute samples from a midnight three days back, with a missing hour and a
  // missing quarter hour. Every figure below follows from t0 alone, not from the minute the
  // test runs at: the range starts 17 minutes after midnight, so the first whole hour is
  // t0 + 1h and 3h windows give 17 buckets; the grace of 7 days leaves the last hour (no
  // sample after it) not rolled up, so raw samples are read from t0 + 48h.
  const int64_t t0 = NowSeconds() / 86400 * 86400 - 3 * 86400;
  const int64_t end = t0 + 48 * 3600 + 30 * 60;
  std::string lines;
  for (int64_t t = t0; t <= end; t += 60) {
    const int64_t i = (t - t0) / 60;
    if ((i >= 300 && i < 360) || (i >= 1000 && i < 1015)) continue;
    lines += "it/room.temp " + std::to_string((i * 37) % 101 - 50.5) + " " +
             std::to_string(t * 1'000'000'000) + "\n";
  }
  ASSERT_EQ(Import(lines).status, 200);
  AppendFile(fs::path(d_.root()) / "it" / "manifest.toml",
             "[rollups]\nenabled = true\ndefault_grace = \"7d\"\n[[rollups.jobs]]\n"
             "id = \"all_1h\"\nsource_pattern = \"*\"\ninterval = \"1h\"\n"
             "destination_db = \"it_1h\"\n"
             "aggregates = [\"min\", \"max\", \"avg\", \"sum\", \"count\"]\n");
  HttpResult r = d_.Post("/api/v1/rollup/backfill?dbs=it", "", "text/plain");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Points(d_, "it_1h", "room.temp.count", t0).size(), 47u);  // hour 5 is missing

  Params q = {{"db", "it"},
              {"query", "room.temp"},
              {"start", std::to_string(t0 + 17 * 60)},
              {"end", std::to_string(end)},
              {"aggregate", "avg,min,max,sum,count"},
              {"window", "3h"}};
  r = d_.Get("/api/v1/query_range", q);
  ASSERT_EQ(r.status, 200) << r.body;
  Object::Ptr rolled = Json(r.body);
  Array::Ptr uses = rolled->getObject("data")->getArray("rollups");
  ASSERT_FALSE(uses.isNull()) << r.body;
  ASSERT_EQ(uses->size(), 1u);
  Object::Ptr use = uses->getObject(0);
  EXPECT_EQ(use->getValue<std::string>("series"), "room.temp");
  Object::Ptr level = use->getArray("levels")->getObject(0);
  EXPECT_EQ(level->getValue<std::string>("db"), "it_1h");
  EXPECT_EQ(level->getValue<std::string>("interval"), "1h");
  EXPECT_EQ(level->getValue<int64_t>("start"), t0 + 3600);
  EXPECT_EQ(level->getValue<int64_t>("end"), t0 + 48 * 3600);
  EXPECT_EQ(use->getValue<int64_t>("raw_tail_start"), t0 + 48 * 3600);
  ASSERT_FALSE(rolled->getArray("infos").isNull()) << r.body;
  EXPECT_NE(rolled->getArray("infos")->get(0).toString().find("it/room.temp: read rollups "
                                                              "it_1h/room.temp.sum"),
            std::string::npos)
      << r.body;

  q.push_back({"rollup", "off"});
  r = d_.Get("/api/v1/query_range", q);
  ASSERT_EQ(r.status, 200) << r.body;
  Object::Ptr raw = Json(r.body);
  EXPECT_TRUE(raw->getObject("data")->getArray("rollups").isNull()) << r.body;
  EXPECT_TRUE(raw->getArray("infos").isNull()) << r.body;
  std::vector<double> a = Values(rolled), b = Values(raw);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), 5u * 17 * 2);  // five aggregates, 17 buckets, stamp + value
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], 1e-9 * std::max(1.0, std::abs(b[i])));

  q.back().second = "sometimes";
  r = d_.Get("/api/v1/query_range", q);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("invalid rollup"), std::string::npos) << r.body;

  // PromQL on the period grid: avg_over_time over 3h windows at a 3h step.
  Params p = {{"query", "avg_over_time(it/room.temp[3h])"},
              {"start", std::to_string(t0)},
              {"end", std::to_string(end)},
              {"step", "3h"}};
  r = d_.Get("/api/v1/query_range", p);
  ASSERT_EQ(r.status, 200) << r.body;
  Object::Ptr promql = Json(r.body);
  ASSERT_FALSE(promql->getObject("data")->getArray("rollups").isNull()) << r.body;
  p.push_back({"rollup", "off"});
  r = d_.Get("/api/v1/query_range", p);
  ASSERT_EQ(r.status, 200) << r.body;
  Object::Ptr promql_raw = Json(r.body);
  EXPECT_TRUE(promql_raw->getObject("data")->getArray("rollups").isNull()) << r.body;
  a = Values(promql);
  b = Values(promql_raw);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), 17u * 2);  // steps t0, t0 + 3h, ..., t0 + 48h
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(a[i], b[i], 1e-9 * std::max(1.0, std::abs(b[i])));
  }
  EXPECT_TRUE(d_.Stop());
}

// History older than retention_days imported over HTTP: the core's retention runs every second,
// the rollup pass later; the rollup plugin's retention hold keeps the expired days until they
// are rolled up, then retention deletes them.
TEST_F(RollupDaemonTest, RetentionKeepsImportedDaysUntilTheyAreRolledUp) {
  d_.Configure("plugins.rollup", "interval", "\"1h\"");  // no live pass after the first one
  ASSERT_TRUE(d_.Start());
  const int64_t now = NowSeconds();
  ASSERT_EQ(Import("src/other 1 " + std::to_string(now * 1'000'000'000) + "\n").status, 200);
  ASSERT_TRUE(d_.Stop());
  const fs::path dir = fs::path(d_.root()) / "src";
  std::string manifest = ReadFile(dir / "manifest.toml");
  manifest = SetTomlKey(manifest, "retention", "retention_days", "2");
  manifest = SetTomlKey(manifest, "retention", "retention_action", "\"delete\"");
  std::ofstream(dir / "manifest.toml") << manifest;
  AppendFile(dir / "manifest.toml",
             "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"temp_1h\"\n"
             "source_metric = \"temp\"\ninterval = \"1h\"\naggregates = [\"avg\", \"count\"]\n"
             "destination_db = \"src_1h\"\n");
  ASSERT_TRUE(d_.Start());

  // Five days of 10-minute samples up to now, in one request.
  const int64_t first = (now - 5 * 86400) / 600 * 600;
  std::string lines;
  for (int64_t t = first; t <= now; t += 600) {
    lines += "src/temp " + std::to_string((t / 600) % 50) + " " +
             std::to_string(t * 1'000'000'000) + "\n";
  }
  ASSERT_EQ(Import(lines).status, 200);
  const std::string oldest = "data-" + [&] {
    std::time_t t = first;
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
    return std::string(buf);
  }() + ".dat";
  // Retention finds the oldest days expired and keeps them for the job that has not run.
  ASSERT_TRUE(Eventually([&] { return d_.Log().find("retention: kept") != std::string::npos; }))
      << d_.Log();
  const std::string log = d_.Log();
  EXPECT_NE(log.find("rollup job \"temp_1h\" (temp -> src_1h, 1h) has rolled up nothing yet"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("retention: deleted"), std::string::npos) << log;
  EXPECT_TRUE(fs::exists(dir / oldest)) << log;

  // The rollups run (the backfill route runs the jobs now); the hold lets go within 10 s.
  HttpResult r = d_.Post("/api/v1/rollup/backfill?dbs=src", "", "text/plain");
  ASSERT_EQ(r.status, 200) << r.body;
  // The release is logged after the pass that deleted every expired partition.
  EXPECT_TRUE(Eventually([&] { return d_.Log().find("is released") != std::string::npos; }, 30))
      << d_.Log();
  EXPECT_FALSE(fs::exists(dir / oldest));
  EXPECT_NE(d_.Log().find("retention: deleted " + oldest), std::string::npos) << d_.Log();
  // Every hour of the five days is rolled up, the deleted ones included.
  std::vector<std::string> counts = Points(d_, "src_1h", "temp.count", first - 3600);
  ASSERT_FALSE(counts.empty());
  EXPECT_EQ(counts.front(),
            std::to_string(first / 3600 * 3600) + "=" + std::to_string(6 - (first % 3600) / 600));
  EXPECT_GE(counts.size(), 5u * 24 - 1);
  const std::vector<std::string> raw = Points(d_, "src", "temp", first);
  ASSERT_FALSE(raw.empty());
  EXPECT_GT(std::stoll(raw.front()), now - 3 * 86400) << "retention deleted nothing";
  EXPECT_TRUE(d_.Stop());
}

// Every (stamp, value) pair of each series of a query_range answer, and the answer itself.
struct Answer {
  Object::Ptr body;
  std::vector<std::vector<std::pair<int64_t, double>>> series;
};
Answer Query(const Daemon& d, const Params& params) {
  Answer a;
  HttpResult r = d.Get("/api/v1/query_range", params);
  EXPECT_EQ(r.status, 200) << r.body;
  a.body = Json(r.body);
  if (r.status != 200) return a;
  Array::Ptr result = a.body->getObject("data")->getArray("result");
  for (size_t s = 0; s < result->size(); ++s) {
    Array::Ptr values = result->getObject(static_cast<unsigned>(s))->getArray("values");
    a.series.emplace_back();
    for (size_t i = 0; i < values->size(); ++i) {
      Array::Ptr p = values->getArray(static_cast<unsigned>(i));
      a.series.back().emplace_back(p->getElement<int64_t>(0), std::stod(p->get(1).toString()));
    }
  }
  return a;
}

// Issue 12's "done when": the rollup block of README.md, read out of the README so the two
// cannot drift, saved as the manifest of `sensors` before its first sample. 99 days of
// 10-minute samples arrive over HTTP; retention deletes the raw days older than 7 once they
// are rolled up. A 90-day dashboard chart (aggregate=avg, 3h windows) then reads the hourly
// rollups, a daily view the daily cascade and the hours of the last day, and both answer what
// the generated samples give.
TEST_F(RollupDaemonTest, TheReadmeRollupBlockKeepsNinetyDaysReadableFromRollups) {
  const std::string readme = ReadFile(std::string(NANOTDB_SOURCE_DIR) + "/README.md");
  const size_t section = readme.find("\n## Rollups: long history on a small disk\n");
  ASSERT_NE(section, std::string::npos) << "README.md has no rollup section";
  const size_t open = readme.find("```toml\n", section);
  ASSERT_LT(open, readme.find("\n## ", section + 1)) << "no toml block in the rollup section";
  const size_t close = readme.find("\n```\n", open);
  const std::string block = readme.substr(open + 8, close + 1 - (open + 8));
  fs::create_directories(fs::path(d_.root()) / "sensors");
  std::ofstream(fs::path(d_.root()) / "sensors" / "manifest.toml") << block;
  ASSERT_TRUE(d_.Start());

  // Midnight yesterday; samples from 99 days before it to 06:30 of that day.
  const int64_t day = NowSeconds() / 86400 * 86400 - 86400;
  const int64_t first = day - 99 * 86400, last = day + 6 * 3600 + 1800;
  auto value = [](int64_t t) { return static_cast<double>((t / 600 * 37) % 101) / 10.0 - 5; };
  std::string lines;
  for (int64_t t = first; t <= last; t += 600) {
    lines += "sensors/room.temp{room=\"kitchen\"} " + std::to_string(value(t)) + " " +
             std::to_string(t * 1'000'000'000) + "\n";
  }
  ASSERT_EQ(Import(lines).status, 200);
  const std::string series = "room.temp{room=\"kitchen\"}";
  // Rolled up (every day before yesterday's in the daily cascade; yesterday's too once the
  // hourly job has passed its end), then the raw days older than 7 deleted.
  // The cheap check first: reading 99 raw days every 50 ms slowed the rollup it waits for. A
  // generous bound: on a loaded machine the 100 days took over 60 s (14 s alone).
  ASSERT_TRUE(Eventually(
      [&] {
        if (Points(d_, "sensors_1d", "room.temp.avg{room=\"kitchen\"}", first).size() < 99) {
          return false;
        }
        const std::vector<std::string> raw = Points(d_, "sensors", series, first);
        return !raw.empty() && std::stoll(raw.front()) > day - 8 * 86400;
      },
      240))
      << d_.Log();
  EXPECT_EQ(Points(d_, "sensors_1h", "room.temp.count{room=\"kitchen\"}", first).size(),
            99u * 24 + 7);

  // What the samples give, per window, over [start, last]; stamps are bucket starts.
  const int64_t start = day - 90 * 86400;
  auto expected = [&](int64_t window) {
    std::map<int64_t, std::vector<double>> buckets;
    for (int64_t t = start; t <= last; t += 600) buckets[t / window * window].push_back(value(t));
    std::vector<std::array<double, 3>> out;  // avg, min, max
    for (const auto& [key, values] : buckets) {
      double sum = 0;
      for (double v : values) sum += v;
      out.push_back({sum / static_cast<double>(values.size()),
                     *std::min_element(values.begin(), values.end()),
                     *std::max_element(values.begin(), values.end())});
    }
    return std::make_pair(buckets, out);
  };
  auto check = [&](int64_t window, const std::string& window_text) -> Answer {
    Answer a = Query(d_, {{"db", "sensors"},
                          {"query", "room.temp"},
                          {"start", std::to_string(start)},
                          {"end", std::to_string(last)},
                          {"aggregate", "avg,min,max"},
                          {"window", window_text}});
    const auto [buckets, want] = expected(window);
    EXPECT_EQ(a.series.size(), 3u);
    for (size_t agg = 0; agg < a.series.size(); ++agg) {
      EXPECT_EQ(a.series[agg].size(), want.size()) << window_text;
      if (a.series[agg].size() != want.size()) break;
      size_t i = 0;
      for (const auto& [key, values] : buckets) {
        EXPECT_EQ(a.series[agg][i].first, key) << window_text << " bucket " << i;
        EXPECT_NEAR(a.series[agg][i].second, want[i][agg], 1e-9) << window_text << " bucket " << i;
        ++i;
      }
    }
    return a;
  };

  // The 90-day dashboard chart: 3h windows, from the hourly rollups and the raw last half hour.
  Answer chart = check(3 * 3600, "3h");
  Array::Ptr uses = chart.body->getObject("data")->getArray("rollups");
  ASSERT_FALSE(uses.isNull()) << "the chart did not read rollups";
  Object::Ptr use = uses->getObject(0);
  Array::Ptr levels = use->getArray("levels");
  ASSERT_EQ(levels->size(), 1u);
  EXPECT_EQ(levels->getObject(0)->getValue<std::string>("db"), "sensors_1h");
  EXPECT_EQ(levels->getObject(0)->getValue<int64_t>("start"), start);
  EXPECT_EQ(levels->getObject(0)->getValue<int64_t>("end"), day + 6 * 3600);
  EXPECT_EQ(use->getValue<int64_t>("raw_tail_start"), day + 6 * 3600);

  // A daily view: 90 days from the daily cascade, the last day's hours from the hourly rollups.
  Answer daily = check(86400, "1d");
  uses = daily.body->getObject("data")->getArray("rollups");
  ASSERT_FALSE(uses.isNull());
  levels = uses->getObject(0)->getArray("levels");
  ASSERT_EQ(levels->size(), 2u);
  EXPECT_EQ(levels->getObject(0)->getValue<std::string>("db"), "sensors_1d");
  EXPECT_EQ(levels->getObject(0)->getValue<int64_t>("start"), start);
  EXPECT_EQ(levels->getObject(0)->getValue<int64_t>("end"), day);
  EXPECT_EQ(levels->getObject(1)->getValue<std::string>("db"), "sensors_1h");
  EXPECT_EQ(levels->getObject(1)->getValue<int64_t>("start"), day);
  EXPECT_EQ(levels->getObject(1)->getValue<int64_t>("end"), day + 6 * 3600);

  // The destinations were created as the block says: a year of hours, days kept.
  const std::string hourly = ReadFile(fs::path(d_.root()) / "sensors_1h" / "manifest.toml");
  EXPECT_NE(hourly.find("retention_days = 366"), std::string::npos) << hourly;
  EXPECT_NE(hourly.find("retention_action = \"delete\""), std::string::npos) << hourly;
  const std::string days = ReadFile(fs::path(d_.root()) / "sensors_1d" / "manifest.toml");
  EXPECT_NE(days.find("retention_action = \"keep\""), std::string::npos) << days;
  EXPECT_TRUE(d_.Stop());
}

// Expected value of metric k at minute i of the generated data.
double Value(int k, int i) { return (k * 7 + i) % 100; }

TEST_F(RollupDaemonTest, KillNineMidRollupResumesWithoutDuplicatesOrGaps) {
  constexpr int kMetrics = 300, kHours = 72;
  const int64_t t0 = (NowSeconds() - 10 * 86400) / 3600 * 3600;
  {
    std::ofstream lp(d_.root() + "/big.lp");
    for (int k = 0; k < kMetrics; ++k) {
      for (int i = 0; i < kHours * 60; ++i) {
        lp << "big/m" << k << " " << Value(k, i) << " " << (t0 + i * 60) << "000000000\n";
      }
    }
  }
  auto [code, out] =
      RunCommand({NANOCLI_BIN, "import", "--root", d_.root(), "--in", d_.root() + "/big.lp"});
  ASSERT_EQ(code, 0) << out;
  AppendFile(fs::path(d_.root()) / "big" / "manifest.toml",
             "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"all\"\nsource_pattern = \"m*\"\n"
             "interval = \"1h\"\ndestination_db = \"big_1h\"\n");
  const fs::path checkpoint = fs::path(d_.root()) / ".plugins/rollup/big/rollup.checkpoints.log";
  auto jobs_done = [&] {
    std::string text = ReadFile(checkpoint);
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  };

  ASSERT_TRUE(d_.Start());  // the plugin starts catching up at once
  ASSERT_TRUE(Eventually([&] { return fs::exists(checkpoint); }, 60)) << d_.Log();
  d_.Kill();  // kill -9 after the first batch was made durable
  const int at_kill = jobs_done();
  std::cout << "killed with " << at_kill << " of " << kMetrics << " jobs checkpointed\n";
  EXPECT_GT(at_kill, 0);

  ASSERT_TRUE(d_.Start());
  EXPECT_TRUE(Eventually([&] { return jobs_done() == kMetrics; }, 60)) << jobs_done();
  EXPECT_TRUE(d_.Stop());

  std::tie(code, out) = RunCommand({NANOCLI_BIN, "export", "--root", d_.root(), "--db", "big_1h",
                                    "--out", d_.root() + "/big_1h.lp"});
  ASSERT_EQ(code, 0) << out;
  // Every output series holds each hour exactly once, with the value the data gives.
  std::map<std::string, std::vector<std::string>> series;
  std::istringstream in(ReadFile(d_.root() + "/big_1h.lp"));
  std::string metric, value, date, time;
  while (in >> metric >> value >> date >> time) series[metric].push_back(value);
  ASSERT_EQ(series.size(), static_cast<size_t>(kMetrics) * 5);
  for (int k = 0; k < kMetrics; ++k) {
    const std::string base = "big_1h/m" + std::to_string(k);
    ASSERT_EQ(series[base + ".count"].size(), static_cast<size_t>(kHours)) << base;
    for (int h = 0; h < kHours; ++h) {
      double sum = 0;
      for (int i = h * 60; i < h * 60 + 60; ++i) sum += Value(k, i);
      ASSERT_EQ(std::stod(series[base + ".sum"][h]), sum) << base << " hour " << h;
      ASSERT_EQ(series[base + ".count"][h], "60");
    }
  }
}

}  // namespace
}  // namespace nanotdb::itest
