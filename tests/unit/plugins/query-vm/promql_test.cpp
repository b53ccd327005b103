// PromQL parser and evaluator against an in-memory series source; every expectation is worked
// out by hand from Prometheus' documented rules (comments show the arithmetic).
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "promql_eval.h"
#include "promql_lexer.h"
#include "promql_parser.h"

namespace nanotdb::queryvm::promql {
namespace {

constexpr int64_t kS = 1'000'000'000;  // one second in ns

class MemorySource : public SeriesSource {
 public:
  // `key` is a series key (metric{a="x"}) of database `db`; points are (seconds, value).
  void Add(const std::string& db, const std::string& key,
           std::vector<std::pair<double, double>> points) {
    Result<SeriesName> name = ParseSeriesKey(key);
    ASSERT_TRUE(name.ok()) << key;
    StoredSeries s;
    s.db = db;
    s.key = key;
    s.type = ValueType::kFloat32;
    s.labels = name->labels;
    s.labels.push_back({"__name__", name->metric});
    s.labels.push_back({"db", db});
    std::sort(s.labels.begin(), s.labels.end());
    series_.push_back(s);
    std::vector<std::pair<Timestamp, double>> pts;
    for (auto [t, v] : points) pts.emplace_back(static_cast<Timestamp>(t * kS), v);
    data_[db + "\n" + key] = std::move(pts);
  }
  Status Select(const std::vector<LabelMatcher>& matchers,
                std::vector<StoredSeries>* out) override {
    for (const StoredSeries& s : series_) {
      bool ok = true;
      for (const LabelMatcher& m : matchers) ok = ok && m.Matches(LabelValue(s.labels, m.label));
      if (ok) out->push_back(s);
    }
    std::sort(out->begin(), out->end(),
              [](const StoredSeries& a, const StoredSeries& b) { return a.labels < b.labels; });
    return Status::Ok();
  }
  Status Read(const StoredSeries& s, Timestamp from, Timestamp to,
              const std::function<bool(Timestamp, double)>& fn) override {
    for (auto [t, v] : data_[s.db + "\n" + s.key]) {
      if (t >= from && t <= to && !fn(t, v)) break;
    }
    return Status::Ok();
  }

 private:
  std::vector<StoredSeries> series_;
  std::map<std::string, std::vector<std::pair<Timestamp, double>>> data_;
};

std::string LabelsText(const Labels& l) {
  std::string out = "{";
  for (const Label& x : l) {
    if (out.size() > 1) out += ",";
    out += x.name + "=" + x.value;
  }
  return out + "}";
}

class PromqlTest : public ::testing::Test {
 protected:
  PromqlTest() {
    // A counter rising 1/s sampled every 10 s from t=0 to t=600, reset to 0 at t=300.
    std::vector<std::pair<double, double>> c1, c2;
    for (int t = 0; t <= 600; t += 10) {
      c1.emplace_back(t, t < 300 ? t : t - 300);
      c2.emplace_back(t, 2.0 * t);
    }
    src_.Add("d", "req{job=\"a\",code=\"200\"}", c1);
    src_.Add("d", "req{job=\"b\",code=\"500\"}", c2);
    // Samples at 5, 15, ..., 55 with values 1..6: windows whose edges fall between samples.
    std::vector<std::pair<double, double>> g;
    for (int i = 0; i < 6; ++i) g.emplace_back(5 + 10 * i, i + 1);
    src_.Add("d", "gauge", g);
    src_.Add("d", "temp{room=\"k\"}", {{0, 20}, {60, 22}, {120, 21}});
    src_.Add("d", "temp{room=\"b\"}", {{0, 18}, {60, 19}, {120, 25}});
    src_.Add("d", "info{room=\"k\",floor=\"1\"}", {{0, 1}, {60, 1}, {120, 1}});
    src_.Add("d", "info{room=\"b\",floor=\"2\"}", {{0, 1}, {60, 1}, {120, 1}});
    // A histogram: 10 observations <= 0.1, 30 <= 0.5, 40 in total.
    src_.Add("d", "lat_bucket{le=\"0.1\"}", {{0, 10}});
    src_.Add("d", "lat_bucket{le=\"0.5\"}", {{0, 30}});
    src_.Add("d", "lat_bucket{le=\"+Inf\"}", {{0, 40}});
    src_.Add("e", "req{job=\"a\",code=\"200\"}", {{0, 5}});
  }

