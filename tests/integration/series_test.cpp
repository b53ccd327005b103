// Series identity in the real daemon: labelled series through the line protocol, selection by
// label through the discovery endpoints and PromQL, and [storage] max_series_per_database.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "tests/integration/daemon.h"

namespace nanotdb::itest {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr Json(const HttpResult& r) {
  try {
    return Poco::JSON::Parser().parse(r.body).extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "not a JSON object (" << e.displayText() << "): " << r.body;
    return new Object;
  }
}

class SeriesTest : public ::testing::Test {
 protected:
  HttpResult Import(const std::string& lines) {
    return d_.Post("/api/v1/import", lines, "text/plain");
  }
  Daemon d_;
};

TEST_F(SeriesTest, LabelledLinesAreSelectableByLabelAndSurviveARestart) {
  ASSERT_TRUE(d_.Start());
  HttpResult r = Import(
      "node/node_load1{job=\"node\",instance=\"a:9100\"} 0.5 1715000000000000000\n"
      "node/node_load1{ instance='b:9100', job=\"node\" } 0.75 1715000000000000000\n"
      "node/hass_temp{friendly_name=\"Living room\"} 21.5 1715000000000000000\n"
      "node/node_load1{instance=\"a:9100\",job=\"node\"} 0.25 1715000060000000000\n");
  ASSERT_EQ(r.status, 200) << r.body;
  for (int round = 0; round < 2; ++round) {
    r = d_.Get("/api/v1/series", {{"match[]", "node_load1{instance=~\"a.*\"}"}});
    EXPECT_EQ(r.body,
              "{\"status\":\"success\",\"data\":[{\"__name__\":\"node_load1\",\"db\":"
              "\"node\",\"instance\":\"a:9100\",\"job\":\"node\"}]}\n")
        << "round " << round;
    r = d_.Get("/api/v1/label/instance/values");
    EXPECT_EQ(r.body, "{\"status\":\"success\",\"data\":[\"a:9100\",\"b:9100\"]}\n");
    r = d_.Get("/api/v1/query",
               {{"query", "hass_temp{friendly_name=\"Living room\"}"}, {"time", "1715000100"}});
    EXPECT_NE(r.body.find("\"value\":[1715000100,\"21.5\"]"), std::string::npos) << r.body;
    r = d_.Get("/api/v1/query",
               {{"query", "sum(node_load1{job=\"node\"})"}, {"time", "1715000100"}});
    EXPECT_NE(r.body.find("\"value\":[1715000100,\"1\"]"), std::string::npos) << r.body;
    r = d_.Get("/api/v1/metrics", {{"db", "node"}});
    EXPECT_EQ(Json(r)->getObject("data")->getArray("result")->size(), 3u) << r.body;
    ASSERT_TRUE(d_.Stop());
    if (round == 0) ASSERT_TRUE(d_.Start());
  }
}

TEST_F(SeriesTest, SeriesPastTheLimitAreRejectedPerLineAndTheRestIsKept) {
  d_.Configure("storage", "max_series_per_database", "3");
  ASSERT_TRUE(d_.Start());
  HttpResult r = Import("demo/a{x=\"1\"} 1\ndemo/a{x=\"2\"} 1\n");
  ASSERT_EQ(r.status, 200) << r.body;
  r = Import("demo/a{x=\"3\"} 2\ndemo/a{x=\"4\"} 2\ndemo/a{x=\"1\"} 3\nother/a{x=\"4\"} 1\n");
  ASSERT_EQ(r.status, 400) << r.body;
  Object::Ptr data = Json(r)->getObject("data");
  EXPECT_EQ(data->getValue<int>("imported"), 3);
  EXPECT_EQ(data->getValue<int>("rejected"), 1);
  Array::Ptr errors = data->getArray("errors");
  ASSERT_EQ(errors->size(), 1u) << r.body;
  EXPECT_EQ(errors->getObject(0)->getValue<int>("line"), 2);
  EXPECT_EQ(errors->getObject(0)->getValue<std::string>("error"),
            "database \"demo\" already holds 3 series, the limit ([storage] "
            "max_series_per_database = 3); series \"a{x=\"4\"}\" was not created");
  // What was stored is untouched and existing series keep taking samples.
  r = d_.Get("/api/v1/series", {{"match[]", "{db=\"demo\"}"}});
  EXPECT_EQ(Json(r)->getArray("data")->size(), 3u) << r.body;
  r = d_.Get("/api/v1/query", {{"query", "a{db=\"demo\",x=\"1\"}"}});
  EXPECT_NE(r.body.find("\"3\"]"), std::string::npos) << r.body;
  r = d_.Get("/api/v1/query", {{"query", "a{db=\"other\"}"}});
  EXPECT_NE(r.body.find("\"x\":\"4\""), std::string::npos) << r.body;
  EXPECT_TRUE(d_.Stop());
}

}  // namespace
}  // namespace nanotdb::itest
