#include <gtest/gtest.h>

#include <limits>

#include "influx_handler.h"
#include "influx_line.h"

namespace nanotdb::influx {
namespace {

constexpr Timestamp kNow = 1715000000LL * kNanosPerSecond;

InfluxPoint Parse(std::string_view line, Precision p = Precision::kNanoseconds) {
  InfluxPoint out;
  Status st = ParseInfluxLine(line, p, kNow, &out);
  EXPECT_TRUE(st.ok()) << line << ": " << st.message();
  return out;
}

std::string Error(std::string_view line) {
  InfluxPoint out;
  Status st = ParseInfluxLine(line, Precision::kNanoseconds, kNow, &out);
  EXPECT_FALSE(st.ok()) << line;
  return st.message();
}

TEST(InfluxLineTest, MeasurementTagsFieldsAndTimestamp) {
  InfluxPoint p = Parse(
      "cpu,host=pi,core=0 usage_idle=97.5,count=3i,big=5000000000u,ok=true "
      "1715000000123456789");
  EXPECT_EQ(p.measurement, "cpu");
  EXPECT_EQ(p.tags, (Labels{{"host", "pi"}, {"core", "0"}}));
  ASSERT_EQ(p.fields.size(), 4u);
  EXPECT_EQ(p.fields[0].value.f, 97.5);
  EXPECT_EQ(p.fields[1].value.kind, FieldValue::Kind::kInt);
  EXPECT_EQ(p.fields[1].value.i, 3);
  EXPECT_EQ(p.fields[2].value.u, 5000000000u);
  EXPECT_TRUE(p.fields[3].value.b);
  EXPECT_EQ(p.ts, 1715000000123456789LL);
}

TEST(InfluxLineTest, EscapesAndStrings) {
  InfluxPoint p = Parse(R"(my\ room\,x,loc=a\ b\,c\=d temp=21.5,note="say \"hi\" \\ ok")");
  EXPECT_EQ(p.measurement, "my room,x");
  EXPECT_EQ(p.tags, (Labels{{"loc", "a b,c=d"}}));
  EXPECT_EQ(p.fields[1].value.kind, FieldValue::Kind::kString);
  EXPECT_EQ(p.fields[1].value.s, "say \"hi\" \\ ok");
  EXPECT_EQ(p.ts, kNow);
}

TEST(InfluxLineTest, PrecisionScalesTheTimestamp) {
  EXPECT_EQ(Parse("m v=1 1715000000", Precision::kSeconds).ts, kNow);
  EXPECT_EQ(Parse("m v=1 1715000000000", Precision::kMilliseconds).ts, kNow);
  EXPECT_EQ(Parse("m v=1 1715000000000000", Precision::kMicroseconds).ts, kNow);
  Precision p;
  EXPECT_TRUE(ParsePrecision("u", &p));
  EXPECT_EQ(p, Precision::kMicroseconds);
  EXPECT_FALSE(ParsePrecision("h", &p));
}

TEST(InfluxLineTest, BadLinesNameTheProblem) {
  EXPECT_EQ(Error("cpu"), "measurement \"cpu\" has no fields");
  EXPECT_EQ(Error("cpu v=4x"),
            "invalid field value \"4x\" of \"v\" (expected a number, 42i, 42u, a boolean or a "
            "\"string\")");
  EXPECT_EQ(Error("cpu v=99999999999999999999i"),
            "integer field \"v\" value \"99999999999999999999i\" is out of range for int64");
  EXPECT_EQ(Error("cpu,host v=1"), "tag \"host\": missing '=' and value");
  EXPECT_EQ(Error("cpu v=\"open"), "field \"v\": unterminated string value");
  EXPECT_EQ(Error("cpu v=1 soon"),
            "invalid timestamp \"soon\" (expected an integer in the request's precision)");
  EXPECT_EQ(MetricName("cpu", "usage_idle"), "cpu_usage_idle");
}

struct Stored {
  std::string db, key;
  Timestamp ts;
  Value value;
};

class FakeWriter : public WriterService {
 public:
  Result<BatchResult> WriteBatch(std::span<const PointRef> points) noexcept override {
    BatchResult res;
    for (size_t i = 0; i < points.size(); ++i) {
      stored.push_back({std::string(points[i].db), std::string(points[i].metric), points[i].ts,
                        points[i].value});
      ++res.accepted;
    }
    return res;
  }
  std::vector<Stored> stored;
};

class InfluxHandlerTest : public ::testing::Test {
 protected:
  HttpResponse Send(bool v2, std::string body,
                    std::vector<std::pair<std::string, std::string>> params) {
    InfluxOptions options;
    options.now = [] { return kNow; };
    InfluxHandler handler(writer_, options);
    HttpRequest req;
    req.method = "POST";
    req.params = std::move(params);
    req.body = std::move(body);
    HttpResponse resp;
    if (v2) {
      handler.WriteV2(req, resp);
    } else {
      handler.WriteV1(req, resp);
    }
    return resp;
  }
  FakeWriter writer_;
};

TEST_F(InfluxHandlerTest, V1WriteStoresOneSeriesPerField) {
  HttpResponse resp = Send(false, "cpu,host=pi,db=x usage=1.5,n=2i,up=true,big=7u 1715000000\n",
                           {{"db", "telegraf"}, {"precision", "s"}});
  EXPECT_EQ(resp.status, 204) << resp.body;
  ASSERT_EQ(writer_.stored.size(), 4u);
  EXPECT_EQ(writer_.stored[0].db, "telegraf");
  EXPECT_EQ(writer_.stored[0].key, "cpu_usage{exported_db=\"x\",host=\"pi\"}");
  EXPECT_EQ(writer_.stored[0].ts, kNow);
  EXPECT_EQ(writer_.stored[0].value.type, ValueType::kFloat64);
  EXPECT_EQ(writer_.stored[0].value.AsFloat64(), 1.5);
  EXPECT_EQ(writer_.stored[1].value.type, ValueType::kInt64);
  EXPECT_EQ(writer_.stored[1].value.AsInt64(), 2);
  EXPECT_EQ(writer_.stored[2].value.AsInt64(), 1);
  EXPECT_EQ(writer_.stored[3].value.AsInt64(), 7);
}

TEST_F(InfluxHandlerTest, V2WriteTakesTheBucketAndAnswersInV2Shape) {
  HttpResponse resp = Send(true, "m v=1\nm v=oops\nm s=\"text\"\nm big=18446744073709551615u\n",
                           {{"bucket", "home/autogen"}, {"org", "x"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(
      resp.body,
      "{\"code\":\"invalid\",\"message\":\"partial write: line 2: invalid field value "
      "\\\"oops\\\" of \\\"v\\\" (expected a number, 42i, 42u, a boolean or a \\\"string\\\") "
      "(stored 1 samples, rejected 2)\"}\n");
  ASSERT_EQ(writer_.stored.size(), 1u);
  EXPECT_EQ(writer_.stored[0].db, "home");
  EXPECT_EQ(writer_.stored[0].key, "m_v");
}

TEST_F(InfluxHandlerTest, StringFieldsAreSkippedAndTheWriteSucceeds) {
  // As Home Assistant and Telegraf write: text attributes beside the number, or a line of text.
  HttpResponse resp = Send(false,
                           "\xc2\xb0"
                           "C,domain=sensor,entity_id=kitchen friendly_name_str=\"Kitchen\","
                           "value=21.5 1715000000000000000\n"
                           "system,host=pi uptime_format=\"1 day,  0:00\" 1715000000000000000\n",
                           {{"db", "home_assistant"}});
  EXPECT_EQ(resp.status, 204) << resp.body;
  ASSERT_EQ(writer_.stored.size(), 1u);
  EXPECT_EQ(writer_.stored[0].key,
            "\xc2\xb0"
            "C_value{domain=\"sensor\",entity_id=\"kitchen\"}");
  EXPECT_EQ(writer_.stored[0].value.AsFloat64(), 21.5);
}

TEST_F(InfluxHandlerTest, EmptyBodyIsSuccessInV1And400InV2AsInInfluxDB) {
  // Home Assistant's influxdb integration probes the connection with an empty write: it must
  // succeed on the 1.x API and be "invalid" (400) on the 2.x API.
  EXPECT_EQ(Send(false, "\n", {{"db", "home_assistant"}}).status, 204);
  HttpResponse v2 = Send(true, "", {{"bucket", "home_assistant"}, {"org", "home"}});
  EXPECT_EQ(v2.status, 400);
  EXPECT_TRUE(v2.body.starts_with("{\"code\":\"invalid\",\"message\":\"writing requires points"))
      << v2.body;
  EXPECT_TRUE(writer_.stored.empty());
}

TEST_F(InfluxHandlerTest, MissingDatabaseAndBadPrecisionAreV1Errors) {
  EXPECT_EQ(Send(false, "m v=1", {}).body,
            "{\"error\":\"database is required: add ?db=<name>\"}\n");
  EXPECT_EQ(Send(false, "m v=1", {{"db", "a"}, {"precision", "h"}}).body,
            "{\"error\":\"invalid precision \\\"h\\\" (use ns, us, ms or s)\"}\n");
  EXPECT_EQ(Send(true, "m v=1", {}).status, 400);
  EXPECT_TRUE(writer_.stored.empty());
}

}  // namespace
}  // namespace nanotdb::influx