  // Instant query at `t` seconds: "labels=value" lines, sorted.
  std::string Instant(const std::string& q, double t, EvalOptions opts = {}) {
    Result<NodePtr> root = ParseExpr(q);
    if (!root.ok()) return "parse: " + root.status().message();
    Evaluator ev(src_, opts);
    Timestamp ts = static_cast<Timestamp>(t * kS);
    Result<QueryResult> r = ev.Run(**root, ts, ts, 0);
    if (!r.ok()) return "error: " + r.status().message();
    std::vector<std::string> lines;
    char buf[64];
    if (r->kind == ValueKind::kScalar) {
      std::snprintf(buf, sizeof buf, "%.6g", r->scalar[0]);
      return std::string("scalar ") + buf;
    }
    for (const StepSeries& s : r->vector) {
      if (!s.has[0]) continue;
      std::snprintf(buf, sizeof buf, "%.6g", s.v[0]);
      lines.push_back(LabelsText(s.labels) + " " + buf);
    }
    if (q.rfind("sort", 0) != 0 && q.find("topk") == std::string::npos) {
      std::sort(lines.begin(), lines.end());
    }
    std::string out;
    for (const std::string& l : lines) out += (out.empty() ? "" : "\n") + l;
    return out;
  }
  // The value of the single series (or scalar) an instant query at `t` returns.
  double Value(const std::string& q, double t) {
    Result<NodePtr> root = ParseExpr(q);
    EXPECT_TRUE(root.ok()) << q;
    if (!root.ok()) return std::nan("");
    Evaluator ev(src_, {});
    Timestamp ts = static_cast<Timestamp>(t * kS);
    Result<QueryResult> r = ev.Run(**root, ts, ts, 0);
    EXPECT_TRUE(r.ok()) << q;
    if (!r.ok()) return std::nan("");
    if (r->kind == ValueKind::kScalar) return r->scalar[0];
    EXPECT_EQ(r->vector.size(), 1u) << q;
    return r->vector.empty() ? std::nan("") : r->vector[0].v[0];
  }

  MemorySource src_;
};

TEST(PromqlParserTest, ErrorsNameLineAndColumn) {
  auto err = [](std::string_view q) { return ParseExpr(q).status().message(); };
  EXPECT_EQ(err("rate(x[5m]"),
            "1:11: parse error: unexpected end of input; expected \",\" or \")\" in the arguments "
            "of rate");
  EXPECT_EQ(err("sum(x) +"), "1:9: parse error: unexpected end of input; expected an expression");
  EXPECT_EQ(
      err("x{a=1}"),
      "1:5: parse error: unexpected number \"1\" in label matching; expected a quoted label value");
  EXPECT_EQ(err("foo(x)"), "1:1: parse error: unknown function with name \"foo\"");
  EXPECT_EQ(err("rate(x)"),
            "1:6: parse error: expected type range vector in call to function \"rate\", got "
            "instant vector");
  EXPECT_EQ(err("1 > 2"), "1:3: parse error: comparisons between scalars must use BOOL modifier");
  EXPECT_EQ(err("x\n  + {}"),
            "2:5: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(err("x{a=~\"(\"}"),
            "1:6: parse error: invalid regular expression \"(\" for label \"a\": missing ): (");
  EXPECT_EQ(err("sum(x)[5m]"), "1:7: parse error: ranges only allowed for vector selectors");
  EXPECT_EQ(err("x offset 5m offset 1m"),
            "1:13: parse error: offset may not be set multiple times");
}

TEST(PromqlParserTest, DepthLengthAndMatcherLimitsRefuseBeforeWork) {
  ParseLimits limits;
  limits.max_depth = 64;
  EXPECT_TRUE(ParseExpr(std::string(60, '(') + "1" + std::string(60, ')'), limits).ok());
  Status st = ParseExpr(std::string(15000, '(') + "1", limits).status();
  EXPECT_NE(st.message().find("nests deeper than 64 levels"), std::string::npos) << st.message();
  // A long flat chain is deep as a tree too.
  std::string chain = "1";
  for (int i = 0; i < 100; ++i) chain += "+1";
  EXPECT_NE(ParseExpr(chain, limits).status().message().find("deeper than 64"), std::string::npos);
  EXPECT_EQ(ParseExpr(std::string(20000, ' ') + "1", limits).status().message(),
            "query is 20001 bytes; the limit is 16384");
  limits.max_matchers = 3;
  EXPECT_TRUE(ParseExpr("x{a=\"1\",b=\"2\"}", limits).ok());
  EXPECT_EQ(ParseExpr("x{a=\"1\",b=\"2\"} + y", limits).status().message(),
            "1:18: parse error: query has more than 3 label matchers");
}

TEST(PromqlParserTest, NanoTdbNamesAndShorthands) {
  Result<NodePtr> n = ParseExpr("demo/room.temp");
  ASSERT_TRUE(n.ok());
  ASSERT_EQ((*n)->matchers.size(), 2u);
  EXPECT_EQ((*n)->matchers[0].label, "db");
  EXPECT_EQ((*n)->matchers[0].value, "demo");
  EXPECT_EQ((*n)->matchers[1].value, "room.temp");
  n = ParseExpr("{\"demo/room.temp\", a!=\"x\"}");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->metric_name, "room.temp");
  n = ParseExpr("a / b");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->kind, Node::Kind::kBinary);
  n = ParseExpr("-2 ^ 2");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->kind, Node::Kind::kNegate);
}

