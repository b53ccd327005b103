#include "ingest_handler.h"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nanotdb {
namespace {

constexpr Timestamp kNow = 1715000000 * kNanosPerSecond;

struct StoredPoint {
  std::string db, metric;
  Timestamp ts;
  Value value;
};

// Keeps what it is given; refuses points of metric "typed" (as a type mismatch would) and,
// when `fail` is set, the whole batch (as an I/O failure would).
class FakeWriter : public WriterService {
 public:
  Result<BatchResult> WriteBatch(std::span<const PointRef> points) noexcept override {
    batch_sizes.push_back(points.size());
    if (fail) return Status::IOError("disk full writing demo.wal");
    BatchResult res;
    for (size_t i = 0; i < points.size(); ++i) {
      const PointRef& p = points[i];
      if (p.metric == "typed") {
        res.rejected.push_back({i, Status::TypeMismatch("metric \"typed\" is int32")});
        continue;
      }
      stored.push_back({std::string(p.db), std::string(p.metric), p.ts, p.value});
      ++res.accepted;
    }
    return res;
  }

  std::vector<StoredPoint> stored;
  std::vector<size_t> batch_sizes;
  bool fail = false;
};

class ImportHandlerTest : public ::testing::Test {
 protected:
  HttpResponse Post(std::string body, std::string content_type = "text/plain",
                    size_t batch_size = 10'000) {
    IngestOptions options;
    options.batch_size = batch_size;
    options.now = [] { return kNow; };
    ImportHandler handler(writer_, std::move(options));
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/v1/import";
    req.headers["content-type"] = std::move(content_type);
    req.body = std::move(body);
    HttpResponse resp;
    handler.Handle(req, resp);
    return resp;
  }

  static Poco::JSON::Object::Ptr Json(const HttpResponse& resp) {
    return Poco::JSON::Parser().parse(resp.body).extract<Poco::JSON::Object::Ptr>();
  }

  FakeWriter writer_;
};

TEST_F(ImportHandlerTest, GoodBodyIsImportedAndCounted) {
  HttpResponse resp = Post("demo/room.temp 21.5\ndemo/room.count 3i 1715000000000000000\n");
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.content_type, "application/json");
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"imported\":2,\"rejected\":0,\"duplicates\":0}}\n");
  ASSERT_EQ(writer_.stored.size(), 2u);
  EXPECT_EQ(writer_.stored[0].db, "demo");
  EXPECT_EQ(writer_.stored[0].metric, "room.temp");
  EXPECT_EQ(writer_.stored[0].ts, kNow);  // no timestamp: the server's clock
  EXPECT_EQ(writer_.stored[0].value.AsFloat64(), 21.5f);
  EXPECT_EQ(writer_.stored[1].value.type, ValueType::kInt64);
  EXPECT_EQ(writer_.stored[1].ts, 1715000000000000000);
}

TEST_F(ImportHandlerTest, JsonBodyCarriesLines) {
  HttpResponse resp =
      Post("{\"lines\":\"demo/a 1\\ndemo/b 2i\"}", "application/json; charset=utf-8");
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(writer_.stored.size(), 2u);
}

TEST_F(ImportHandlerTest, MalformedJsonIsBadData) {
  HttpResponse resp = Post("{\"lines\":", "application/json");
  EXPECT_EQ(resp.status, 400);
  EXPECT_TRUE(Json(resp)->getValue<std::string>("error").starts_with("invalid JSON body"));
  resp = Post("{\"line\":\"demo/a 1\"}", "application/json");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Json(resp)->getValue<std::string>("error"),
            "invalid JSON body: expected {\"lines\":\"<line protocol>\"}");
  resp = Post("[1,2]", "application/json");
  EXPECT_EQ(resp.status, 400);
  EXPECT_TRUE(writer_.stored.empty());
}

TEST_F(ImportHandlerTest, EmptyBodyIsBadData) {
  HttpResponse resp = Post("");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Json(resp)->getValue<std::string>("errorType"), "bad_data");
  EXPECT_TRUE(Json(resp)->getValue<std::string>("error").starts_with("empty request body"));
  EXPECT_TRUE(writer_.batch_sizes.empty());
}

