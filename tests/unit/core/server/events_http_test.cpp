#include "server/events_http.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "nanotdb/engine.h"
#include "server/core_services.h"

namespace nanotdb::server {
namespace {

constexpr Timestamp kNow = 1767225600000000000;  // 2026-01-01T00:00:00Z

class EventsHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nanotdb-events-http-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    EngineOptions o;
    o.root = root_;
    auto engine = Engine::Open(o);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
    limit_ = std::make_unique<DatabaseLimit>(*engine_, 2);
    service_ = std::make_unique<EngineEvents>(*engine_, limit_.get());
    EventRoutesOptions opts;
    opts.now = [] { return kNow; };
    opts.max_events_per_request = 5;
    routes_ = EventRoutes(*service_, opts);
  }
  void TearDown() override {
    routes_.clear();
    service_.reset();
    limit_.reset();
    engine_.reset();
    std::filesystem::remove_all(root_);
  }
  HttpResponse Call(const std::string& method, const std::string& path,
                    std::vector<std::pair<std::string, std::string>> params,
                    std::string body = "") {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.params = std::move(params);
    req.body = std::move(body);
    HttpResponse resp;
    for (const RouteSpec& r : routes_) {
      if (r.path == path && r.methods[0] == method) {
        r.handler(req, resp);
        return resp;
      }
    }
    ADD_FAILURE() << "no route " << method << " " << path;
    return resp;
  }

  std::string root_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<DatabaseLimit> limit_;
  std::unique_ptr<EngineEvents> service_;
  std::vector<RouteSpec> routes_;
};

TEST_F(EventsHttpTest, RoutesHaveTheirRoles) {
  ASSERT_EQ(routes_.size(), 3u);
  EXPECT_EQ(routes_[0].role, Role::kWrite);
  EXPECT_EQ(routes_[1].role, Role::kRead);
  EXPECT_EQ(routes_[2].role, Role::kRead);
}

TEST_F(EventsHttpTest, OneObjectIsWrittenAndReadBackExactly) {
  HttpResponse w = Call("POST", "/api/v1/events", {{"db", "demo"}},
                        R"({"name":"deploy","ts":1767225600000000001,"value":9007199254740993,
                            "payload":{ "version" : "1.2.0", "n": 1.10 }})");
  EXPECT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(w.body, "{\"status\":\"success\",\"data\":{\"written\":1,\"rejected\":0}}\n");
  HttpResponse r = Call("GET", "/api/v1/events", {{"db", "demo"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "{\"status\":\"success\",\"data\":{\"events\":[{\"name\":\"deploy\","
            "\"ts\":1767225600000000001,\"time\":\"2026-01-01T00:00:00.000000001Z\","
            "\"value\":9007199254740993,\"payload\":{\"version\":\"1.2.0\",\"n\":1.10}}],"
            "\"truncated\":false}}\n");
}

TEST_F(EventsHttpTest, ArrayItemsFailByIndexAndTheOthersAreStored) {
  HttpResponse w = Call("POST", "/api/v1/events", {{"db", "demo"}},
                        R"([{"name":"a","value":1.5},{"name":"b","value":"x"},
                            {"name":"c","db":"other"},{"value":1},{"name":"d","ts":"soon"}])");
  EXPECT_EQ(w.status, 400);
  EXPECT_NE(w.body.find("\"written\":2,\"rejected\":3"), std::string::npos) << w.body;
  EXPECT_NE(w.body.find("{\"index\":1,\"error\":\"\\\"value\\\" must be a number or null, got a "
                        "string\"}"),
            std::string::npos)
      << w.body;
  EXPECT_NE(w.body.find("{\"index\":3,\"error\":\"missing \\\"name\\\"\"}"), std::string::npos);
  EXPECT_NE(w.body.find("{\"index\":4,\"error\":\"\\\"ts\\\": invalid time \\\"soon\\\""),
            std::string::npos)
      << w.body;
  HttpResponse other = Call("GET", "/api/v1/events", {{"db", "other"}});
  EXPECT_NE(other.body.find("\"name\":\"c\""), std::string::npos) << other.body;
  EXPECT_NE(other.body.find("\"ts\":1767225600000000000"), std::string::npos);  // now
}

