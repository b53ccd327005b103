#include "prom_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace nanotdb::prom {
namespace {

struct Got {
  size_t line;
  TextSample sample;
};

struct Parsed {
  TextParseSummary summary;
  std::vector<Got> samples;
};

Parsed Parse(std::string_view body, TextFormat format = TextFormat::kPrometheus) {
  Parsed p;
  p.summary = ParseText(body, format, [&](size_t line, TextSample&& s) {
    p.samples.push_back({line, s});
  });
  return p;
}

TextSample One(std::string_view line, TextFormat format = TextFormat::kPrometheus) {
  TextSample s;
  Status st = ParseSampleLine(line, format, &s);
  EXPECT_TRUE(st.ok()) << line << ": " << st.message();
  return s;
}

std::string Error(std::string_view line, TextFormat format = TextFormat::kPrometheus) {
  TextSample s;
  Status st = ParseSampleLine(line, format, &s);
  EXPECT_FALSE(st.ok()) << line;
  return st.message();
}

TEST(PromTextTest, PlainSampleWithoutLabelsOrTimestamp) {
  TextSample s = One("node_load1 0.25");
  EXPECT_EQ(s.metric, "node_load1");
  EXPECT_TRUE(s.labels.empty());
  EXPECT_EQ(s.value, 0.25);
  EXPECT_FALSE(s.ts.has_value());
}

TEST(PromTextTest, LabelsKeepLineOrderAndUnescapeValues) {
  TextSample s = One(R"(msg{path="C:\\dir",quote="say \"hi\"",nl="a\nb",empty=""} 1)");
  ASSERT_EQ(s.labels.size(), 4u);
  EXPECT_EQ(s.labels[0], (Label{"path", "C:\\dir"}));
  EXPECT_EQ(s.labels[1], (Label{"quote", "say \"hi\""}));
  EXPECT_EQ(s.labels[2], (Label{"nl", "a\nb"}));
  EXPECT_EQ(s.labels[3], (Label{"empty", ""}));
}

TEST(PromTextTest, BlanksAndTrailingCommaInsideLabelsAreAccepted) {
  TextSample s = One("up { job = \"node\" , instance=\"a:9100\", } \t 1");
  ASSERT_EQ(s.labels.size(), 2u);
  EXPECT_EQ(s.labels[1], (Label{"instance", "a:9100"}));
  EXPECT_EQ(s.value, 1);
}