TEST_F(ImportHandlerTest, BadLinesAreReportedByLineAndGoodLinesKept) {
  HttpResponse resp = Post("demo/a 1\n# comment\ndemo/b 4x2\n\ndemo/c 3\nnoslash 1\n");
  EXPECT_EQ(resp.status, 400);
  auto json = Json(resp);
  EXPECT_EQ(json->getValue<std::string>("status"), "error");
  EXPECT_EQ(json->getValue<std::string>("errorType"), "bad_data");
  EXPECT_TRUE(json->getValue<std::string>("error").starts_with("line 3: ")) << resp.body;
  auto data = json->getObject("data");
  EXPECT_EQ(data->getValue<int>("imported"), 2);
  EXPECT_EQ(data->getValue<int>("rejected"), 2);
  auto errors = data->getArray("errors");
  ASSERT_EQ(errors->size(), 2u);
  EXPECT_EQ(errors->getObject(0)->getValue<int>("line"), 3);
  EXPECT_NE(errors->getObject(0)->getValue<std::string>("error").find("4x2"), std::string::npos);
  EXPECT_EQ(errors->getObject(1)->getValue<int>("line"), 6);
  ASSERT_EQ(writer_.stored.size(), 2u);
  EXPECT_EQ(writer_.stored[0].metric, "a");
  EXPECT_EQ(writer_.stored[1].metric, "c");
}

TEST_F(ImportHandlerTest, StorageRefusalsAreMergedWithParseErrorsInLineOrder) {
  HttpResponse resp = Post("demo/typed 1\ndemo/a 1\ndemo/b bad\ndemo/typed 2\n");
  EXPECT_EQ(resp.status, 400);
  auto data = Json(resp)->getObject("data");
  EXPECT_EQ(data->getValue<int>("imported"), 1);
  EXPECT_EQ(data->getValue<int>("rejected"), 3);
  auto errors = data->getArray("errors");
  ASSERT_EQ(errors->size(), 3u);
  EXPECT_EQ(errors->getObject(0)->getValue<int>("line"), 1);
  EXPECT_EQ(errors->getObject(0)->getValue<std::string>("error"), "metric \"typed\" is int32");
  EXPECT_EQ(errors->getObject(1)->getValue<int>("line"), 3);
  EXPECT_EQ(errors->getObject(2)->getValue<int>("line"), 4);
  EXPECT_EQ(Json(resp)->getValue<std::string>("error"), "line 1: metric \"typed\" is int32");
}

TEST_F(ImportHandlerTest, ErrorListIsCappedButEveryRejectionCounted) {
  std::string body;
  for (int i = 0; i < 30; ++i) body += "demo/typed 1\ndemo/x nope\n";
  HttpResponse resp = Post(body, "text/plain", 7);
  auto data = Json(resp)->getObject("data");
  EXPECT_EQ(data->getValue<int>("imported"), 0);
  EXPECT_EQ(data->getValue<int>("rejected"), 60);
  auto errors = data->getArray("errors");
  ASSERT_EQ(errors->size(), 20u);
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(errors->getObject(static_cast<unsigned>(i))->getValue<size_t>("line"), i + 1);
  }
}

TEST_F(ImportHandlerTest, PointsAreWrittenInChunksOfBatchSize) {
  std::string body;
  for (int i = 0; i < 5; ++i) body += "demo/a " + std::to_string(i) + "\n";
  HttpResponse resp = Post(body, "text/plain", 2);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(writer_.batch_sizes, (std::vector<size_t>{2, 2, 1}));
  ASSERT_EQ(writer_.stored.size(), 5u);
  EXPECT_EQ(writer_.stored[4].value.AsFloat64(), 4.0f);
}

TEST_F(ImportHandlerTest, StorageFailureStopsTheImportWith500) {
  writer_.fail = true;
  std::string body;
  for (int i = 0; i < 5; ++i) body += "demo/a " + std::to_string(i) + "\n";
  HttpResponse resp = Post(body, "text/plain", 2);
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(Json(resp)->getValue<std::string>("errorType"), "execution");
  EXPECT_NE(Json(resp)->getValue<std::string>("error").find("disk full"), std::string::npos);
  EXPECT_EQ(writer_.batch_sizes.size(), 1u);
}

TEST(ImportHandlerRouteTest, RouteIsPostOnlyWithRoleWrite) {
  FakeWriter writer;
  ImportHandler handler(writer);
  RouteSpec route = handler.Route();
  EXPECT_EQ(route.path, "/api/v1/import");
  EXPECT_EQ(route.methods, (std::vector<std::string>{"POST"}));
  EXPECT_EQ(route.role, Role::kWrite);
}

}  // namespace
}  // namespace nanotdb
