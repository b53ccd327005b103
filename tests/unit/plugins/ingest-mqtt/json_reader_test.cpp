// The JSON reader of MQTT payloads: number literals kept as written, strict and bounded.
#include "json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nanotdb::mqtt {
namespace {

using ::testing::HasSubstr;

TEST(JsonReaderTest, KeepsNumberLiteralsAndDecodesStrings) {
  auto v =
      ParseJson(R"( {"a": 9007199254740993, "b": -0.0, "c": 1e-3, "s": "\u00b0C \ud834\udd1e\n",
                         "t": true, "n": null, "l": [1, {"x": false}]} )");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Find("a")->text, "9007199254740993");
  EXPECT_TRUE(IsIntegerLiteral(v->Find("a")->text));
  EXPECT_EQ(v->Find("b")->text, "-0.0");
  EXPECT_FALSE(IsIntegerLiteral(v->Find("c")->text));
  EXPECT_EQ(v->Find("s")->text, "°C 𝄞\n");
  EXPECT_TRUE(v->Find("t")->boolean);
  EXPECT_EQ(v->Find("n")->kind, JsonValue::Kind::kNull);
  ASSERT_EQ(v->Find("l")->items.size(), 2u);
  EXPECT_EQ(v->Find("l")->items[1].Find("x")->kind, JsonValue::Kind::kBool);
  EXPECT_EQ(v->Find("missing"), nullptr);
}

TEST(JsonReaderTest, ScalarsAtTheTopLevel) {
  EXPECT_EQ(ParseJson("42")->text, "42");
  EXPECT_EQ(ParseJson("\"on\"")->text, "on");
}

TEST(JsonReaderTest, InvalidDocumentsNameTheOffset) {
  EXPECT_THAT(ParseJson("{bad").status().message(),
              HasSubstr("at byte 1: expected a member name in quotes, got 'b'"));
  EXPECT_THAT(ParseJson("01").status().message(), HasSubstr("end of the document"));
  EXPECT_THAT(ParseJson("1.").status().message(), HasSubstr("a digit after '.'"));
  EXPECT_THAT(ParseJson("NaN").status().message(), HasSubstr("expected a value"));
  EXPECT_THAT(ParseJson("[1,]").status().message(), HasSubstr("expected a value"));
  EXPECT_THAT(ParseJson("{\"a\":1} x").status().message(), HasSubstr("end of the document"));
  EXPECT_THAT(ParseJson("\"abc").status().message(), HasSubstr("closing '\"'"));
  EXPECT_THAT(ParseJson("\"\\u0000\"").status().message(), HasSubstr("NUL"));
  EXPECT_THAT(ParseJson("\"\\ud800\"").status().message(), HasSubstr("low surrogate"));
  EXPECT_THAT(ParseJson("\"\xff\"").status().message(), HasSubstr("UTF-8"));
  EXPECT_THAT(ParseJson("\"a\tb\"").status().message(), HasSubstr("control character"));
  EXPECT_THAT(ParseJson("").status().message(), HasSubstr("expected a value"));
}

TEST(JsonReaderTest, NestingIsBounded) {
  std::string deep(100000, '[');
  EXPECT_THAT(ParseJson(deep).status().message(), HasSubstr("nested deeper than 32 levels"));
  std::string ok = std::string(32, '[') + std::string(32, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  EXPECT_FALSE(ParseJson("[" + ok + "]").ok());
}

}  // namespace
}  // namespace nanotdb::mqtt
