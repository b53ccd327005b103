// Internal events against the real daemon: what nanotdb records about itself in database
// `internal` (docs/events.md, "Internal events") — start, clean and dirty shutdown, WAL replay,
// retention deletions, rollup windows, auth failures and their flood bound.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/daemon.h"

namespace nanotdb::itest {
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

struct Stored {
  std::string name;
  std::string value;    // "" when none
  Object::Ptr payload;  // null when none
};

std::vector<Stored> InternalEvents(const Daemon& d, const std::string& name = "") {
  Params params = {{"db", "internal"}, {"limit", "100000"}};
  if (!name.empty()) params.emplace_back("name", name);
  HttpResult r = d.Get("/api/v1/events", params);
  std::vector<Stored> out;
  if (r.status == 404) return out;  // no internal event stored yet
  EXPECT_EQ(r.status, 200) << r.body;
  try {
    Object::Ptr json = Poco::JSON::Parser().parse(r.body).extract<Object::Ptr>();
    Array::Ptr events = json->getObject("data")->getArray("events");
    for (size_t i = 0; i < events->size(); ++i) {
      Object::Ptr e = events->getObject(static_cast<unsigned>(i));
      Stored s;
      s.name = e->getValue<std::string>("name");
      if (!e->isNull("value")) s.value = e->get("value").toString();
      if (!e->isNull("payload")) s.payload = e->getObject("payload");
      out.push_back(std::move(s));
    }
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "bad answer (" << e.displayText() << "): " << r.body;
  }
  return out;
}

std::vector<std::string> Names(const Daemon& d) {
  std::vector<std::string> out;
  for (const Stored& s : InternalEvents(d)) out.push_back(s.name);
  return out;
}

template <typename Fn>
bool Eventually(Fn fn, int seconds = 15) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return fn();
}

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

size_t Count(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<size_t>(std::count(names.begin(), names.end(), name));
}

TEST(InternalEventsDaemonTest, StartCleanStopKillNineAndStartShowADirtyShutdown) {
  Daemon d;
  ASSERT_TRUE(d.Start());
  ASSERT_TRUE(Eventually([&] { return Count(Names(d), "nanotdb.started") == 1; })) << d.Log();
  std::vector<Stored> started = InternalEvents(d, "nanotdb.started");
  ASSERT_EQ(started.size(), 1u);
  ASSERT_FALSE(started[0].payload.isNull());
  EXPECT_EQ(started[0].payload->getValue<int>("port"), d.port());
  EXPECT_EQ(started[0].payload->getValue<int>("pid"), d.pid());
  EXPECT_TRUE(started[0].payload->has("version"));
  EXPECT_NE(started[0].payload->get("plugins").toString().find("query-vm"), std::string::npos);
  ASSERT_TRUE(d.Stop());
  EXPECT_FALSE(fs::exists(d.root() + "/.running"));

  ASSERT_TRUE(d.Start());
  EXPECT_TRUE(fs::exists(d.root() + "/.running"));
  ASSERT_TRUE(Eventually([&] { return Count(Names(d), "nanotdb.started") == 2; })) << d.Log();
  const pid_t killed = d.pid();
  d.Kill();
  ASSERT_TRUE(d.Start());
  ASSERT_TRUE(Eventually([&] { return Count(Names(d), "nanotdb.started") == 3; })) << d.Log();
  EXPECT_EQ(Names(d), (std::vector<std::string>{"nanotdb.started", "nanotdb.shutdown.clean",
                                                "nanotdb.started", "nanotdb.shutdown.dirty",
                                                "nanotdb.started"}));
  std::vector<Stored> dirty = InternalEvents(d, "nanotdb.shutdown.dirty");
  ASSERT_EQ(dirty.size(), 1u);
  EXPECT_EQ(dirty[0].payload->getObject("previous")->getValue<int>("pid"), killed);
  EXPECT_NE(d.Log().find("did not shut down cleanly"), std::string::npos);
  ASSERT_TRUE(d.Stop());
}

