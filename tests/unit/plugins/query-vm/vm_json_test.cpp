#include "nanotdb/vm_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nanotdb::vm {
namespace {

std::string Seconds(Timestamp ts) {
  std::string out;
  AppendSeconds(&out, ts);
  return out;
}

std::string Computed(double v) {
  std::string out;
  AppendComputedValue(&out, v);
  return out;
}

TEST(VmJsonTest, TimestampsAreExactFloatSeconds) {
  EXPECT_EQ(Seconds(1715000000000000000), "1715000000");
  EXPECT_EQ(Seconds(1715000000123000000), "1715000000.123");
  EXPECT_EQ(Seconds(1715000000000000001), "1715000000.000000001");
  EXPECT_EQ(Seconds(0), "0");
  EXPECT_EQ(Seconds(-1), "-0.000000001");
  EXPECT_EQ(Seconds(-1'500'000'000), "-1.5");
}

TEST(VmJsonTest, ComputedValuesAreStringsInPrometheusForm) {
  EXPECT_EQ(Computed(21.5), "\"21.5\"");
  EXPECT_EQ(Computed(21.65), "\"21.65\"");
  EXPECT_EQ(Computed(1e6), "\"1000000\"");
  EXPECT_EQ(Computed(16777217), "\"16777217\"");
  EXPECT_EQ(Computed(1.796196412e+09), "\"1796196412\"");
  EXPECT_EQ(Computed(0.1 + 0.2), "\"0.30000000000000004\"");
  EXPECT_EQ(Computed(std::nan("")), "\"NaN\"");
  EXPECT_EQ(Computed(std::numeric_limits<double>::infinity()), "\"+Inf\"");
  EXPECT_EQ(Computed(-std::numeric_limits<double>::infinity()), "\"-Inf\"");
}

TEST(VmJsonTest, WindowLabelsUseGoDurationText) {
  EXPECT_EQ(GoDurationString(5 * 60 * kNanosPerSecond), "5m0s");
  EXPECT_EQ(GoDurationString(30 * kNanosPerSecond), "30s");
  EXPECT_EQ(GoDurationString(3600 * kNanosPerSecond), "1h0m0s");
  EXPECT_EQ(GoDurationString(90 * 60 * kNanosPerSecond), "1h30m0s");
  EXPECT_EQ(GoDurationString(1'500'000'000), "1.5s");
  EXPECT_EQ(GoDurationString(250'000'000), "250ms");
  EXPECT_EQ(GoDurationString(1'500'000), "1.5ms");
  EXPECT_EQ(GoDurationString(7), "7ns");
}

TEST(VmJsonTest, StringsAreEscaped) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\"");
}

TEST(VmJsonTest, ErrorEnvelopeCarriesTypeAndMessage) {
  HttpResponse resp;
  RespondError(resp, 400, "bad_data", "missing query parameter");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.content_type, "application/json");
  EXPECT_EQ(resp.body,
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"missing query "
            "parameter\"}\n");
}

}  // namespace
}  // namespace nanotdb::vm