TEST(PromTextTest, LabelValuesMayHoldBracesCommasAndHashes) {
  TextSample s = One(R"(x{v="},{#=\"",w="# 1"} 2)");
  EXPECT_EQ(s.labels[0].value, "},{#=\"");
  EXPECT_EQ(s.labels[1].value, "# 1");
  EXPECT_EQ(s.value, 2);
}

TEST(PromTextTest, QuotedMetricNameInsideBraces) {
  TextSample s = One(R"({"my.metric", "label.name"="x"} 3)");
  EXPECT_EQ(s.metric, "my.metric");
  ASSERT_EQ(s.labels.size(), 1u);
  EXPECT_EQ(s.labels[0], (Label{"label.name", "x"}));
}

TEST(PromTextTest, PrometheusTimestampsAreMilliseconds) {
  EXPECT_EQ(*One("a 1 1715000000123").ts, 1715000000123LL * 1'000'000);
  EXPECT_EQ(*One("a 1 -1000").ts, -1'000'000'000LL);
  EXPECT_NE(Error("a 1 1715000000.5").find("invalid timestamp \"1715000000.5\""),
            std::string::npos);
  EXPECT_NE(Error("a 1 99999999999999999").find("out of range"), std::string::npos);
}

TEST(PromTextTest, OpenMetricsTimestampsAreSecondsReadExactly) {
  EXPECT_EQ(*One("a 1 1715000000.123456789", TextFormat::kOpenMetrics).ts, 1715000000123456789LL);
  EXPECT_EQ(*One("a 1 1715000000", TextFormat::kOpenMetrics).ts, 1715000000LL * 1'000'000'000);
  EXPECT_EQ(*One("a 1 1.5e9", TextFormat::kOpenMetrics).ts, 1'500'000'000LL * 1'000'000'000);
}

TEST(PromTextTest, GoFloatForms) {
  double v;
  ASSERT_TRUE(ParseGoFloat("1.796196412e+09", &v));
  EXPECT_EQ(v, 1796196412.0);
  ASSERT_TRUE(ParseGoFloat("218927059", &v));
  EXPECT_EQ(v, 218927059.0);
  ASSERT_TRUE(ParseGoFloat("+Inf", &v));
  EXPECT_TRUE(std::isinf(v) && v > 0);
  ASSERT_TRUE(ParseGoFloat("-inf", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  ASSERT_TRUE(ParseGoFloat("NaN", &v));
  EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(ParseGoFloat("0x1p-2", &v));
  EXPECT_EQ(v, 0.25);
  ASSERT_TRUE(ParseGoFloat(".5", &v));
  EXPECT_EQ(v, 0.5);
  ASSERT_TRUE(ParseGoFloat("-0", &v));
  EXPECT_TRUE(std::signbit(v));
  ASSERT_TRUE(ParseGoFloat("9007199254740993", &v));  // rounds like Go: to nearest double
  EXPECT_EQ(v, 9007199254740992.0);
  for (const char* bad : {"", "+", "1,5", "1.5x", "infin", "nan(1)", "0x10", "1e999", "--1"}) {
    EXPECT_FALSE(ParseGoFloat(bad, &v)) << bad;
  }
}

TEST(PromTextTest, ExemplarsAreSkipped) {
  TextSample s = One(R"(req_bucket{le="0.5"} 7 # {trace_id="abc"} 0.3 1715000000.1)",
                     TextFormat::kOpenMetrics);
  EXPECT_EQ(s.value, 7);
  EXPECT_FALSE(s.ts.has_value());
  TextSample t = One(R"(req_total 9 1715000000 # {trace_id="abc"} 1)", TextFormat::kOpenMetrics);
  EXPECT_EQ(*t.ts, 1715000000LL * 1'000'000'000);
}

TEST(PromTextTest, BadLinesNameTheProblem) {
  EXPECT_EQ(Error("cpu"), "metric \"cpu\" has no value");
  EXPECT_EQ(Error("cpu 1,5"),
            "invalid value \"1,5\" (expected a number such as 1.5, 2e-3, +Inf or NaN)");
  EXPECT_EQ(Error("9cpu 1"),
            "invalid metric name \"9cpu\": it must start with a letter, '_' or ':'");
  EXPECT_EQ(Error("-1 1"), "expected a metric name at column 1, got \"-1 1\"");
  EXPECT_EQ(Error(R"(cpu{a="1" 1)"), "expected ',' or '}' after label \"a\", got '1'");
  EXPECT_EQ(Error(R"(cpu{a="1)"), "unterminated value of label \"a\": missing closing '\"'");
  EXPECT_EQ(Error(R"(cpu{a="\t"} 1)"),
            "invalid escape sequence \"\\t\" in value of label \"a\" (only \\\\, \\\" and \\n "
            "are allowed)");
  EXPECT_EQ(Error(R"(cpu{a="1",a="2"} 1)"), "label \"a\" given twice");
  EXPECT_EQ(Error(R"(cpu{a=1} 1)"), "label \"a\": expected a quoted value after '='");
  EXPECT_EQ(Error(R"(cpu{9a="1"} 1)"),
            "invalid label name at column 5: expected [a-zA-Z_][a-zA-Z0-9_]*, got \"9a=\"1\"} 1\"");
  EXPECT_EQ(Error("cpu 1 2 3"), "unexpected text \"3\" after the timestamp");
  EXPECT_EQ(Error("cpu-temp 1"), "unexpected character '-' after metric \"cpu\" at column 4");
}

TEST(PromTextTest, BodyReportsBadLinesByNumberAndKeepsGoodOnes) {
  Parsed p = Parse("a 1\n\n# just a comment\nb{x=\"1\" 2\r\nc 3\r\nd one\ne 5");
  ASSERT_EQ(p.samples.size(), 3u);
  EXPECT_EQ(p.samples[0].line, 1u);
  EXPECT_EQ(p.samples[1].line, 5u);
  EXPECT_EQ(p.samples[1].sample.metric, "c");
  EXPECT_EQ(p.samples[2].line, 7u);
  EXPECT_EQ(p.summary.errors, 2u);
  ASSERT_EQ(p.summary.first_errors.size(), 2u);
  EXPECT_EQ(p.summary.first_errors[0].line, 4u);
  EXPECT_EQ(p.summary.first_errors[1].line, 6u);
  EXPECT_EQ(p.summary.first_errors[1].message,
            "invalid value \"one\" (expected a number such as 1.5, 2e-3, +Inf or NaN)");
  EXPECT_EQ(p.summary.lines, 7u);
}

TEST(PromTextTest, ErrorListIsCappedButCountsEveryLine) {
  std::string body;
  for (int i = 0; i < 30; ++i) body += "bad\n";
  TextParseSummary s = ParseText(
      body, TextFormat::kPrometheus, [](size_t, TextSample&&) {}, 5);
  EXPECT_EQ(s.errors, 30u);
  EXPECT_EQ(s.first_errors.size(), 5u);
  EXPECT_EQ(s.first_errors[4].line, 5u);
}

TEST(PromTextTest, HelpTypeAndUnitBecomeMetadata) {
  Parsed p = Parse(
      "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
      "# TYPE node_cpu_seconds_total counter\n"
      "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 100.5\n"
      "# TYPE temp gauge\n"
      "# UNIT temp celsius\n"
      "# HELP temp A \\\\ backslash\\nand a newline\n"
      "temp 21\n"
      "# TYPE legacy untyped\n");
  ASSERT_EQ(p.summary.metadata.size(), 3u);
  EXPECT_EQ(p.summary.metadata[0], (FamilyMetadata{"node_cpu_seconds_total", MetricType::kCounter,
                                                   "Seconds the CPUs spent in each mode.", ""}));
  EXPECT_EQ(p.summary.metadata[1], (FamilyMetadata{"temp", MetricType::kGauge,
                                                   "A \\ backslash\nand a newline", "celsius"}));
  EXPECT_EQ(p.summary.metadata[2].type, MetricType::kUnknown);
  EXPECT_EQ(MetricTypeName(p.summary.metadata[2].type), "unknown");
  EXPECT_EQ(p.summary.errors, 0u);
}

TEST(PromTextTest, UnknownTypeIsALineError) {
  Parsed p = Parse("# TYPE a countr\na 1\n");
  EXPECT_EQ(p.samples.size(), 1u);
  ASSERT_EQ(p.summary.first_errors.size(), 1u);
  EXPECT_EQ(p.summary.first_errors[0].line, 1u);
  EXPECT_NE(p.summary.first_errors[0].message.find("unknown type \"countr\" for \"a\""),
            std::string::npos);
}

TEST(PromTextTest, HistogramAndSummaryAreTheirSeries) {
  Parsed p = Parse(
      "# TYPE rpc histogram\n"
      "rpc_bucket{le=\"0.1\"} 3\n"
      "rpc_bucket{le=\"+Inf\"} 5\n"
      "rpc_sum 1.25\n"
      "rpc_count 5\n"
      "# TYPE lat summary\n"
      "lat{quantile=\"0.99\"} NaN\n"
      "lat_sum 0\n"
      "lat_count 0\n");
  ASSERT_EQ(p.samples.size(), 7u);
  EXPECT_EQ(p.samples[1].sample.metric, "rpc_bucket");
  EXPECT_EQ(p.samples[1].sample.labels[0], (Label{"le", "+Inf"}));
  EXPECT_EQ(p.samples[3].sample.metric, "rpc_count");
  EXPECT_EQ(p.samples[4].sample.labels[0], (Label{"quantile", "0.99"}));
  EXPECT_TRUE(std::isnan(p.samples[4].sample.value));
  EXPECT_EQ(p.summary.metadata[0].type, MetricType::kHistogram);
  EXPECT_EQ(p.summary.metadata[1].type, MetricType::kSummary);
}

TEST(PromTextTest, OpenMetricsEofEndsTheBody) {
  Parsed p = Parse("# TYPE a counter\n# UNIT a seconds\na_total 1 1715000000.5\n# EOF\n\n",
                   TextFormat::kOpenMetrics);
  EXPECT_TRUE(p.summary.eof);
  EXPECT_EQ(p.summary.errors, 0u);
  ASSERT_EQ(p.samples.size(), 1u);
  EXPECT_EQ(*p.samples[0].sample.ts, 1715000000500000000LL);

  Parsed late = Parse("a 1\n# EOF\nb 2\nc 3\n", TextFormat::kOpenMetrics);
  EXPECT_EQ(late.samples.size(), 1u);
  ASSERT_EQ(late.summary.first_errors.size(), 1u);
  EXPECT_EQ(late.summary.first_errors[0].line, 3u);
}

TEST(PromTextTest, ContentTypeSelectsTheFormat) {
  EXPECT_EQ(FormatFromContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            TextFormat::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType("Application/OpenMetrics-Text"), TextFormat::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType("text/plain; version=0.0.4"), TextFormat::kPrometheus);
  EXPECT_EQ(FormatFromContentType(""), TextFormat::kPrometheus);
}

}  // namespace
}  // namespace nanotdb::prom

namespace nanotdb::prom {
namespace {

// Random soup of the format's own characters: every line is either a sample or an error, and
// nothing crashes or hangs.
TEST(PromTextTest, RandomTokenSoupIsAlwaysJudgedLineByLine) {
  const std::string alphabet = "ab_:{}=\",\\# \t01.e+-InfNa\r";
  std::mt19937 rng(42);
  std::string body;
  size_t lines = 0;
  for (int i = 0; i < 3000; ++i) {
    size_t len = rng() % 40;
    for (size_t k = 0; k < len; ++k) body.push_back(alphabet[rng() % alphabet.size()]);
    body.push_back('\n');
    ++lines;
  }
  size_t samples = 0;
  TextParseSummary s =
      ParseText(body, TextFormat::kPrometheus, [&](size_t, TextSample&&) { ++samples; });
  EXPECT_EQ(s.samples, samples);
  EXPECT_EQ(s.lines, lines);
  EXPECT_GT(s.errors, 0u);
}

}  // namespace
}  // namespace nanotdb::prom