TEST(PromqlParserTest, KeywordsAreCaseInsensitiveFunctionNamesAreNot) {
  Result<NodePtr> n =
      ParseExpr("SUM BY (db) (x) AND ON(db) Max WITHOUT (a) (y OFFSET 5m > BOOL 1)");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ((*n)->op, BinaryOp::kAnd);
  EXPECT_TRUE((*n)->on);
  EXPECT_EQ((*n)->args[0]->text, "sum");
  EXPECT_EQ((*n)->args[1]->text, "max");
  EXPECT_TRUE((*n)->args[1]->without);
  EXPECT_TRUE(ParseExpr("x @ START()").ok());
  EXPECT_EQ(ParseExpr("RATE(x[5m])").status().message(),
            "1:1: parse error: unknown function with name \"RATE\"");
  // Keywords stay label names where a label name is expected.
  EXPECT_TRUE(ParseExpr("sum by (by, offset, on) (x{bool=\"1\"})").ok());
}

TEST(PromqlParserTest, StringEscapesReadLikeGo) {
  auto value = [](std::string_view q) {
    Result<NodePtr> n = ParseExpr(q);
    EXPECT_TRUE(n.ok()) << q << ": " << n.status().ToString();
    return n.ok() && !(*n)->matchers.empty() ? (*n)->matchers.back().value : std::string();
  };
  EXPECT_EQ(value(R"(x{a="\x41\101\u00e9\U0001F600"})"), "AA\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(value(R"(x{a="tab\tq\"nl\n"})"), "tab\tq\"nl\n");
  // Raw strings keep every backslash; text that is no escape (regexes) is kept as written.
  EXPECT_EQ(value(R"(x{a=`\u00e9`})"), R"(\u00e9)");
  EXPECT_EQ(value(R"(x{a=~"\d+\.\x{41}"})"), R"(\d+\.\x{41})");
  EXPECT_EQ(value(R"(x{a="\1z\u12"})"), R"(\1z\u12)");
  EXPECT_EQ(ParseExpr(R"(x{a="\uD800"})").status().message(),
            R"(1:6: parse error: escape "\uD800" is no valid Unicode code point)");
  EXPECT_EQ(ParseExpr(R"(x{a="\777"})").status().message(),
            R"(1:6: parse error: octal escape "\777" is above 255)");
}

TEST_F(PromqlTest, SelectorsMatchWithAnchoredRegexesAndLookback) {
  EXPECT_EQ(Instant("req{job=~\"a|b\", code!~\"5..\"}", 100),
            "{__name__=req,code=200,db=d,job=a} 100\n{__name__=req,code=200,db=e,job=a} 5");
  EXPECT_EQ(Instant("req{job=~\"a\", db=\"d\"}", 100), "{__name__=req,code=200,db=d,job=a} 100");
  EXPECT_EQ(Instant("req{job=~\"\"}", 100), "");  // anchored: "" matches no job
  // temp at t=299 still sees the sample at 120 (within 5m); at t=421 it does not.
  EXPECT_EQ(Instant("temp{room=\"k\"}", 299), "{__name__=temp,db=d,room=k} 21");
  EXPECT_EQ(Instant("temp{room=\"k\"}", 421), "");
  EXPECT_EQ(Instant("temp{room=\"k\"}", 420), "{__name__=temp,db=d,room=k} 21");
  EXPECT_EQ(Instant("temp{room=\"k\"} offset 1m", 60), "{__name__=temp,db=d,room=k} 20");
  EXPECT_EQ(Instant("temp{room=\"k\"} @ 60", 1000), "{__name__=temp,db=d,room=k} 22");
}

