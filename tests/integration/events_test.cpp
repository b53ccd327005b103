// Events against the real daemon: POST /api/v1/events, GET /api/v1/events and its count, a
// restart, and a damaged events file that costs one write's block.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/integration/daemon.h"

namespace nanotdb::itest {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Names of the events of `db`, in the order the daemon returns them.
std::vector<std::string> EventNames(const Daemon& d, const std::string& db, Params extra = {}) {
  extra.emplace_back("db", db);
  HttpResult r = d.Get("/api/v1/events", extra);
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> out;
  try {
    Object::Ptr json = Poco::JSON::Parser().parse(r.body).extract<Object::Ptr>();
    Array::Ptr events = json->getObject("data")->getArray("events");
    for (size_t i = 0; i < events->size(); ++i) {
      out.push_back(events->getObject(static_cast<unsigned>(i))->getValue<std::string>("name"));
    }
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "bad answer (" << e.displayText() << "): " << r.body;
  }
  return out;
}

TEST(EventsDaemonTest, WrittenEventsReadBackInTimeOrderAfterARestart) {
  Daemon d;
  ASSERT_TRUE(d.Start());
  HttpResult w = d.Post("/api/v1/events?db=home",
                        R"([{"name":"door.open","ts":"2026-05-01T10:00:02Z","value":1},
                            {"name":"deploy","ts":"2026-05-01T10:00:01Z",
                             "payload":{"version":"1.4.2","by":"ci"}},
                            {"name":"door.open","ts":"2026-05-02T08:00:00Z","value":0}])",
                        "application/json");
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_NE(w.body.find("\"written\":3"), std::string::npos);
  EXPECT_EQ(EventNames(d, "home"), (std::vector<std::string>{"deploy", "door.open", "door.open"}));

  ASSERT_TRUE(d.Stop());
  EXPECT_TRUE(std::filesystem::exists(d.root() + "/home/events-2026-05-01.evt"));
  EXPECT_TRUE(std::filesystem::exists(d.root() + "/home/events-2026-05-02.evt"));
  ASSERT_TRUE(d.Start());
  EXPECT_EQ(EventNames(d, "home", {{"name", "door.open"}, {"end", "2026-05-01T23:59:59Z"}}),
            std::vector<std::string>{"door.open"});
  HttpResult count = d.Get("/api/v1/events/count", {{"db", "home"}, {"window", "1d"}});
  EXPECT_EQ(count.status, 200);
  EXPECT_NE(count.body.find("{\"name\":\"door.open\",\"buckets\":[[1777593600000000000,1],"
                            "[1777680000000000000,1]]}"),
            std::string::npos)
      << count.body;
  HttpResult full = d.Get("/api/v1/events", {{"db", "home"}, {"name", "deploy"}});
  EXPECT_NE(full.body.find("\"payload\":{\"version\":\"1.4.2\",\"by\":\"ci\"}"), std::string::npos)
      << full.body;
  ASSERT_TRUE(d.Stop());
}

TEST(EventsDaemonTest, ADamagedBlockCostsOneWriteAndIsReported) {
  Daemon d;
  ASSERT_TRUE(d.Start());
  for (const char* name : {"first", "second", "third"}) {
    HttpResult w =
        d.Post("/api/v1/events?db=home",
               std::string("{\"name\":\"") + name + "\",\"ts\":\"2026-05-01T10:00:00Z\"}",
               "application/json");
    ASSERT_EQ(w.status, 200) << w.body;
  }
  ASSERT_TRUE(d.Stop());
  const std::string path = d.root() + "/home/events-2026-05-01.evt";
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = bytes.find("second");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'S';
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  ASSERT_TRUE(d.Start());
  EXPECT_EQ(EventNames(d, "home"), (std::vector<std::string>{"first", "third"}));
  HttpResult r = d.Get("/api/v1/events", {{"db", "home"}});
  EXPECT_NE(r.body.find("\"warnings\":[\"damaged events skipped: home/events-2026-05-01.evt "
                        "offset "),
            std::string::npos)
      << r.body;
  // A new write to the partition appends after the damage, which stays in place.
  ASSERT_EQ(d.Post("/api/v1/events?db=home", R"({"name":"fourth","ts":"2026-05-01T11:00:00Z"})",
                   "application/json")
                .status,
            200);
  EXPECT_EQ(EventNames(d, "home"), (std::vector<std::string>{"first", "third", "fourth"}));
  ASSERT_TRUE(d.Stop());
}

}  // namespace
}  // namespace nanotdb::itest
