#include "text_import.h"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <cmath>

#include "tests/unit/plugins/ingest-prometheus/test_writer.h"

namespace nanotdb::prom {
namespace {

constexpr Timestamp kNow = 1715000000 * kNanosPerSecond;

class TextImportTest : public ::testing::Test {
 protected:
  HttpResponse Post(std::string body, std::vector<std::pair<std::string, std::string>> params = {},
                    std::string content_type = "text/plain; version=0.0.4") {
    TextImportOptions options;
    options.batch_size = batch_size_;
    options.now = [] { return kNow; };
    TextImportHandler handler(writer_, metadata_, options);
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/v1/import/prometheus";
    req.params = std::move(params);
    req.headers["content-type"] = std::move(content_type);
    req.body = std::move(body);
    HttpResponse resp;
    handler.Handle(req, resp);
    return resp;
  }
  static Poco::JSON::Object::Ptr Json(const HttpResponse& resp) {
    return Poco::JSON::Parser().parse(resp.body).extract<Poco::JSON::Object::Ptr>();
  }
  std::vector<std::string> Keys() const {
    std::vector<std::string> out;
    for (const StoredPoint& p : writer_.stored) out.push_back(p.db + "/" + p.key);
    return out;
  }

  FakeWriter writer_;
  MetadataStore metadata_;
  size_t batch_size_ = 10'000;
};

TEST_F(TextImportTest, SamplesBecomeSeriesKeysInTheDefaultDatabase) {
  HttpResponse resp = Post(
      "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
      "# TYPE node_cpu_seconds_total counter\n"
      "node_cpu_seconds_total{mode=\"idle\",cpu=\"0\"} 1234.5\n"
      "node_load1 0.25 1715000001000\n");
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"imported\":2,\"rejected\":0,\"duplicates\":0,"
            "\"metadata\":1}}\n");
  EXPECT_EQ(Keys(),
            (std::vector<std::string>{"prometheus/node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}",
                                      "prometheus/node_load1"}));
  EXPECT_EQ(writer_.stored[0].ts, kNow);
  EXPECT_EQ(writer_.stored[0].value.AsDouble(), 1234.5);
  EXPECT_EQ(writer_.stored[1].ts, 1715000001000LL * 1'000'000);
  auto listed = metadata_.List("node_cpu_seconds_total", 0, 0);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].second[0],
            (MetricMetadata{"counter", "Seconds the CPUs spent in each mode.", ""}));
}

TEST_F(TextImportTest, ValuesAreStoredAsExactFloat64) {
  ASSERT_EQ(Post("a 218927059\nb 1.796196412e+09\nc 9.007199254740993e15\nd -0\n").status, 200);
  ASSERT_EQ(writer_.stored.size(), 4u);
  for (const StoredPoint& p : writer_.stored) EXPECT_EQ(p.value.type, ValueType::kFloat64);
  EXPECT_EQ(writer_.stored[0].value.AsFloat64(), 218927059.0);
  EXPECT_EQ(writer_.stored[1].value.AsFloat64(), 1796196412.0);
  EXPECT_EQ(writer_.stored[2].value.AsFloat64(), 9007199254740992.0);  // nearest double
  EXPECT_TRUE(std::signbit(writer_.stored[3].value.AsFloat64()));
}

TEST_F(TextImportTest, DbParameterTimestampAndExtraLabels) {
  HttpResponse resp = Post("up{job=\"x\"} 1\n", {{"db", "home"},
                                                 {"timestamp", "1715000002000"},
                                                 {"extra_label", "job=forced"},
                                                 {"extra_label", "site=attic"}});
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(Keys(), (std::vector<std::string>{"home/up{job=\"forced\",site=\"attic\"}"}));
  EXPECT_EQ(writer_.stored[0].ts, 1715000002000LL * 1'000'000);
}

TEST_F(TextImportTest, ClientDbLabelBecomesExportedDb) {
  ASSERT_EQ(Post("m{db=\"a\"} 1\nn{db=\"a\",exported_db=\"b\"} 2\n").status, 200);
  EXPECT_EQ(Keys(), (std::vector<std::string>{
                        "prometheus/m{exported_db=\"a\"}",
                        "prometheus/n{exported_db=\"b\",exported_exported_db=\"a\"}"}));
}

TEST_F(TextImportTest, BadLinesAreListedWithLineNumbersAndGoodLinesKept) {
  HttpResponse resp = Post("a 1\nb{x=\"1\" 2\nrefused_c 3\nd{__x=\"1\"} 4\ne 5\n");
  ASSERT_EQ(resp.status, 400) << resp.body;
  EXPECT_EQ(Keys(), (std::vector<std::string>{"prometheus/a", "prometheus/e"}));
  auto json = Json(resp);
  EXPECT_EQ(json->getValue<std::string>("error"),
            "line 2: expected ',' or '}' after label \"x\", got '2'");
  auto data = json->getObject("data");
  EXPECT_EQ(data->getValue<int>("imported"), 2);
  EXPECT_EQ(data->getValue<int>("rejected"), 3);
  auto errors = data->getArray("errors");
  ASSERT_EQ(errors->size(), 3u);
  EXPECT_EQ(errors->getObject(1)->getValue<int>("line"), 3);
  EXPECT_EQ(errors->getObject(1)->getValue<std::string>("error"),
            "refused_c: older than the last sample");
  EXPECT_EQ(errors->getObject(2)->getValue<int>("line"), 4);
  EXPECT_EQ(errors->getObject(2)->getValue<std::string>("error"),
            "label name \"__x\" is reserved (names starting with \"__\")");
}

TEST_F(TextImportTest, OpenMetricsByContentType) {
  HttpResponse resp = Post("# TYPE t gauge\n# UNIT t celsius\nt 21.5 1715000003.25\n# EOF\n", {},
                           "application/openmetrics-text; version=1.0.0; charset=utf-8");
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(writer_.stored[0].ts, 1715000003250000000LL);
  EXPECT_EQ(metadata_.List("t", 0, 0)[0].second[0], (MetricMetadata{"gauge", "", "celsius"}));
}

TEST_F(TextImportTest, LargeBodiesAreWrittenInBatches) {
  batch_size_ = 3;
  std::string body;
  for (int i = 0; i < 7; ++i)
    body += "m{i=\"" + std::to_string(i) + "\"} " + std::to_string(i) + "\n";
  ASSERT_EQ(Post(body).status, 200);
  EXPECT_EQ(writer_.batch_sizes, (std::vector<size_t>{3, 3, 1}));
}

TEST_F(TextImportTest, StorageFailureIs500AndSaysWhatWasImported) {
  writer_.fail = true;
  HttpResponse resp = Post("a 1\n");
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(Json(resp)->getValue<std::string>("error"),
            "storage failed after 0 samples were imported: disk full writing prometheus.wal");
}

TEST_F(TextImportTest, BadParametersAndEmptyBodyAreRefused) {
  EXPECT_EQ(Json(Post("a 1\n", {{"db", "../x"}}))->getValue<std::string>("errorType"), "bad_data");
  HttpResponse resp = Post("a 1\n", {{"timestamp", "soon"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("invalid timestamp \\\"soon\\\""), std::string::npos) << resp.body;
  resp = Post("a 1\n", {{"extra_label", "novalue"}});
  EXPECT_NE(resp.body.find("invalid extra_label \\\"novalue\\\": expected name=value"),
            std::string::npos)
      << resp.body;
  EXPECT_EQ(Post("").status, 400);
  EXPECT_TRUE(writer_.stored.empty());
}

}  // namespace
}  // namespace nanotdb::prom
