#include "query_vm.h"

#include <Poco/JSON/Parser.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace nanotdb::queryvm {
namespace {

using ::testing::HasSubstr;

constexpr Timestamp kT0 = 1715000000 * kNanosPerSecond;  // 2024-05-06 12:53:20 UTC
constexpr Timestamp kNow = kT0 + 3600 * kNanosPerSecond;

Sample F(Timestamp ts, double v) { return {ts, Value::Float64(v).bits}; }
Sample I(Timestamp ts, int64_t v) { return {ts, Value::Int64(v).bits}; }

// An in-memory QueryService: databases of metrics with samples; AggregateRange records what
// it was asked and returns canned buckets (the bucketing itself belongs to core/query).
class FakeQueryService : public QueryService {
 public:
  struct Metric {
    MetricInfo info;
    std::vector<Sample> samples;
  };

  void Add(const std::string& db, const std::string& name, ValueType type,
           std::vector<Sample> samples) {
    auto& metrics = dbs_[db];
    Metric m;
    m.info.name = name;
    m.info.id = static_cast<MetricId>(metrics.size() + 1);
    m.info.type = type;
    if (!samples.empty()) m.info.last = samples.back();
    m.samples = std::move(samples);
    metrics.push_back(std::move(m));
  }

  std::vector<std::string> ListDatabases(bool include_internal) noexcept override {
    std::vector<std::string> out;
    for (const auto& [name, _] : dbs_) {
      if (include_internal || name != kInternalDatabase) out.push_back(name);
    }
    return out;
  }
  bool DatabaseExists(std::string_view db) noexcept override {
    return dbs_.count(std::string(db)) > 0;
  }
  Result<std::vector<MetricInfo>> ListMetrics(std::string_view db) noexcept override {
    ++list_metrics_calls;
    auto it = dbs_.find(std::string(db));
    if (it == dbs_.end()) return Status::NotFound("database not found: " + std::string(db));
    std::vector<MetricInfo> out;
    for (const Metric& m : it->second) out.push_back(m.info);
    return out;
  }
  Result<MetricInfo> GetMetric(std::string_view db, std::string_view metric) noexcept override {
    const Metric* m = Find(db, metric);
    if (m == nullptr) return Status::NotFound("no such metric");
    return m->info;
  }
  Status ReadRange(std::string_view db, std::string_view metric, Timestamp from, Timestamp to,
                   uint32_t stride,
                   const std::function<bool(const Sample&)>& fn) noexcept override {
    const Metric* m = Find(db, metric);
    if (m == nullptr) return Status::Ok();
    for (const Sample& s : m->samples) {
      if (s.ts >= from && s.ts <= to && !fn(s)) break;
    }
    return Status::Ok();
  }
  Status AggregateRange(std::string_view db, std::string_view metric, Timestamp from, Timestamp to,
                        int64_t window, const std::vector<Aggregate>& aggs,
                        std::vector<Bucket>* out) noexcept override {
    agg_from = from;
    agg_to = to;
    agg_window = window;
    agg_aggs = aggs;
    if (Find(db, metric) != nullptr) *out = canned_buckets;
    return Status::Ok();
  }
  Result<std::vector<std::string>> SelectMetrics(std::string_view, std::string_view,
                                                 SelectorKind) noexcept override {
    return Status::Unsupported("not used by query-vm");
  }
  // A plain scan with the index's semantics (the index itself: series_index_test.cpp).
  Result<std::vector<SeriesInfo>> SelectSeries(std::string_view db,
                                               const std::vector<SeriesMatcher>& matchers,
                                               size_t limit) noexcept override {
    ++select_series_calls;
    auto it = dbs_.find(std::string(db));
    if (it == dbs_.end()) return Status::NotFound("database not found: " + std::string(db));
    std::vector<SeriesInfo> out;
    for (const Metric& m : it->second) {
      SeriesInfo info;
      info.key = m.info.name;
      info.metric = m.info.name;
      if (Result<SeriesName> name = ParseSeriesKey(m.info.name); name.ok()) {
        info.metric = name->metric;
        info.labels = name->labels;
      }
      bool ok = true;
      for (const SeriesMatcher& sm : matchers) {
        std::string value = info.metric;
        if (sm.name != "__name__") {
          value.clear();
          for (const Label& l : info.labels) {
            if (l.name == sm.name) value = l.value;
          }
        }
        switch (sm.op) {
          case SeriesMatcher::Op::kEqual:
            ok &= value == sm.value;
            break;
          case SeriesMatcher::Op::kNotEqual:
            ok &= value != sm.value;
            break;
          case SeriesMatcher::Op::kRegex:
            ok &= re2::RE2::FullMatch(value, sm.value);
            break;
          case SeriesMatcher::Op::kNotRegex:
            ok &= !re2::RE2::FullMatch(value, sm.value);
            break;
        }
      }
      if (!ok) continue;
      info.id = m.info.id;
      info.type = m.info.type;
      info.last = m.info.last;
      out.push_back(std::move(info));
    }
    std::sort(out.begin(), out.end(),
              [](const SeriesInfo& a, const SeriesInfo& b) { return a.key < b.key; });
    if (limit != 0 && out.size() > limit) out.resize(limit);
    return out;
  }
  Result<std::vector<std::string>> LabelNames(
      std::string_view db, const std::vector<SeriesMatcher>& matchers) noexcept override {
    NANOTDB_ASSIGN_OR_RETURN(std::vector<SeriesInfo> series, SelectSeries(db, matchers, 0));
    std::set<std::string> names;
    for (const SeriesInfo& s : series) {
      for (const Label& l : s.labels) names.insert(l.name);
    }
    return std::vector<std::string>(names.begin(), names.end());
  }
  Result<std::vector<std::string>> LabelValues(
      std::string_view db, std::string_view label,
      const std::vector<SeriesMatcher>& matchers) noexcept override {
    NANOTDB_ASSIGN_OR_RETURN(std::vector<SeriesInfo> series, SelectSeries(db, matchers, 0));
    std::set<std::string> values;
    for (const SeriesInfo& s : series) {
      if (label == "__name__") values.insert(s.metric);
      for (const Label& l : s.labels) {
        if (l.name == label) values.insert(l.value);
      }
    }
    return std::vector<std::string>(values.begin(), values.end());
  }