TEST(InternalEventsDaemonTest, SamplesReplayedFromTheWalAfterKillNineAreRecorded) {
  Daemon d;
  ASSERT_TRUE(d.Start());
  const int64_t now = NowSeconds();
  std::string lines;
  for (int i = 0; i < 5; ++i) {
    lines += "home/temp " + std::to_string(20 + i) + " " +
             std::to_string((now - 60 + i) * 1'000'000'000) + "\n";
  }
  ASSERT_EQ(d.Post("/api/v1/import", lines).status, 200);
  d.Kill();
  ASSERT_TRUE(d.Start());
  ASSERT_TRUE(Eventually([&] { return !InternalEvents(d, "nanotdb.wal.replayed").empty(); }))
      << d.Log();
  std::vector<Stored> replayed = InternalEvents(d, "nanotdb.wal.replayed");
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].value, "5");
  EXPECT_EQ(replayed[0].payload->getValue<std::string>("db"), "home");
  EXPECT_EQ(replayed[0].payload->getValue<int>("samples"), 5);
  // The clean stop flushes the replayed page: that is recorded too, with its file.
  ASSERT_TRUE(d.Stop());
  ASSERT_TRUE(d.Start());
  ASSERT_TRUE(Eventually([&] { return Count(Names(d), "nanotdb.started") == 3; })) << d.Log();
  std::vector<Stored> flushed = InternalEvents(d, "nanotdb.partition.flushed");
  ASSERT_FALSE(flushed.empty());
  EXPECT_EQ(flushed.back().payload->getValue<std::string>("db"), "home");
  EXPECT_EQ(flushed.back().payload->getValue<int>("samples"), 5);
  EXPECT_EQ(flushed.back().payload->getValue<std::string>("file").rfind("data-", 0), 0u);
  ASSERT_TRUE(d.Stop());
}