TEST_F(PromqlTest, RateIncreaseDeltaExtrapolateLikePrometheus) {
  // Window [0,60] holds samples 0..60 of req{job=a}: 60 over 60 s, no extrapolation needed.
  EXPECT_DOUBLE_EQ(Value("rate(req{job=\"a\",db=\"d\"}[1m])", 60), 1);
  // gauge: samples at 5..55 (1..6) in [0,60]: delta 5 over 50 s, extended by 5 s at both
  // ends (< 1.1 * 10 s average spacing): 5 * 60/50 = 6.
  EXPECT_DOUBLE_EQ(Value("increase(gauge[1m])", 60), 6);
  EXPECT_DOUBLE_EQ(Value("rate(gauge[1m])", 60), 0.1);
  EXPECT_DOUBLE_EQ(Value("delta(gauge[1m])", 60), 6);
  // Window [62,122] of gauge? nothing. Window [40,100]: samples 45,55 (5,6): 1 over 10 s;
  // start gap 5 s extends, end gap 45 s > 11 s extends by half the spacing, 5 s: 1 * 20/10.
  EXPECT_DOUBLE_EQ(Value("increase(gauge[1m])", 100), 2);
  // Counter reset at 300: window [270,330] values 270,280,290,0,10,20,30:
  // 30 - 270 + 290 (the value before the reset) = 50 over 60 s.
  EXPECT_DOUBLE_EQ(Value("increase(req{job=\"a\",db=\"d\"}[1m])", 330), 50);
  EXPECT_DOUBLE_EQ(Value("resets(req{job=\"a\",db=\"d\"}[1m])", 330), 1);
  EXPECT_DOUBLE_EQ(Value("changes(temp{room=\"k\"}[5m])", 120), 2);
  // irate: last two samples (320: 20, 330: 30) → 1/s; idelta → 10.
  EXPECT_DOUBLE_EQ(Value("irate(req{job=\"a\",db=\"d\"}[1m])", 330), 1);
  EXPECT_DOUBLE_EQ(Value("idelta(req{job=\"b\"}[1m])", 330), 20);
  // deriv of 2t is 2 per second.
  EXPECT_NEAR(Value("deriv(req{job=\"b\"}[2m])", 300), 2, 1e-9);
  EXPECT_NEAR(Value("predict_linear(req{job=\"b\"}[2m], 10)", 300), 620, 1e-6);
  // holt_winters(0.5, 0.5) of temp{room=b} 18, 19, 25: level 18, trend 1;
  // k=1: s1 = 0.5*19 + 0.5*(18+1) = 19; k=2: b = 0.5*(19-18) + 0.5*1 = 1,
  // s1 = 0.5*25 + 0.5*(19+1) = 22.5.
  EXPECT_DOUBLE_EQ(Value("holt_winters(temp{room=\"b\"}[2m], 0.5, 0.5)", 120), 22.5);
  EXPECT_NE(Instant("holt_winters(temp[2m], 1, 0.5)", 120).find("invalid smoothing factor"),
            std::string::npos);
  // One sample in the window: no rate.
  EXPECT_EQ(Instant("rate(temp{room=\"k\"}[30s])", 60), "");
}

TEST_F(PromqlTest, OverTimeFunctions) {
  // temp{room=b}: 18, 19, 25 in [0,120].
  EXPECT_DOUBLE_EQ(Value("avg_over_time(temp{room=\"b\"}[2m])", 120), 62.0 / 3);
  EXPECT_DOUBLE_EQ(Value("sum_over_time(temp{room=\"b\"}[2m])", 120), 62);
  EXPECT_DOUBLE_EQ(Value("min_over_time(temp{room=\"b\"}[2m])", 120), 18);
  EXPECT_DOUBLE_EQ(Value("max_over_time(temp{room=\"b\"}[2m])", 120), 25);
  EXPECT_DOUBLE_EQ(Value("count_over_time(temp{room=\"b\"}[2m])", 120), 3);
  EXPECT_DOUBLE_EQ(Value("last_over_time(temp{room=\"b\"}[2m])", 120), 25);
  // quantile 0.5 of 18,19,25 is 19; 0.75: rank 1.5 → 19 + 0.5 * 6 = 22.
  EXPECT_DOUBLE_EQ(Value("quantile_over_time(0.75, temp{room=\"b\"}[2m])", 120), 22);
  // population variance: (18² + 19² + 25²)/3 - (62/3)² = 86/9.
  EXPECT_NEAR(Value("stdvar_over_time(temp{room=\"b\"}[2m])", 120), 86.0 / 9, 1e-12);
  EXPECT_NEAR(Value("stddev_over_time(temp{room=\"b\"}[2m])", 120), std::sqrt(86.0 / 9), 1e-12);
  // last_over_time keeps the metric name; the others drop it.
  EXPECT_EQ(Instant("last_over_time(temp{room=\"b\"}[2m])", 120), "{__name__=temp,db=d,room=b} 25");
  EXPECT_EQ(Instant("max_over_time(temp{room=\"b\"}[2m])", 120), "{db=d,room=b} 25");
  EXPECT_EQ(Instant("absent_over_time(nothing{a=\"1\"}[1m])", 120), "{a=1} 1");
  EXPECT_EQ(Instant("absent_over_time(temp[1m])", 120), "");
}

TEST_F(PromqlTest, HistogramQuantileInterpolatesInTheBucket) {
  // rank 0.5*40 = 20 falls in (0.1, 0.5]: 0.1 + 0.4 * (20-10)/(30-10) = 0.3.
  EXPECT_NEAR(Value("histogram_quantile(0.5, lat_bucket)", 10), 0.3, 1e-12);
  // rank 0.9*40 = 36 is in the +Inf bucket: the highest finite bound.
  EXPECT_NEAR(Value("histogram_quantile(0.9, lat_bucket)", 10), 0.5, 1e-12);
  EXPECT_EQ(Instant("histogram_quantile(0.5, lat_bucket)", 10), "{db=d} 0.3");
  EXPECT_EQ(Instant("histogram_quantile(2, lat_bucket)", 10), "{db=d} inf");
}

