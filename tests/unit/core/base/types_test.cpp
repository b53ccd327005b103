#include "nanotdb/types.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace nanotdb {
namespace {

std::string Text(double v) { return FormatValue(Value::Float64(v)); }

double Parse(std::string_view text) {
  double d = -1;
  std::string why;
  EXPECT_TRUE(ParseFloat64(text, &d, &why)) << text << ": " << why;
  return d;
}

std::string ParseError(std::string_view text) {
  double d;
  std::string why;
  EXPECT_FALSE(ParseFloat64(text, &d, &why)) << text;
  return why;
}

TEST(TypesTest, SampleStaysSixteenBytes) { EXPECT_EQ(sizeof(Sample), 16u); }

TEST(TypesTest, TypeNamesRoundTrip) {
  for (ValueType t :
       {ValueType::kInt32, ValueType::kFloat32, ValueType::kInt64, ValueType::kFloat64}) {
    ValueType back;
    ASSERT_TRUE(ParseValueType(ValueTypeName(t), &back));
    EXPECT_EQ(back, t);
  }
  EXPECT_STREQ(ValueTypeName(ValueType::kInt64), "int64");
  EXPECT_STREQ(ValueTypeName(ValueType::kFloat64), "float64");
  ValueType t;
  EXPECT_FALSE(ParseValueType("double", &t));
}

TEST(TypesTest, FloatsFormatShortestWithoutExponentWhereThatStaysShort) {
  EXPECT_EQ(Text(21.5), "21.5");
  EXPECT_EQ(Text(1000000), "1000000");
  EXPECT_EQ(Text(0.001), "0.001");
  EXPECT_EQ(Text(1.796196412e+09), "1796196412");
  EXPECT_EQ(Text(218927059), "218927059");
  EXPECT_EQ(Text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Text(1e20), "100000000000000000000");
  EXPECT_EQ(Text(1e21), "1e+21");
  EXPECT_EQ(Text(1e-7), "0.0000001");
  EXPECT_EQ(Text(1.5e-8), "1.5e-08");
  EXPECT_EQ(Text(5e-324), "5e-324");
  EXPECT_EQ(Text(0), "0");
  EXPECT_EQ(Text(-0.0), "-0");
  EXPECT_EQ(Text(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(Text(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(Text(std::nan("")), "NaN");
  EXPECT_EQ(FormatValue(Value::Int64(5000000000)), "5000000000");
  EXPECT_EQ(FormatValue(Value::Int64(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
}

TEST(TypesTest, EveryDoubleFormatsToTextThatParsesBackBitForBit) {
  std::mt19937_64 rng(17);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t bits = rng();
    const double v = std::bit_cast<double>(bits);
    const double back = Parse(Text(v));
    if (std::isnan(v)) {
      EXPECT_TRUE(std::isnan(back));  // payloads are not kept: docs/line-protocol.md
    } else {
      ASSERT_EQ(std::bit_cast<uint64_t>(back), bits) << Text(v);
    }
  }
}

TEST(TypesTest, ParsesSpecialSpellingsAndRejectsOverflowByName) {
  EXPECT_TRUE(std::isnan(Parse("NaN")));
  EXPECT_TRUE(std::isnan(Parse("nan")));
  EXPECT_EQ(Parse("Inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Parse("+Inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Parse("-Inf"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Parse("-infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Parse("+3.25"), 3.25);
  EXPECT_EQ(Parse(".5"), 0.5);
  EXPECT_EQ(Parse("1e-400"), 0.0);
  EXPECT_TRUE(std::signbit(Parse("-1e-400")));
  EXPECT_EQ(Parse("2e-324"), 0.0);
  EXPECT_EQ(Parse("3e-324"), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(ParseError("1e400"), "out of range for float64 (magnitude above 1.8e308)");
  EXPECT_EQ(ParseError("-1.8e308"), "out of range for float64 (magnitude above 1.8e308)");
  EXPECT_EQ(ParseError(""), "not a number");
  EXPECT_EQ(ParseError("+-1"), "not a number");
  EXPECT_EQ(ParseError("1.5x"), "not a number");
  EXPECT_EQ(ParseError("0x10"), "not a number");
  EXPECT_EQ(ParseError("infinite"), "not a number");
}

TEST(TypesTest, ParsesInt64WithItsRange) {
  int64_t v = 0;
  std::string why;
  ASSERT_TRUE(ParseInt64("5000000000", &v, &why));
  EXPECT_EQ(v, 5000000000);
  ASSERT_TRUE(ParseInt64("+7", &v, &why));
  EXPECT_EQ(v, 7);
  ASSERT_TRUE(ParseInt64("-9223372036854775808", &v, &why));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(ParseInt64("9223372036854775808", &v, &why));
  EXPECT_EQ(why, "out of range for int64 (-9223372036854775808..9223372036854775807)");
  EXPECT_FALSE(ParseInt64("4.5", &v, &why));
  EXPECT_EQ(why, "not an integer");
  EXPECT_FALSE(ParseInt64("", &v, &why));
}

// Values of the 4-byte types of format version 1 widen to the numbers they were shown as.
TEST(TypesTest, FourByteValuesWidenToWhatTheyWerePrintedAs) {
  Value i32{ValueType::kInt32, static_cast<uint32_t>(-5)};
  EXPECT_EQ(i32.Widened().type, ValueType::kInt64);
  EXPECT_EQ(i32.Widened().AsInt64(), -5);
  auto f32 = [](float f) { return Value{ValueType::kFloat32, std::bit_cast<uint32_t>(f)}; };
  EXPECT_EQ(f32(21.15f).Widened().type, ValueType::kFloat64);
  EXPECT_EQ(f32(21.15f).Widened().AsFloat64(), 21.15);
  EXPECT_EQ(f32(0.1f).AsDouble(), 0.1);
  EXPECT_EQ(f32(218927059.0f).Widened().AsFloat64(), 218927056.0);
  EXPECT_EQ(f32(3.4e38f).Widened().AsFloat64(), static_cast<double>(3.4e38f));
  EXPECT_TRUE(std::isnan(f32(std::nanf("")).Widened().AsFloat64()));
  EXPECT_TRUE(std::signbit(f32(-0.0f).Widened().AsFloat64()));
  EXPECT_EQ(f32(-std::numeric_limits<float>::infinity()).Widened().AsFloat64(),
            -std::numeric_limits<double>::infinity());
  // Every float32 widens to a double that narrows back to the same float32.
  std::mt19937 rng(3);
  for (int i = 0; i < 100000; ++i) {
    const float f = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    if (std::isnan(f)) continue;
    ASSERT_EQ(std::bit_cast<uint32_t>(static_cast<float>(WidenFloat32(f))),
              std::bit_cast<uint32_t>(f))
        << f;
  }
  Value i64 = Value::Int64(1);
  EXPECT_EQ(i64.Widened().bits, i64.bits);
}

}  // namespace
}  // namespace nanotdb
