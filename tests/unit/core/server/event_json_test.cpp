#include "server/event_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nanotdb::server {
namespace {

Event Make(std::string name, Timestamp ts, std::optional<Value> v, std::string payload) {
  Event e;
  e.name = std::move(name);
  e.ts = ts;
  e.value = v;
  e.payload = std::move(payload);
  return e;
}

TEST(EventJsonTest, EventLinesReadBackExactly) {
  const std::vector<Event> events = {
      Make("deploy", 1779580801000000001, Value::Float64(3.0), ""),
      Make("door \"front\"", 0, Value::Int64(std::numeric_limits<int64_t>::min()), "[1,{}]"),
      Make("old", -1, Value::Float64(-0.0), "\"x\""),
      Make("nan", 5, Value::Float64(std::nan("")), "null"),
      Make("inf", 6, Value::Float64(-std::numeric_limits<double>::infinity()), ""),
      Make("tiny", 7, Value::Float64(5e-324), ""),
      Make("none", 8, std::nullopt, "{\"a\":1.10}"),
  };
  for (const Event& e : events) {
    const std::string line = FormatEventLine("home", e);
    std::string db;
    Event back;
    Status st = ParseEventLine(line, "", 0, &db, &back);
    ASSERT_TRUE(st.ok()) << line << ": " << st.ToString();
    EXPECT_EQ(db, "home");
    EXPECT_EQ(back.name, e.name) << line;
    EXPECT_EQ(back.ts, e.ts) << line;
    EXPECT_EQ(back.value.has_value(), e.value.has_value()) << line;
    if (e.value && !std::isnan(e.value->AsFloat64())) {
      EXPECT_EQ(back.value->type, e.value->type) << line;
      EXPECT_EQ(back.value->bits, e.value->bits) << line;
    }
    // A payload of JSON null reads back as none.
    EXPECT_EQ(back.payload, e.payload == "null" ? "" : e.payload) << line;
  }
  EXPECT_EQ(FormatEventLine("home", events[0]),
            "@event {\"db\":\"home\",\"name\":\"deploy\",\"ts\":\"2026-05-24 "
            "00:00:01.000000001\",\"value\":3.0,\"payload\":null}");
  EXPECT_EQ(FormatEventLine("home", events[2]),
            "@event {\"db\":\"home\",\"name\":\"old\",\"ts\":-1,\"value\":-0.0,\"payload\":\"x\"}");
}

TEST(EventJsonTest, BadEventsNameTheProblem) {
  struct Case {
    std::string json, error;
  };
  for (const Case& c : std::vector<Case>{
           {"[]", "expected an event object, got a array"},
           {"{\"name\":1}", "\"name\" must be a string"},
           {"{\"name\":\"a\",\"value\":true}", "\"value\" must be a number or null, got a boolean"},
           {"{\"name\":\"a\",\"value\":\"high\"}",
            "\"value\" must be a number or null, got a string"},
           {"{\"name\":\"a\",\"value\":9223372036854775808}",
            "\"value\" 9223372036854775808: out of range for int64 "
            "(-9223372036854775808..9223372036854775807); write it with a decimal point to store a "
            "float64"},
           {"{\"name\":\"a\",\"ts\":1.5}",
            "\"ts\" 1.5 is not an integer of Unix nanoseconds: not an integer"},
           {"{\"name\":\"a\",\"ts\":[]}",
            "\"ts\" must be Unix nanoseconds or an RFC 3339 time string, got a array"},
           {"{\"name\":\"a\",\"when\":1}",
            "unknown field \"when\" (an event has db, name, ts, value, payload)"},
           {"{\"value\":1}", "missing \"name\""},
       }) {
    Result<JsonNode> node = ParseJson(c.json);
    ASSERT_TRUE(node.ok()) << c.json;
    std::string db;
    Event e;
    Status st = EventFromJson(*node, "home", 0, &db, &e);
    EXPECT_EQ(st.message(), c.error) << c.json;
  }
  std::string db;
  Event e;
  EXPECT_EQ(ParseEventLine("@event {\"name\":\"a\"}", "", 0, &db, &e).message(),
            "no database: give ?db= or \"db\" in the event");
  EXPECT_TRUE(ParseEventLine("@event {\"name\":\"a\",\"db\":\"x\"}", "other", 0, &db, &e).ok());
  EXPECT_EQ(db, "other");
  EXPECT_EQ(ParseEventLine("@event {", "", 0, &db, &e).message(),
            "event line is not JSON: offset 1: expected a quoted object key");
}

}  // namespace
}  // namespace nanotdb::server