  std::vector<Bucket> canned_buckets;
  Timestamp agg_from = 0, agg_to = 0;
  int64_t agg_window = 0;
  std::vector<Aggregate> agg_aggs;
  int list_metrics_calls = 0;
  int select_series_calls = 0;

 private:
  const Metric* Find(std::string_view db, std::string_view metric) const {
    auto it = dbs_.find(std::string(db));
    if (it == dbs_.end()) return nullptr;
    for (const Metric& m : it->second) {
      if (m.info.name == metric) return &m;
    }
    return nullptr;
  }
  std::map<std::string, std::vector<Metric>> dbs_;
};

class QueryVmApiTest : public ::testing::Test {
 protected:
  QueryVmApiTest() {
    fake_.Add("demo", "room.temp", ValueType::kFloat64,
              {F(kT0, 21.5), F(kT0 + 60 * kNanosPerSecond, 21.8)});
    fake_.Add("demo", "room.count", ValueType::kInt64, {I(kT0, 3)});
    fake_.Add("other", "x", ValueType::kFloat64, {F(kT0, 1.0)});
    fake_.Add("internal", "ingest.samples", ValueType::kFloat64, {F(kT0, 7.0)});
    MakeApi(1'000'000);
  }

  void MakeApi(uint64_t max_points) {
    QueryVmOptions options;
    options.max_points = max_points;
    options.now = [] { return kNow; };
    api_ = std::make_unique<QueryVmApi>(fake_, std::move(options));
  }

  using Handler = void (QueryVmApi::*)(const HttpRequest&, HttpResponse&) const;
  HttpResponse Call(Handler fn, std::vector<std::pair<std::string, std::string>> params,
                    std::string path = "") {
    HttpRequest req;
    req.method = "GET";
    req.path = std::move(path);
    req.params = std::move(params);
    HttpResponse resp;
    (api_.get()->*fn)(req, resp);
    return resp;
  }

  static Poco::JSON::Object::Ptr Json(const HttpResponse& resp) {
    return Poco::JSON::Parser().parse(resp.body).extract<Poco::JSON::Object::Ptr>();
  }
  static std::string Error(const HttpResponse& resp) {
    return Json(resp)->getValue<std::string>("error");
  }

  FakeQueryService fake_;
  std::unique_ptr<QueryVmApi> api_;
};

TEST_F(QueryVmApiTest, InstantQueryReturnsLatestValueAsVector) {
  HttpResponse resp = Call(&QueryVmApi::Query, {{"query", "demo/room.temp"}});
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            "{\"metric\":{\"__name__\":\"room.temp\",\"db\":\"demo\"},"
            "\"value\":[1715000060,\"21.8\"]}]}}\n");
}

TEST_F(QueryVmApiTest, InstantQueryTakesDbFromParameter) {
  HttpResponse resp = Call(&QueryVmApi::Query, {{"db", "demo"}, {"query", "room.count"}});
  EXPECT_EQ(resp.status, 200);
  EXPECT_NE(resp.body.find("\"value\":[1715000000,\"3\"]"), std::string::npos) << resp.body;
}

TEST_F(QueryVmApiTest, UnknownDatabaseOrMetricIsEmptyResult) {
  for (auto params : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"query", "nope/room.temp"}},
           {{"db", "nope"}, {"query", "room.temp"}},
           {{"query", "demo/nope"}}}) {
    HttpResponse resp = Call(&QueryVmApi::Query, params);
    EXPECT_EQ(resp.status, 200);
    EXPECT_NE(resp.body.find("\"result\":[]"), std::string::npos) << resp.body;
  }
  EXPECT_FALSE(fake_.DatabaseExists("nope"));
}