TEST_F(PromqlTest, AggregationsByAndWithout) {
  EXPECT_EQ(Instant("sum(temp)", 60), "{} 41");
  EXPECT_EQ(Instant("sum by (room) (temp)", 60), "{room=b} 19\n{room=k} 22");
  EXPECT_EQ(Instant("max without (room) (temp)", 60), "{db=d} 22");
  EXPECT_EQ(Instant("avg(temp)", 60), "{} 20.5");
  EXPECT_EQ(Instant("count by (db) (req)", 60), "{db=d} 2\n{db=e} 1");
  EXPECT_EQ(Instant("min(temp)", 60), "{} 19");
  EXPECT_EQ(Instant("stddev(temp)", 60), "{} 1.5");
  EXPECT_EQ(Instant("stdvar(temp)", 60), "{} 2.25");
  EXPECT_EQ(Instant("quantile(0.5, temp)", 60), "{} 20.5");
  EXPECT_EQ(Instant("topk(1, temp)", 120), "{__name__=temp,db=d,room=b} 25");
  // info is 1 for both rooms; temp 22 and 19 at t=60.
  EXPECT_EQ(Instant("count_values(\"v\", info)", 60), "{v=1} 2");
  EXPECT_EQ(Instant("count_values by (room) (\"room\", temp)", 60), "{room=19} 1\n{room=22} 1");
  EXPECT_EQ(ParseExpr("count_values(\"1x\", info)").status().message(),
            "1:14: parse error: invalid label name \"1x\"");
  EXPECT_EQ(Instant("bottomk(1, temp)", 120), "{__name__=temp,db=d,room=k} 21");
  EXPECT_EQ(Instant("topk by (db) (1, req)", 100),
            "{__name__=req,code=500,db=d,job=b} 200\n{__name__=req,code=200,db=e,job=a} 5");
}

TEST_F(PromqlTest, BinaryOperatorsMatchLabels) {
  EXPECT_EQ(Instant("2 * 3 + 1", 0), "scalar 7");
  EXPECT_EQ(Instant("2 ^ 3 ^ 2", 0), "scalar 512");  // right-associative
  EXPECT_EQ(Instant("-2 ^ 2", 0), "scalar -4");
  EXPECT_EQ(Instant("5 % 3 > bool 1", 0), "scalar 1");
  EXPECT_EQ(Instant("temp * 2", 60), "{db=d,room=b} 38\n{db=d,room=k} 44");
  EXPECT_EQ(Instant("temp > 20", 60), "{__name__=temp,db=d,room=k} 22");
  EXPECT_EQ(Instant("30 > temp", 60),
            "{__name__=temp,db=d,room=b} 19\n{__name__=temp,db=d,room=k} 22");
  EXPECT_EQ(Instant("temp > bool 20", 60), "{db=d,room=b} 0\n{db=d,room=k} 1");
  EXPECT_EQ(Instant("temp - on(room) temp offset 1m", 120), "{room=b} 6\n{room=k} -1");
  // Ignoring floor, info{room=k,floor=1} matches temp{room=k}; the name is dropped.
  EXPECT_EQ(Instant("temp - ignoring(floor) info", 60), "{db=d,room=b} 18\n{db=d,room=k} 21");
  EXPECT_EQ(Instant("temp * on(room) group_left(floor) info", 60),
            "{db=d,floor=1,room=k} 22\n{db=d,floor=2,room=b} 19");
  EXPECT_EQ(Instant("info * on(room) group_right temp", 60), "{db=d,room=b} 19\n{db=d,room=k} 22");
  EXPECT_EQ(Instant("temp and on(room) info{floor=\"1\"}", 60), "{__name__=temp,db=d,room=k} 22");
  EXPECT_EQ(Instant("temp unless on(room) info{floor=\"1\"}", 60),
            "{__name__=temp,db=d,room=b} 19");
  EXPECT_EQ(Instant("temp{room=\"k\"} or on(room) temp", 60),
            "{__name__=temp,db=d,room=b} 19\n{__name__=temp,db=d,room=k} 22");
  // Two series on the "one" side with the same signature: many-to-many is refused.
  EXPECT_EQ(Instant("temp * on(db) info", 60).substr(0, 50),
            "error: found duplicate series for the match group ");
}