TEST_F(EventsHttpTest, BadRequestsAreRefusedWithTheirReason) {
  EXPECT_EQ(Call("POST", "/api/v1/events", {}, "{\"name\":").body,
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"body is not JSON: offset "
            "8: unexpected end of input, expected a value\"}\n");
  HttpResponse no_db = Call("POST", "/api/v1/events", {}, "{\"name\":\"a\"}");
  EXPECT_EQ(no_db.status, 400);
  EXPECT_NE(no_db.body.find("no database: give ?db= or \\\"db\\\" in the event"),
            std::string::npos);
  HttpResponse many = Call("POST", "/api/v1/events", {{"db", "demo"}}, "[{},{},{},{},{},{}]");
  EXPECT_EQ(many.status, 413);
  HttpResponse internal = Call("POST", "/api/v1/events", {{"db", "internal"}}, "{\"name\":\"a\"}");
  EXPECT_EQ(internal.status, 400);
  EXPECT_NE(internal.body.find("database \\\"internal\\\" is reserved"), std::string::npos);
  // max_databases = 2: a third database is not created by events either.
  Call("POST", "/api/v1/events", {{"db", "one"}}, "{\"name\":\"a\"}");
  Call("POST", "/api/v1/events", {{"db", "two"}}, "{\"name\":\"a\"}");
  HttpResponse third = Call("POST", "/api/v1/events", {{"db", "three"}}, "{\"name\":\"a\"}");
  EXPECT_NE(third.body.find("the limit of 2 databases is reached"), std::string::npos)
      << third.body;
  HttpResponse unknown = Call("GET", "/api/v1/events", {{"db", "nope"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body,
            "{\"status\":\"error\",\"errorType\":\"not_found\",\"error\":\"database \\\"nope\\\" "
            "does not exist\"}\n");
  EXPECT_EQ(Call("GET", "/api/v1/events/count", {{"db", "nope"}}).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/events", {}).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/events", {{"db", "one"}, {"limit", "0"}}).status, 400);
  EXPECT_EQ(
      Call("GET", "/api/v1/events", {{"db", "one"}, {"start", "2026-01-02"}, {"end", "2026-01-01"}})
          .status,
      400);
  EXPECT_EQ(Call("GET", "/api/v1/events/count", {{"db", "one"}, {"window", "-1h"}}).status, 400);
}

TEST_F(EventsHttpTest, RangeNameLimitAndCounts) {
  std::string body = "[";
  for (int i = 0; i < 5; ++i) {
    if (i) body += ",";
    body += "{\"name\":\"" + std::string(i % 2 ? "b" : "a") +
            "\",\"ts\":" + std::to_string(kNow + i * 1800 * kNanosPerSecond) + "}";
  }
  body += "]";
  ASSERT_EQ(Call("POST", "/api/v1/events", {{"db", "demo"}}, body).status, 200);
  HttpResponse limited = Call("GET", "/api/v1/events", {{"db", "demo"}, {"limit", "2"}});
  EXPECT_NE(limited.body.find("\"truncated\":true},\"warnings\":[\"results truncated due to "
                              "limit=2\"]"),
            std::string::npos)
      << limited.body;
  // Newest first: the two latest events, the latest first, and truncated says older ones exist.
  HttpResponse newest =
      Call("GET", "/api/v1/events", {{"db", "demo"}, {"limit", "2"}, {"order", "desc"}});
  size_t latest = newest.body.find("\"time\":\"2026-01-01T02:00:00Z\"");
  size_t second = newest.body.find("\"time\":\"2026-01-01T01:30:00Z\"");
  EXPECT_NE(latest, std::string::npos) << newest.body;
  EXPECT_NE(second, std::string::npos) << newest.body;
  EXPECT_LT(latest, second) << newest.body;
  EXPECT_EQ(newest.body.find("\"time\":\"2026-01-01T01:00:00Z\""), std::string::npos);
  EXPECT_NE(newest.body.find("\"truncated\":true"), std::string::npos) << newest.body;
  HttpResponse all_newest = Call("GET", "/api/v1/events", {{"db", "demo"}, {"order", "desc"}});
  EXPECT_NE(all_newest.body.find("\"truncated\":false"), std::string::npos) << all_newest.body;
  EXPECT_LT(all_newest.body.find("02:00:00Z"), all_newest.body.find("00:00:00Z"));
  HttpResponse bad_order = Call("GET", "/api/v1/events", {{"db", "demo"}, {"order", "newest"}});
  EXPECT_EQ(bad_order.status, 400);
  EXPECT_NE(bad_order.body.find("order=newest: expected asc (oldest first) or desc (newest first)"),
            std::string::npos)
      << bad_order.body;
  HttpResponse named = Call("GET", "/api/v1/events",
                            {{"db", "demo"}, {"name", "a"}, {"start", std::to_string(kNow + 1)}});
  EXPECT_EQ(named.body.find("\"ts\":1767225600000000000"), std::string::npos);
  EXPECT_NE(named.body.find("\"time\":\"2026-01-01T01:00:00Z\""), std::string::npos);
  EXPECT_NE(named.body.find("\"time\":\"2026-01-01T02:00:00Z\""), std::string::npos);
  HttpResponse counts = Call("GET", "/api/v1/events/count", {{"db", "demo"}, {"window", "1h"}});
  EXPECT_EQ(counts.body,
            "{\"status\":\"success\",\"data\":{\"window\":3600000000000,\"counts\":["
            "{\"name\":\"a\",\"buckets\":[[1767225600000000000,1],[1767229200000000000,1],"
            "[1767232800000000000,1]]},"
            "{\"name\":\"b\",\"buckets\":[[1767225600000000000,1],[1767229200000000000,1]]}]}}\n");
  HttpResponse total = Call("GET", "/api/v1/events/count", {{"db", "demo"}, {"name", "b"}});
  EXPECT_EQ(total.body,
            "{\"status\":\"success\",\"data\":{\"window\":null,\"counts\":["
            "{\"name\":\"b\",\"buckets\":[[1767227400000000000,2]]}]}}\n");
}

}  // namespace
}  // namespace nanotdb::server