TEST(InternalEventsDaemonTest, RetentionDeletingAPartitionIsRecorded) {
  Daemon d;
  ASSERT_TRUE(d.Start());
  // Today and ten days back; the clean stop flushes both into data files.
  const int64_t now = NowSeconds();
  const int64_t old = (now - 10 * 86400) / 86400 * 86400 + 3600;
  ASSERT_EQ(d.Post("/api/v1/import", "old/v 1 " + std::to_string(now * 1'000'000'000) +
                                         "\nold/w 7 " + std::to_string(old * 1'000'000'000) + "\n")
                .status,
            200);
  ASSERT_TRUE(d.Stop());
  const fs::path manifest = fs::path(d.root()) / "old" / "manifest.toml";
  std::string text = ReadFile(manifest);
  text = SetTomlKey(text, "retention", "retention_days", "2");
  text = SetTomlKey(text, "retention", "retention_action", "\"delete\"");
  std::ofstream(manifest) << text;
  ASSERT_TRUE(d.Start());
  ASSERT_TRUE(Eventually([&] {
    for (const Stored& s : InternalEvents(d, "nanotdb.partition.deleted")) {
      // The data file, or the metric file metricfiles' build_on_seal replaced it with.
      const std::string file = s.payload->getValue<std::string>("file");
      if (s.payload->getValue<std::string>("reason") == "retention" &&
          (file.rfind("data-", 0) == 0 || file.rfind("metric-", 0) == 0)) {
        return true;
      }
    }
    return false;
  })) << d.Log();
  std::vector<Stored> deleted = InternalEvents(d, "nanotdb.partition.deleted");
  const Stored& data = deleted.front();
  EXPECT_EQ(data.payload->getValue<std::string>("db"), "old");
  EXPECT_EQ(data.payload->getValue<int>("retention_days"), 2);
  EXPECT_GT(std::stoll(data.value), 0);
  const std::string key = data.payload->getValue<std::string>("partition");
  EXPECT_FALSE(fs::exists(fs::path(d.root()) / "old" / ("data-" + key + ".dat")));
  EXPECT_FALSE(fs::exists(fs::path(d.root()) / "old" / ("metric-" + key + ".ntm")));
  ASSERT_TRUE(d.Stop());
}

TEST(InternalEventsDaemonTest, AuthFailuresAreRecordedAndAFloodStaysBounded) {
  Daemon d;
  d.Configure("auth", "write_token", "\"wtok\"");
  ASSERT_TRUE(d.Start());
  for (int i = 0; i < 300; ++i) {
    HttpResult r = d.Post("/api/v1/import", "home/x 1\n", "text/plain",
                          {{"Authorization", "Bearer wrong-" + std::to_string(i)}});
    ASSERT_EQ(r.status, 401) << r.body;
  }
  // The first ten of the minute are events; nothing else of the flood reached the store.
  ASSERT_TRUE(Eventually([&] { return InternalEvents(d, "nanotdb.auth.failure").size() == 10; }))
      << d.Log();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // two more drains
  std::vector<Stored> failures = InternalEvents(d, "nanotdb.auth.failure");
  ASSERT_EQ(failures.size(), 10u);
  EXPECT_EQ(failures[0].value, "401");
  EXPECT_EQ(failures[0].payload->getValue<std::string>("remote"), "127.0.0.1");
  EXPECT_EQ(failures[0].payload->getValue<std::string>("path"), "/api/v1/import");
  EXPECT_EQ(failures[0].payload->getValue<std::string>("method"), "POST");
  // The token itself is never recorded.
  HttpResult all = d.Get("/api/v1/events", {{"db", "internal"}});
  EXPECT_EQ(all.body.find("wrong-"), std::string::npos);
  // Writing to the internal database stays refused to clients.
  HttpResult forged = d.Post("/api/v1/events?db=internal", R"({"name":"nanotdb.shutdown.clean"})",
                             "application/json", {{"Authorization", "Bearer wtok"}});
  EXPECT_EQ(forged.status, 400) << forged.body;
  EXPECT_NE(forged.body.find("reserved"), std::string::npos) << forged.body;
  ASSERT_TRUE(d.Stop());
}

TEST(InternalEventsDaemonTest, RolledUpWindowsAreRecordedByTheRollupPlugin) {
  Daemon d;
  d.Configure("plugins.rollup", "interval", "\"1s\"");
  ASSERT_TRUE(d.Start());
  // Three whole hours, two to five hours back: done as soon as the job first runs.
  const int64_t first = (NowSeconds() / 3600 - 5) * 3600;
  ASSERT_EQ(
      d.Post("/api/v1/import", "src/temp 1 " + std::to_string(first * 1'000'000'000) + "\n").status,
      200);
  std::ofstream(fs::path(d.root()) / "src" / "manifest.toml", std::ios::app)
      << "[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"temp_1h\"\n"
         "source_metric = \"temp\"\ninterval = \"1h\"\naggregates = [\"avg\", \"count\"]\n"
         "destination_db = \"src_1h\"\n";
  std::string lines;
  for (int64_t t = first + 600; t < first + 3 * 3600; t += 600) {
    lines += "src/temp 2 " + std::to_string(t * 1'000'000'000) + "\n";
  }
  ASSERT_EQ(d.Post("/api/v1/import", lines).status, 200);
  ASSERT_TRUE(Eventually([&] { return !InternalEvents(d, "nanotdb.rollup.window.done").empty(); }))
      << d.Log();
  std::vector<Stored> done = InternalEvents(d, "nanotdb.rollup.window.done");
  const Object::Ptr& p = done.front().payload;
  EXPECT_EQ(p->getValue<std::string>("db"), "src");
  EXPECT_EQ(p->getValue<std::string>("job"), "temp_1h");
  EXPECT_EQ(p->getValue<std::string>("destination_db"), "src_1h");
  EXPECT_EQ(p->getValue<std::string>("interval"), "1h");
  // Three hours, two aggregates each: six outputs (later passes add the hours since).
  EXPECT_GE(std::stoll(done.front().value), 6);
  EXPECT_EQ(std::stoll(done.front().value), p->getValue<int64_t>("points"));
  ASSERT_TRUE(d.Stop());
}

}  // namespace
}  // namespace nanotdb::itest