TEST_F(PromqlTest, InstantFunctions) {
  src_.Add("n", "v{k=\"a\"}", {{0, -1.5}});
  src_.Add("n", "v{k=\"b\"}", {{0, 2.5}});
  EXPECT_EQ(Instant("abs(v)", 0), "{db=n,k=a} 1.5\n{db=n,k=b} 2.5");
  EXPECT_EQ(Instant("ceil(v)", 0), "{db=n,k=a} -1\n{db=n,k=b} 3");
  EXPECT_EQ(Instant("floor(v)", 0), "{db=n,k=a} -2\n{db=n,k=b} 2");
  EXPECT_EQ(Instant("round(v)", 0), "{db=n,k=a} -1\n{db=n,k=b} 3");  // floor(x+0.5)
  EXPECT_EQ(Instant("round(v, 2)", 0), "{db=n,k=a} -2\n{db=n,k=b} 2");
  EXPECT_EQ(Instant("clamp(v, -1, 1)", 0), "{db=n,k=a} -1\n{db=n,k=b} 1");
  EXPECT_EQ(Instant("clamp(v, 1, -1)", 0), "");
  EXPECT_EQ(Instant("clamp_min(v, 0)", 0), "{db=n,k=a} 0\n{db=n,k=b} 2.5");
  EXPECT_EQ(Instant("clamp_max(v, 0)", 0), "{db=n,k=a} -1.5\n{db=n,k=b} 0");
  EXPECT_EQ(Instant("time()", 42), "scalar 42");
  EXPECT_EQ(Instant("timestamp(temp{room=\"k\"})", 100), "{db=d,room=k} 60");
  EXPECT_EQ(Instant("vector(3)", 0), "{} 3");
  EXPECT_EQ(Instant("scalar(v{k=\"a\"})", 0), "scalar -1.5");
  EXPECT_EQ(Instant("scalar(v)", 0), "scalar nan");
  EXPECT_EQ(Instant("absent(v)", 0), "");
  EXPECT_EQ(Instant("absent(nope{k=\"x\", j=~\"y\"})", 0), "{k=x} 1");
  EXPECT_EQ(Instant("sort(v)", 0), "{__name__=v,db=n,k=a} -1.5\n{__name__=v,db=n,k=b} 2.5");
  EXPECT_EQ(Instant("sort_desc(v)", 0), "{__name__=v,db=n,k=b} 2.5\n{__name__=v,db=n,k=a} -1.5");
  EXPECT_EQ(Instant("label_replace(v, \"x\", \"<$1>\", \"k\", \"(.)\")", 0),
            "{__name__=v,db=n,k=a,x=<a>} -1.5\n{__name__=v,db=n,k=b,x=<b>} 2.5");
  EXPECT_EQ(Instant("label_replace(v, \"x\", \"$1\", \"k\", \"b\")", 0),
            "{__name__=v,db=n,k=a} -1.5\n{__name__=v,db=n,k=b} 2.5");
  EXPECT_EQ(Instant("label_join(v, \"x\", \"-\", \"db\", \"k\")", 0),
            "{__name__=v,db=n,k=a,x=n-a} -1.5\n{__name__=v,db=n,k=b,x=n-b} 2.5");
}

TEST_F(PromqlTest, TrigonometricFunctionsAndAtan2KeepPrometheusNaming) {
  src_.Add("n", "w", {{0, 0.5}});
  EXPECT_EQ(Instant("pi()", 0), "scalar 3.14159");
  EXPECT_EQ(Instant("sin(w)", 0), "{db=n} 0.479426");
  EXPECT_EQ(Instant("cos(w)", 0), "{db=n} 0.877583");
  EXPECT_EQ(Instant("tan(w)", 0), "{db=n} 0.546302");
  EXPECT_EQ(Instant("asin(w)", 0), "{db=n} 0.523599");
  EXPECT_EQ(Instant("acos(w)", 0), "{db=n} 1.0472");
  EXPECT_EQ(Instant("atan(w)", 0), "{db=n} 0.463648");
  EXPECT_EQ(Instant("sinh(w)", 0), "{db=n} 0.521095");
  EXPECT_EQ(Instant("cosh(w)", 0), "{db=n} 1.12763");
  EXPECT_EQ(Instant("tanh(w)", 0), "{db=n} 0.462117");
  EXPECT_EQ(Instant("asinh(w)", 0), "{db=n} 0.481212");
  EXPECT_EQ(Instant("acosh(w + 1)", 0), "{db=n} 0.962424");
  EXPECT_EQ(Instant("atanh(w)", 0), "{db=n} 0.549306");
  EXPECT_EQ(Instant("deg(w * pi())", 0), "{db=n} 90");
  EXPECT_EQ(Instant("rad(w * 360)", 0), "{db=n} 3.14159");
  // Prometheus drops the name for + - * / % ^ only: atan2 keeps it.
  EXPECT_EQ(Instant("w atan2 1", 0), "{__name__=w,db=n} 0.463648");
  EXPECT_EQ(Instant("w atan2 w", 0), "{__name__=w,db=n} 0.785398");
}

TEST_F(PromqlTest, TopkOfAKThatIsNoInt64IsAnExecutionError) {
  for (const auto& [k, text] : std::vector<std::pair<std::string, std::string>>{
           {"NaN", "NaN"}, {"Inf", "+Inf"}, {"-Inf", "-Inf"}, {"1e19", "1e+19"}}) {
    Result<NodePtr> root = ParseExpr("topk(" + k + ", temp)");
    ASSERT_TRUE(root.ok());
    Evaluator ev(src_, {});
    Result<QueryResult> r = ev.Run(**root, 60 * kS, 60 * kS, 0);
    ASSERT_FALSE(r.ok()) << k;
    EXPECT_EQ(r.status().code(), Status::Code::kUnsupported);
    EXPECT_EQ(r.status().message(), "Scalar value " + text + " overflows int64");
  }
  EXPECT_EQ(Instant("topk(-1, temp)", 60), "");
  EXPECT_EQ(Instant("topk(1.9, temp)", 60), "{__name__=temp,db=d,room=k} 22");
}