TEST_F(QueryVmApiTest, InstantQueryErrorsNameTheProblem) {
  HttpResponse resp = Call(&QueryVmApi::Query, {});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Error(resp), "missing query parameter");
  resp = Call(&QueryVmApi::Query, {{"query", "sum(room.temp"}, {"time", "1715000030"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Error(resp),
            "invalid parameter \"query\": 1:14: parse error: unexpected end of input; expected "
            "\",\" or \")\" in the aggregation");
  resp = Call(&QueryVmApi::Query, {{"db", "../etc"}, {"query", "passwd"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(Error(resp).find("invalid database name"), std::string::npos) << resp.body;
  resp = Call(&QueryVmApi::Query, {{"query", "ratez(demo/room.temp[5m])"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Json(resp)->getValue<std::string>("errorType"), "bad_data");
  EXPECT_EQ(Error(resp),
            "invalid parameter \"query\": 1:1: parse error: unknown function with name \"ratez\"");
  resp = Call(&QueryVmApi::Query, {{"query", "demo/room.temp"}, {"time", "yesterday-ish"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(Error(resp).find("invalid time"), std::string::npos) << resp.body;
}

TEST_F(QueryVmApiTest, ConstantExpressionIsScalarForGrafanaHealthCheck) {
  HttpResponse resp = Call(&QueryVmApi::Query, {{"query", "1+1"}, {"time", "4"}});
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}\n");
}

// A request of deeply nested parentheses or signs once overflowed the worker's stack
// (SIGSEGV); it must now be answered with a 400 like any other bad query.
TEST_F(QueryVmApiTest, DeeplyNestedQueryIsRefusedWithoutCrashing) {
  for (char c : {'(', '-', '+'}) {
    std::string deep(15000, c);
    HttpResponse resp = Call(&QueryVmApi::Query, {{"query", deep + "1"}});
    EXPECT_EQ(resp.status, 400) << c;
    resp = Call(&QueryVmApi::QueryRange, {{"query", deep}, {"start", "1"}, {"end", "2"}});
    EXPECT_EQ(resp.status, 400) << c;
  }
}

TEST_F(QueryVmApiTest, OverlongQueryIsRefusedBeforeParsing) {
  HttpResponse resp = Call(&QueryVmApi::Query, {{"query", std::string(25000, '(')}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(Error(resp).find("query is 25000 bytes; the limit is 16384"), std::string::npos)
      << resp.body;
}

TEST_F(QueryVmApiTest, InstantQueryAtEarlierTimeReturnsSampleAtOrBeforeIt) {
  HttpResponse resp =
      Call(&QueryVmApi::Query, {{"query", "demo/room.temp"}, {"time", "1715000030"}});
  // Prometheus semantics: the value is stamped with the evaluation time.
  EXPECT_NE(resp.body.find("\"value\":[1715000030,\"21.5\"]"), std::string::npos) << resp.body;
  // Further back than the 5 minute lookback: nothing.
  resp = Call(&QueryVmApi::Query, {{"query", "demo/room.temp"}, {"time", "1715000400"}});
  EXPECT_NE(resp.body.find("\"result\":[]"), std::string::npos) << resp.body;
  resp = Call(&QueryVmApi::Query, {{"query", "demo/room.temp"}, {"time", "1714000000"}});
  EXPECT_NE(resp.body.find("\"result\":[]"), std::string::npos) << resp.body;
}

TEST_F(QueryVmApiTest, SelectorQueriesReturnEveryMatchingSeries) {
  HttpResponse resp = Call(&QueryVmApi::Query, {{"query", "{db=\"demo\"}"}});
  EXPECT_EQ(resp.status, 200);
  auto result = Json(resp)->getObject("data")->getArray("result");
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ(result->getObject(0)->getObject("metric")->getValue<std::string>("__name__"),
            "room.count");
  EXPECT_EQ(result->getObject(1)->getObject("metric")->getValue<std::string>("__name__"),
            "room.temp");
}

TEST_F(QueryVmApiTest, RawRangeReturnsEverySampleInRange) {
  HttpResponse resp =
      Call(&QueryVmApi::QueryRange,
           {{"query", "demo/room.temp"}, {"start", "1715000000"}, {"end", "1715000060"}});
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            "{\"metric\":{\"__name__\":\"room.temp\",\"db\":\"demo\"},\"values\":["
            "[1715000000,\"21.5\"],[1715000060,\"21.8\"]]}]}}\n");
}

TEST_F(QueryVmApiTest, RawRangeOmitsSeriesWithoutSamples) {
  HttpResponse resp =
      Call(&QueryVmApi::QueryRange, {{"query", "{db=\"demo\"}"}, {"start", "1715000001"}});
  auto result = Json(resp)->getObject("data")->getArray("result");
  ASSERT_EQ(result->size(), 1u) << resp.body;
  EXPECT_EQ(result->getObject(0)->getObject("metric")->getValue<std::string>("__name__"),
            "room.temp");
}

TEST_F(QueryVmApiTest, TimestampUnitScalesBareNumbers) {
  HttpResponse resp =
      Call(&QueryVmApi::QueryRange,
           {{"query", "demo/room.temp"}, {"start", "1715000060000"}, {"timestamp_unit", "ms"}});
  EXPECT_NE(resp.body.find("[[1715000060,\"21.8\"]]"), std::string::npos) << resp.body;
  // Without timestamp_unit the magnitude tells: 19 digits are nanoseconds.
  resp = Call(&QueryVmApi::QueryRange,
              {{"query", "demo/room.temp"}, {"start", "1715000060000000000"}});
  EXPECT_NE(resp.body.find("[[1715000060,\"21.8\"]]"), std::string::npos) << resp.body;
  resp = Call(&QueryVmApi::QueryRange,
              {{"query", "demo/room.temp"}, {"start", "1"}, {"timestamp_unit", "weeks"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Error(resp), "invalid timestamp_unit \"weeks\": expected ns, us, ms or s");
}

TEST_F(QueryVmApiTest, RangeParameterErrorsFollowTheReference) {
  HttpResponse resp = Call(&QueryVmApi::QueryRange, {{"query", "demo/room.temp"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Error(resp), "invalid start: missing time value");
  resp = Call(&QueryVmApi::QueryRange,
              {{"query", "demo/room.temp"}, {"start", "1715000060"}, {"end", "1715000000"}});
  EXPECT_EQ(Error(resp), "end must be >= start");
  resp = Call(&QueryVmApi::QueryRange,
              {{"query", "demo/room.temp"}, {"start", "1715000000"}, {"aggregate", "max"}});
  EXPECT_EQ(Error(resp), "aggregate queries require both aggregate and window");
  resp = Call(&QueryVmApi::QueryRange, {{"query", "demo/room.temp"},
                                        {"start", "1715000000"},
                                        {"aggregate", "max"},
                                        {"window", "soon"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_TRUE(Error(resp).starts_with("invalid window")) << resp.body;
  resp = Call(&QueryVmApi::QueryRange, {{"query", "demo/room.temp"},
                                        {"start", "1715000000"},
                                        {"aggregate", "max"},
                                        {"window", "0s"}});
  EXPECT_EQ(Error(resp), "invalid window: must be > 0");
  resp = Call(&QueryVmApi::QueryRange, {{"query", "demo/room.temp"},
                                        {"start", "1715000000"},
                                        {"aggregate", "mode"},
                                        {"window", "5m"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_TRUE(Error(resp).starts_with("invalid aggregate")) << resp.body;
  resp = Call(&QueryVmApi::QueryRange,
              {{"query", "demo/room.temp"}, {"start", "1715000000"}, {"step", "-5s"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_TRUE(Error(resp).starts_with("invalid step")) << resp.body;
}

// query_range with step evaluates at start + k*step (end included once, when on the grid)
// and each step takes the latest sample of the 5 minutes before it.
TEST_F(QueryVmApiTest, StepEvaluatesOnTheGridWithLookback) {
  HttpResponse resp = Call(&QueryVmApi::QueryRange, {{"query", "demo/room.temp"},
                                                     {"start", "1714999970"},
                                                     {"end", "1715000090"},
                                                     {"step", "30"}});
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            "{\"metric\":{\"__name__\":\"room.temp\",\"db\":\"demo\"},\"values\":["
            "[1715000000,\"21.5\"],[1715000030,\"21.5\"],[1715000060,\"21.8\"],"
            "[1715000090,\"21.8\"]]}]}}\n");
  resp = Call(&QueryVmApi::QueryRange, {{"query", "demo/room.temp"},
                                        {"start", "1715000360"},
                                        {"end", "1715000420"},
                                        {"step", "1m"}});
  EXPECT_NE(resp.body.find("\"values\":[[1715000360,\"21.8\"]]"), std::string::npos) << resp.body;
}

TEST_F(QueryVmApiTest, PromqlExpressionsAnswerInPrometheusShapes) {
  // room.temp: 21.5 at T0, 21.8 at T0+60: delta over [T0, T0+60] is 0.3 (float64 inputs).
  HttpResponse resp =
      Call(&QueryVmApi::Query,
           {{"query", "max_over_time(room.temp{db=\"demo\"}[2m]) * 2"}, {"time", "1715000060"}});
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_NE(resp.body.find("{\"metric\":{\"db\":\"demo\"},\"value\":[1715000060,\"43.6\"]"),
            std::string::npos)
      << resp.body;
  resp = Call(
      &QueryVmApi::QueryRange,
      {{"query", "vector(1) + 1"}, {"start", "1715000000"}, {"end", "1715000060"}, {"step", "60"}});
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            "{\"metric\":{},\"values\":[[1715000000,\"2\"],[1715000060,\"2\"]]}]}}\n");
  resp =
      Call(&QueryVmApi::QueryRange,
           {{"query", "time()"}, {"start", "1715000000"}, {"end", "1715000000"}, {"step", "60"}});
  EXPECT_NE(resp.body.find("{\"metric\":{},\"values\":[[1715000000,\"1715000000\"]]}"),
            std::string::npos)
      << resp.body;
  resp = Call(&QueryVmApi::Query, {{"query", "demo/room.temp[5m]"}, {"time", "1715000060"}});
  EXPECT_NE(resp.body.find("\"resultType\":\"matrix\""), std::string::npos) << resp.body;
  EXPECT_NE(resp.body.find("[[1715000000,\"21.5\"],[1715000060,\"21.8\"]]"), std::string::npos)
      << resp.body;
  resp = Call(&QueryVmApi::Query, {{"query", "\"hi\""}, {"time", "4"}});
  EXPECT_EQ(
      resp.body,
      "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[4,\"hi\"]}}\n");
  // A PromQL expression needs step in query_range.
  resp = Call(&QueryVmApi::QueryRange,
              {{"query", "rate(demo/room.temp[5m])"}, {"start", "1715000000"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_TRUE(Error(resp).starts_with("missing step parameter")) << resp.body;
}

TEST_F(QueryVmApiTest, PromqlLimitsAnswer422And503) {
  HttpResponse resp =
      Call(&QueryVmApi::Query,
           {{"query", "demo/room.temp"}, {"time", "1715000060"}, {"timeout", "0.000000001"}});
  EXPECT_EQ(resp.status, 503) << resp.body;
  EXPECT_EQ(Json(resp)->getValue<std::string>("errorType"), "timeout");
  EXPECT_NE(Error(resp).find("query timed out after 1ns"), std::string::npos) << resp.body;
  resp =
      Call(&QueryVmApi::Query, {{"query", "demo/room.temp"}, {"time", "1"}, {"timeout", "soon"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_TRUE(Error(resp).starts_with("invalid timeout \"soon\"")) << resp.body;
  QueryVmOptions options;
  options.max_samples = 1;
  options.now = [] { return kNow; };
  api_ = std::make_unique<QueryVmApi>(fake_, std::move(options));
  resp = Call(&QueryVmApi::Query,
              {{"query", "count_over_time(demo/room.temp[5m])"}, {"time", "1715000060"}});
  EXPECT_EQ(resp.status, 422) << resp.body;
  EXPECT_EQ(Json(resp)->getValue<std::string>("errorType"), "execution");
  EXPECT_TRUE(Error(resp).starts_with("query would read more than 1 samples")) << resp.body;
  resp = Call(&QueryVmApi::QueryRange,
              {{"query", "demo/room.temp"}, {"start", "0"}, {"end", "1715000060"}, {"step", "1"}});
  EXPECT_EQ(resp.status, 422) << resp.body;
  EXPECT_TRUE(Error(resp).starts_with("query_range would evaluate 1715000061 steps")) << resp.body;
}

TEST_F(QueryVmApiTest, SelectorsWithoutDbUseTheDefaultDatabase) {
  QueryVmOptions options;
  options.default_db = "other";
  options.now = [] { return kNow; };
  api_ = std::make_unique<QueryVmApi>(fake_, std::move(options));
  HttpResponse resp = Call(&QueryVmApi::Query, {{"query", "x"}});
  EXPECT_NE(resp.body.find("{\"__name__\":\"x\",\"db\":\"other\"}"), std::string::npos)
      << resp.body;
  resp = Call(&QueryVmApi::Query, {{"query", "room.temp"}});
  EXPECT_NE(resp.body.find("\"result\":[]"), std::string::npos) << resp.body;
  resp = Call(&QueryVmApi::Query, {{"query", "room.temp{db=\"demo\"}"}});
  EXPECT_NE(resp.body.find("\"value\":[1715000060,\"21.8\"]"), std::string::npos) << resp.body;
  // The internal database only when named.
  resp = Call(&QueryVmApi::Query, {{"query", "{db=~\".+\"}"}});
  EXPECT_EQ(resp.body.find("internal"), std::string::npos) << resp.body;
  resp = Call(&QueryVmApi::Query, {{"query", "ingest.samples{db=\"internal\"}"}});
  EXPECT_NE(resp.body.find("\"7\""), std::string::npos) << resp.body;
}

TEST_F(QueryVmApiTest, AggregateModeGivesOneLabelledSeriesPerAggregate) {
  fake_.canned_buckets = {{kT0, kT0 + 300 * kNanosPerSecond, 2, {21.5, 21.8}},
                          {kT0 + 300 * kNanosPerSecond, kT0 + 360 * kNanosPerSecond, 1, {22, 22}}};
  HttpResponse resp = Call(&QueryVmApi::QueryRange, {{"query", "demo/room.temp"},
                                                     {"start", "1715000000"},
                                                     {"aggregate", "min,max"},
                                                     {"window", "5m"},
                                                     {"step", "10s"}});
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(fake_.agg_window, 300 * kNanosPerSecond);
  auto result = Json(resp)->getObject("data")->getArray("result");
  ASSERT_EQ(result->size(), 2u);
  auto min = result->getObject(0);
  EXPECT_EQ(min->getObject("metric")->getValue<std::string>("aggregate"), "min");
  EXPECT_EQ(min->getObject("metric")->getValue<std::string>("window"), "5m0s");
  EXPECT_EQ(min->getObject("metric")->getValue<std::string>("db"), "demo");
  auto max = result->getObject(1);
  EXPECT_EQ(max->getObject("metric")->getValue<std::string>("aggregate"), "max");
  // Each bucket is stamped with its start (docs/http-api.md).
  EXPECT_NE(resp.body.find("\"values\":[[1715000000,\"21.8\"],[1715000300,\"22\"]]"),
            std::string::npos)
      << resp.body;
}

TEST_F(QueryVmApiTest, TooManyPointsIsRefusedWithAHint) {
  MakeApi(1);
  HttpResponse resp =
      Call(&QueryVmApi::QueryRange, {{"query", "demo/room.temp"}, {"start", "1715000000"}});
  EXPECT_EQ(resp.status, 422);
  EXPECT_EQ(Json(resp)->getValue<std::string>("errorType"), "execution");
  EXPECT_NE(Error(resp).find("more than 1 points"), std::string::npos) << resp.body;
  EXPECT_NE(Error(resp).find("step"), std::string::npos) << resp.body;
  resp = Call(&QueryVmApi::QueryRange, {{"query", "demo/room.count"}, {"start", "1715000000"}});
  EXPECT_EQ(resp.status, 200) << resp.body;
}

TEST_F(QueryVmApiTest, DatabasesHideInternalUnlessAsked) {
  HttpResponse resp = Call(&QueryVmApi::Databases, {});
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"databases\",\"result\":[\"demo\","
            "\"other\"]}}\n");
  resp = Call(&QueryVmApi::Databases, {{"include_internal", "true"}});
  EXPECT_NE(resp.body.find("\"internal\""), std::string::npos);
  resp = Call(&QueryVmApi::Databases, {{"include_internal", "maybe"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Error(resp), "invalid include_internal: must be true or false");
}

TEST_F(QueryVmApiTest, MetricsListsNamesAndDetails) {
  HttpResponse resp = Call(&QueryVmApi::Metrics, {{"db", "demo"}});
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"metrics\",\"db\":\"demo\","
            "\"result\":[\"room.count\",\"room.temp\"]}}\n");
  resp = Call(&QueryVmApi::Metrics, {{"db", "demo"}, {"details", "true"}});
  auto result = Json(resp)->getObject("data")->getArray("result");
  ASSERT_EQ(result->size(), 2u);
  auto temp = result->getObject(1);
  EXPECT_EQ(temp->getValue<std::string>("name"), "room.temp");
  EXPECT_EQ(temp->getValue<int>("id"), 1);
  EXPECT_EQ(temp->getValue<std::string>("type"), "float64");
  EXPECT_EQ(temp->getValue<int64_t>("last_timestamp_ns"), kT0 + 60 * kNanosPerSecond);
  EXPECT_EQ(temp->getValue<std::string>("last_value"), "21.8");
  EXPECT_EQ(result->getObject(0)->getValue<std::string>("type"), "int64");
}

TEST_F(QueryVmApiTest, MetricsOfUnknownDatabaseIs404) {
  HttpResponse resp = Call(&QueryVmApi::Metrics, {{"db", "nope"}});
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(Json(resp)->getValue<std::string>("errorType"), "not_found");
  EXPECT_EQ(Error(resp), "database not found: nope");
  resp = Call(&QueryVmApi::Metrics, {});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Error(resp), "missing db parameter");
}

TEST_F(QueryVmApiTest, AggregatesListTheSupportedNames) {
  HttpResponse resp = Call(&QueryVmApi::Aggregates, {});
  auto data = Json(resp)->getObject("data");
  EXPECT_EQ(data->getValue<std::string>("resultType"), "aggregates");
  EXPECT_EQ(data->getValue<std::string>("default"), "avg");
  EXPECT_EQ(data->getArray("result")->size(), SupportedAggregateNames().size());
}

TEST_F(QueryVmApiTest, LabelValuesOfNameAreMetricNamesAndOfDbDatabases) {
  fake_.Add("other", "room.temp", ValueType::kFloat64, {F(kT0, 1)});
  HttpResponse resp = Call(&QueryVmApi::LabelValues, {}, "/api/v1/label/__name__/values");
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[\"room.count\",\"room.temp\",\"x\"]}\n");
  resp = Call(&QueryVmApi::LabelValues, {{"match[]", "{db=\"other\"}"}},
              "/api/v1/label/__name__/values");
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[\"room.temp\",\"x\"]}\n");
  resp = Call(&QueryVmApi::LabelValues, {{"match[]", "room.temp"}}, "/api/v1/label/db/values");
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[\"demo\",\"other\"]}\n");
  resp = Call(&QueryVmApi::LabelValues, {}, "/api/v1/label/db/values");
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[\"demo\",\"other\"]}\n");
  resp = Call(&QueryVmApi::LabelValues, {{"limit", "1"}}, "/api/v1/label/db/values");
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":[\"demo\"],\"warnings\":[\"results truncated due "
            "to limit\"]}\n");
  resp = Call(&QueryVmApi::LabelValues, {}, "/api/v1/label/job/values");
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[]}\n");
  resp = Call(&QueryVmApi::LabelValues, {}, "/api/v1/label/__name__");
  EXPECT_EQ(resp.status, 404);
}

TEST_F(QueryVmApiTest, SeriesNeedsMatchAndReturnsLabelSets) {
  HttpResponse resp = Call(&QueryVmApi::Series, {});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Error(resp), "no match[] parameter provided");
  resp = Call(&QueryVmApi::Series, {{"match[]", "{__name__=~\"demo/room.*\"}"},
                                    {"match[]", "demo/room.temp"},
                                    {"match[]", "other/x"}});
  const std::string want =
      "{\"status\":\"success\",\"data\":[{\"__name__\":\"room.count\",\"db\":\"demo\"},"
      "{\"__name__\":\"room.temp\",\"db\":\"demo\"},"
      "{\"__name__\":\"x\",\"db\":\"other\"}]}\n";
  EXPECT_EQ(resp.body, want);
  // The same series in the form the answers show, and quoted.
  resp = Call(&QueryVmApi::Series, {{"match[]", "{__name__=~\"room.*\",db=\"demo\"}"},
                                    {"match[]", "{\"demo/room.temp\"}"},
                                    {"match[]", "x{db=\"other\"}"}});
  EXPECT_EQ(resp.body, want);
  resp = Call(&QueryVmApi::Series, {{"match[]", "{__name__=~\"(\"}"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Error(resp),
            "invalid parameter \"match[]\": 1:12: parse error: invalid regular expression \"(\" "
            "for label \"__name__\": missing ): (");
  resp = Call(&QueryVmApi::Series, {{"match[]", "rate(x[5m])"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(Error(resp), HasSubstr("invalid parameter \"match[]\": match[] must be a series "
                                     "selector, got a call to function \"rate\""));
}

TEST_F(QueryVmApiTest, ExactNamesAreLookedUpWithoutListing) {
  HttpResponse resp =
      Call(&QueryVmApi::Series, {{"match[]", "{__name__=\"internal/ingest.samples\"}"}});
  EXPECT_EQ(fake_.list_metrics_calls, 0);
  EXPECT_EQ(fake_.select_series_calls, 1);  // the named database only
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":[{\"__name__\":\"ingest.samples\","
            "\"db\":\"internal\"}]}\n");
}

TEST_F(QueryVmApiTest, DiscoveryShowsTheLabelsOfLabelledSeries) {
  fake_.Add("node", "node_load1{instance=\"a:9100\",job=\"node\"}", ValueType::kFloat64,
            {F(kT0, 0.5)});
  fake_.Add("node", "node_load1{instance=\"b:9100\",job=\"node\"}", ValueType::kFloat64,
            {F(kT0, 0.75)});
  fake_.Add("node", "up{instance=\"a:9100\",job=\"node\"}", ValueType::kFloat64, {F(kT0, 1)});
  HttpResponse resp = Call(&QueryVmApi::Series, {{"match[]", "node_load1{instance=\"b:9100\"}"}});
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":[{\"__name__\":\"node_load1\",\"db\":\"node\","
            "\"instance\":\"b:9100\",\"job\":\"node\"}]}\n");
  resp = Call(&QueryVmApi::Series, {{"match[]", "{job=\"node\",instance!~\"b.*\"}"}});
  EXPECT_NE(resp.body.find("\"__name__\":\"node_load1\",\"db\":\"node\",\"instance\":"
                           "\"a:9100\""),
            std::string::npos)
      << resp.body;
  EXPECT_NE(resp.body.find("\"__name__\":\"up\""), std::string::npos) << resp.body;
  EXPECT_EQ(resp.body.find("b:9100"), std::string::npos) << resp.body;
  resp = Call(&QueryVmApi::Labels, {{"match[]", "up"}});
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":[\"__name__\",\"db\",\"instance\",\"job\"]}\n");
  resp = Call(&QueryVmApi::Labels, {});
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":[\"__name__\",\"db\",\"instance\",\"job\"]}\n");
  resp = Call(&QueryVmApi::LabelValues, {}, "/api/v1/label/instance/values");
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[\"a:9100\",\"b:9100\"]}\n");
  resp = Call(&QueryVmApi::LabelValues, {{"match[]", "up{job=\"node\"}"}},
              "/api/v1/label/instance/values");
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[\"a:9100\"]}\n");
  resp = Call(&QueryVmApi::LabelValues, {{"match[]", "{instance=\"a:9100\"}"}},
              "/api/v1/label/__name__/values");
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[\"node_load1\",\"up\"]}\n");
  resp = Call(&QueryVmApi::Query, {{"query", "node_load1{instance=~\"a.*\"}"}});
  EXPECT_NE(resp.body.find("{\"metric\":{\"__name__\":\"node_load1\",\"db\":\"node\",\"instance\":"
                           "\"a:9100\",\"job\":\"node\"},\"value\":[1715000000,\"0.5\"]}"),
            std::string::npos)
      << resp.body;
}

TEST_F(QueryVmApiTest, LabelsAreNameAndDb) {
  HttpResponse resp = Call(&QueryVmApi::Labels, {});
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[\"__name__\",\"db\"]}\n");
  resp = Call(&QueryVmApi::Labels, {{"match[]", "nope/x"}});
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":[]}\n");
}

TEST_F(QueryVmApiTest, BuildInfoReportsAPrometheusVersionWithoutFeatures) {
  HttpResponse resp = Call(&QueryVmApi::BuildInfo, {});
  auto data = Json(resp)->getObject("data");
  EXPECT_EQ(data->getValue<std::string>("version"), "2.53.0");
  EXPECT_FALSE(data->has("features"));
}

TEST_F(QueryVmApiTest, RoutesAreReadOnlyAndQueriesAcceptPost) {
  std::map<std::string, RouteSpec> routes;
  for (RouteSpec& r : api_->Routes()) routes[r.path] = std::move(r);
  for (const auto& [path, r] : routes) EXPECT_EQ(r.role, Role::kRead) << path;
  for (const char* path :
       {"/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels"}) {
    ASSERT_TRUE(routes.count(path)) << path;
    EXPECT_NE(std::find(routes[path].methods.begin(), routes[path].methods.end(), "POST"),
              routes[path].methods.end())
        << path;
  }
  ASSERT_TRUE(routes.count("/api/v1/label"));
  EXPECT_TRUE(routes["/api/v1/label"].prefix);
  EXPECT_FALSE(routes.count("/health"));  // the core's
}

// Answers List() from a fixed table and records what it was asked.
class FakeMetadata : public MetricMetadataService {
 public:
  std::vector<Entry> List(std::string_view metric, size_t limit,
                          size_t limit_per_metric) noexcept override {
    asked = {std::string(metric), limit, limit_per_metric};
    return entries;
  }
  std::vector<Entry> entries;
  std::tuple<std::string, size_t, size_t> asked;
};

TEST_F(QueryVmApiTest, MetadataIsEmptyWithoutAMetadataService) {
  HttpResponse resp = Call(&QueryVmApi::Metadata, {{"limit", "40000"}});
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "{\"status\":\"success\",\"data\":{}}\n");
}

TEST_F(QueryVmApiTest, MetadataComesFromTheMetadataService) {
  FakeMetadata metadata;
  metadata.entries = {
      {"node_cpu_seconds_total", {{"counter", "Seconds the CPUs spent in each mode.", ""}}},
      {"temp", {{"gauge", "Room \"temp\"", "celsius"}, {"gauge", "older help", ""}}}};
  QueryVmOptions options;
  options.metadata = &metadata;
  api_ = std::make_unique<QueryVmApi>(fake_, std::move(options));
  HttpResponse resp = Call(&QueryVmApi::Metadata,
                           {{"limit", "40000"}, {"limit_per_metric", "2"}, {"metric", "temp"}});
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(metadata.asked, std::make_tuple(std::string("temp"), size_t{40000}, size_t{2}));
  EXPECT_EQ(resp.body,
            "{\"status\":\"success\",\"data\":{\"node_cpu_seconds_total\":[{\"type\":\"counter\","
            "\"help\":\"Seconds the CPUs spent in each mode.\",\"unit\":\"\"}],\"temp\":[{\"type\":"
            "\"gauge\",\"help\":\"Room \\\"temp\\\"\",\"unit\":\"celsius\"},{\"type\":\"gauge\","
            "\"help\":\"older help\",\"unit\":\"\"}]}}\n");
  resp = Call(&QueryVmApi::Metadata, {{"limit", "-1"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(Error(resp), "invalid limit \"-1\": must be a non-negative integer");
}

}  // namespace
}  // namespace nanotdb::queryvm
