#include "server/json_scan.h"

#include <gtest/gtest.h>

namespace nanotdb::server {
namespace {

TEST(JsonScanTest, NodesKeepTheirRawTextAndStringsAreDecoded) {
  const std::string in =
      R"( {"a": [1, -2.50e3, true, null], "s": "x\n\u00e9\ud83d\ude00\"", "o": {}} )";
  Result<JsonNode> root = ParseJson(in);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  ASSERT_EQ(root->kind, JsonNode::Kind::kObject);
  const JsonNode* a = root->Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->raw, "[1, -2.50e3, true, null]");
  ASSERT_EQ(a->items.size(), 4u);
  EXPECT_EQ(a->items[1].raw, "-2.50e3");
  EXPECT_EQ(a->items[1].kind, JsonNode::Kind::kNumber);
  EXPECT_TRUE(a->items[2].boolean);
  EXPECT_EQ(root->Find("s")->text, "x\n\xc3\xa9\xf0\x9f\x98\x80\"");
  EXPECT_EQ(root->Find("missing"), nullptr);
}

TEST(JsonScanTest, CompactJsonDropsOnlyBlanksOutsideStrings) {
  EXPECT_EQ(CompactJson("{ \"a b\" : [ 1 ,\n 2.50 ] , \"c\":\"\\\" x \" }"),
            "{\"a b\":[1,2.50],\"c\":\"\\\" x \"}");
}

TEST(JsonScanTest, BadInputNamesTheOffsetAndTheProblem) {
  struct Case {
    std::string in, error;
  };
  for (const Case& c : std::vector<Case>{
           {"", "offset 0: unexpected end of input, expected a value"},
           {"{\"a\" 1}", "offset 5: expected ':' after an object key"},
           {"[1,]", "offset 3: unexpected character ']'"},
           {"{\"a\":1,\"a\":2}", "offset 7: duplicate key \"a\""},
           {"01", "offset 1: unexpected text after the JSON value"},
           {"\"\\ud800\"", "offset 7: unpaired surrogate in a \\u escape"},
           {"\"a\tb\"", "offset 2: control character in a string (escape it)"},
           {"1.", "offset 2: bad number: digits expected after '.'"},
           {"[[[1]]]", "offset 2: nested deeper than 1 levels"},
           {"\"ok \xc3\xa9 \xff\"", "offset 7: bad UTF-8 in a string"},
           {"{\"\xed\xa0\x80\":1}", "offset 2: bad UTF-8 in a string"},
           {"\"\xe2\x82\"", "offset 1: bad UTF-8 in a string"},
       }) {
    Result<JsonNode> r = ParseJson(c.in, c.in == "[[[1]]]" ? 1 : 64);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_EQ(r.status().message(), c.error) << c.in;
  }
}

// 100,000 keys (a 1 MiB body) took 150 s when each key was compared with every earlier one.
TEST(JsonScanTest, ObjectsWithManyKeysParseAndADuplicateIsStillFound) {
  std::string in = "{";
  for (int i = 0; i < 100000; ++i)
    in += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  const size_t dup_at = in.size();
  std::string dup = in + "\"k99999\":0}";
  in.back() = '}';
  Result<JsonNode> root = ParseJson(in);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  ASSERT_EQ(root->members.size(), 100000u);
  EXPECT_EQ(root->members[12345].key, "k12345");
  EXPECT_EQ(root->members[12345].value.raw, "12345");
  Result<JsonNode> r = ParseJson(dup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "offset " + std::to_string(dup_at) + ": duplicate key \"k99999\"");
}

}  // namespace
}  // namespace nanotdb::server