TEST_F(PromqlTest, DeviationOfOneValueIsZeroEvenForNaN) {
  src_.Add("n", "z{k=\"a\"}", {{0, 0}});
  src_.Add("n", "z{k=\"b\"}", {{0, 1}});
  EXPECT_EQ(Instant("stddev(z{k=\"a\"} / z{k=\"a\"})", 0), "{} 0");  // 0/0 alone
  EXPECT_EQ(Instant("stdvar(z{k=\"a\"} / z{k=\"a\"})", 0), "{} 0");
  EXPECT_TRUE(std::isnan(Value("stddev(z / z)", 0)));  // NaN beside 1
}

TEST_F(PromqlTest, LabelReplaceRefusesBadNamesAndRegexesAsExecutionErrors) {
  Result<NodePtr> root = ParseExpr("label_replace(temp, \"1x\", \"a\", \"room\", \".*\")");
  ASSERT_TRUE(root.ok());
  Evaluator ev(src_, {});
  Result<QueryResult> r = ev.Run(**root, 60 * kS, 60 * kS, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnsupported);  // 422 execution, as Prometheus
  EXPECT_EQ(r.status().message(), "invalid destination label name in label_replace(): \"1x\"");
  EXPECT_EQ(Instant("label_replace(temp, \"x\", \"a\", \"room\", \"(\")", 60),
            "error: invalid regular expression in label_replace(): \"(\": missing ): ^(?:()$");
}

TEST_F(PromqlTest, DateFunctionsReadUtcCalendarFields) {
  // 2024-02-29 13:45:00 UTC (a Thursday, day 60 of a leap year) is 1709214300.
  src_.Add("n", "when", {{0, 1709214300}});
  auto at = [&](const std::string& f) { return Instant(f + "(when)", 0); };
  EXPECT_EQ(at("year"), "{db=n} 2024");
  EXPECT_EQ(at("month"), "{db=n} 2");
  EXPECT_EQ(at("day_of_month"), "{db=n} 29");
  EXPECT_EQ(at("day_of_week"), "{db=n} 4");
  EXPECT_EQ(at("day_of_year"), "{db=n} 60");
  EXPECT_EQ(at("days_in_month"), "{db=n} 29");
  EXPECT_EQ(at("hour"), "{db=n} 13");
  EXPECT_EQ(at("minute"), "{db=n} 45");
  // Without an argument: of the evaluation time. 1970-01-01 00:01:40 was a Thursday.
  EXPECT_EQ(Instant("day_of_week()", 100), "{} 4");
  EXPECT_EQ(Instant("minute()", 100), "{} 1");
  // Before 1970: 1969-12-31 23:59:59.
  src_.Add("n", "early", {{0, -1}});
  EXPECT_EQ(Instant("year(early)", 0), "{db=n} 1969");
  EXPECT_EQ(Instant("day_of_week(early)", 0), "{db=n} 3");
}

TEST_F(PromqlTest, SubqueriesEvaluateOnTheirOwnGrid) {
  // max over [60,120] at 30 s steps of temp{room=b}: values at 60 (19), 90 (19), 120 (25).
  EXPECT_EQ(Instant("max_over_time(temp{room=\"b\"}[1m:30s])", 120), "{db=d,room=b} 25");
  EXPECT_EQ(Instant("count_over_time(temp{room=\"b\"}[1m:30s])", 120), "{db=d,room=b} 3");
}

TEST_F(PromqlTest, SubqueriesWithoutStepUseTheEvaluationIntervalNotTheQueryStep) {
  // count_over_time(temp[2m:]) at t=120 counts the subquery points at 0, 60 and 120 (a 1m
  // resolution) whether the range query steps by 60 s or by 40 s.
  Result<NodePtr> root = ParseExpr("count_over_time(temp{room=\"k\"}[2m:])");
  ASSERT_TRUE(root.ok());
  for (int64_t step : {60 * kS, 40 * kS}) {
    Evaluator ev(src_, {});
    Result<QueryResult> r = ev.Run(**root, 0, 120 * kS, step);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->vector.size(), 1u);
    EXPECT_EQ(r->vector[0].v.back(), 3) << step;
  }
}

TEST_F(PromqlTest, RangeQueryGridIncludesEndOnce) {
  Result<NodePtr> root = ParseExpr("temp{room=\"k\"}");
  ASSERT_TRUE(root.ok());
  Evaluator ev(src_, {});
  Result<QueryResult> r = ev.Run(**root, 0, 120 * kS, 60 * kS);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->steps, (std::vector<Timestamp>{0, 60 * kS, 120 * kS}));
  ASSERT_EQ(r->vector.size(), 1u);
  EXPECT_EQ(r->vector[0].v, (std::vector<double>{20, 22, 21}));
}

