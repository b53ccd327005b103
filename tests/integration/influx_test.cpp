// The InfluxDB write API of ingest-lineproto in the real daemon: 1.x and 2.x writes read back
// exactly through the query API.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "nanotdb/series.h"
#include "tests/integration/daemon.h"

namespace nanotdb::itest {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Every series of `db` (as its series key) with its latest value text.
std::map<std::string, std::string> Latest(const Daemon& d, const std::string& db) {
  std::map<std::string, std::string> out;
  HttpResult r = d.Get("/api/v1/query", {{"query", "{db=\"" + db + "\"}"}});
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return out;
  Array::Ptr result =
      Poco::JSON::Parser().parse(r.body).extract<Object::Ptr>()->getObject("data")->getArray(
          "result");
  for (size_t i = 0; i < result->size(); ++i) {
    Object::Ptr s = result->getObject(static_cast<unsigned>(i));
    std::string name;
    Labels labels;
    for (const auto& [k, v] : *s->getObject("metric")) {
      if (k == "__name__") {
        name = v.toString();
      } else if (k != "db") {
        labels.push_back({k, v.toString()});
      }
    }
    // Either labels beside the name, or the whole key as the name.
    std::string key = labels.empty() ? name : MakeSeriesKey(name, labels).value();
    out[key] = s->getArray("value")->get(1).toString();
  }
  return out;
}

TEST(InfluxIntegrationTest, V1AndV2WritesReadBackExactly) {
  Daemon d;
  ASSERT_TRUE(d.Start());
  EXPECT_EQ(d.Get("/ping").status, 204);
  int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  HttpResult r = d.Post("/write?db=tele&precision=s",
                        "disk,host=pi read_bytes=5000000000i,free=2.5437478912e+10,ok=true " +
                            std::to_string(now_s) + "\n");
  EXPECT_EQ(r.status, 204) << r.body;
  r = d.Post("/api/v2/write?bucket=tele&org=home&precision=ms",
             "temp,room=attic celsius=21.15 " + std::to_string(now_s * 1000) + "\n", "text/plain",
             {{"Authorization", "Token "}});
  EXPECT_EQ(r.status, 204) << r.body;
  std::map<std::string, std::string> latest = Latest(d, "tele");
  EXPECT_EQ(latest["disk_read_bytes{host=\"pi\"}"], "5000000000");
  EXPECT_EQ(latest["disk_free{host=\"pi\"}"], "25437478912");
  EXPECT_EQ(latest["disk_ok{host=\"pi\"}"], "1");
  EXPECT_EQ(latest["temp_celsius{room=\"attic\"}"], "21.15");

  r = d.Post("/write?db=tele", "disk,host=pi read_bytes=oops\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "{\"error\":\"partial write: line 1: invalid field value \\\"oops\\\" of "
            "\\\"read_bytes\\\" (expected a number, 42i, 42u, a boolean or a \\\"string\\\") "
            "(stored 0 samples, rejected 1)\"}\n");
  EXPECT_EQ(d.Post("/write", "m v=1\n").body,
            "{\"error\":\"database is required: add ?db=<name>\"}\n");
  EXPECT_TRUE(d.Stop());
}

}  // namespace
}  // namespace nanotdb::itest