TEST_F(PromqlTest, LimitsStopTheQuery) {
  EvalOptions opts;
  opts.max_samples = 10;
  EXPECT_NE(Instant("sum_over_time(req[10m])", 600, opts)
                .find("error: query would read more than 10 samples (max_samples"),
            std::string::npos);
  // 61 samples read, but a 10m window at every 10 s step would visit 61 * 61 / 2 or so.
  opts = {};
  opts.max_samples = 1000;
  Result<NodePtr> wide = ParseExpr("quantile_over_time(0.5, req{job=\"a\",db=\"d\"}[10m])");
  ASSERT_TRUE(wide.ok());
  Evaluator ranged(src_, opts);
  Result<QueryResult> rr = ranged.Run(**wide, 0, 600 * kS, 10 * kS);
  ASSERT_FALSE(rr.ok());
  EXPECT_NE(rr.status().message().find("would touch more than 1000 samples in its range windows"),
            std::string::npos)
      << rr.status().message();
  opts = {};
  opts.max_points = 2;
  Result<NodePtr> root = ParseExpr("temp");
  Evaluator ev(src_, opts);
  EXPECT_FALSE(ev.Run(**root, 0, 120 * kS, 60 * kS).ok());
  opts = {};
  opts.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  opts.timeout_text = "1s";
  Evaluator late(src_, opts);
  Result<QueryResult> r = late.Run(**root, 0, 0, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kBusy);
  EXPECT_NE(r.status().message().find("timed out after 1s"), std::string::npos);
}

// Random token soup: every text either parses or is refused with a positioned error, and
// whatever parses evaluates (or is refused) without crashing.
TEST_F(PromqlTest, RandomTokenSoupParsesOrFailsCleanly) {
  const char* tokens[] = {"(",
                          ")",
                          "{",
                          "}",
                          "[",
                          "]",
                          ",",
                          ":",
                          "@",
                          "+",
                          "-",
                          "*",
                          "/",
                          "%",
                          "^",
                          "==",
                          ">",
                          "<=",
                          "!=",
                          "=~",
                          "=",
                          "and",
                          "or",
                          "unless",
                          "by",
                          "on",
                          "bool",
                          "5m",
                          "1",
                          "0.5",
                          "NaN",
                          "\"a\"",
                          "req",
                          "temp",
                          "sum",
                          "rate",
                          "topk",
                          "offset",
                          "group_left",
                          "start()",
                          "histogram_quantile",
                          "label_replace",
                          "time()",
                          "x.y",
                          "d/req",
                          "job",
                          "[1m:]",
                          "ignoring",
                          "without",
                          "`b`"};
  uint64_t seed = 42;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(seed >> 33);
  };
  EvalOptions opts;
  opts.max_samples = 100000;
  int parsed = 0;
  for (int q = 0; q < 20000; ++q) {
    std::string text;
    size_t n = 1 + next() % 12;
    for (size_t i = 0; i < n; ++i) {
      text += tokens[next() % (sizeof tokens / sizeof tokens[0])];
      if (next() % 2) text += ' ';
    }
    Result<NodePtr> root = ParseExpr(text);
    if (!root.ok()) {
      EXPECT_TRUE(root.status().IsInvalidArgument()) << text;
      EXPECT_NE(root.status().message().find("parse error"), std::string::npos)
          << text << ": " << root.status().message();
      continue;
    }
    ++parsed;
    Evaluator ev(src_, opts);
    Result<QueryResult> r = ev.Run(**root, 100 * kS, 200 * kS, 50 * kS);
    if (!r.ok()) EXPECT_NE(r.status().code(), Status::Code::kInternal) << text;
  }
  EXPECT_GT(parsed, 100);
}

TEST(PromqlFormatTest, ValuesReadLikePrometheus) {
  std::string out;
  AppendPromValue(&out, 0.1, false);
  out += ' ';
  AppendPromValue(&out, 1e21, false);
  out += ' ';
  AppendPromValue(&out, std::nan(""), false);
  out += ' ';
  AppendPromValue(&out, -INFINITY, false);
  out += ' ';
  AppendPromValue(&out, 21.6f, true);
  EXPECT_EQ(out, "0.1 1000000000000000000000 NaN -Inf 21.6");
}

TEST(PromqlLexerTest, DurationsOfEveryUnitDoNotOverflow) {
  int64_t ns = 0;
  ASSERT_TRUE(ParsePromDuration("1y", &ns));
  EXPECT_EQ(ns, int64_t{365} * 86'400 * 1'000'000'000);
  ASSERT_TRUE(ParsePromDuration("2w", &ns));
  EXPECT_EQ(ns, int64_t{14} * 86'400 * 1'000'000'000);
  ASSERT_TRUE(ParsePromDuration("1y2d3h4m5s6ms", &ns));
  EXPECT_EQ(ns, (int64_t{367} * 86'400 + 3 * 3600 + 4 * 60 + 5) * 1'000'000'000 + 6'000'000);
  EXPECT_FALSE(ParsePromDuration("1x", &ns));
}

}  // namespace
}  // namespace nanotdb::queryvm::promql
