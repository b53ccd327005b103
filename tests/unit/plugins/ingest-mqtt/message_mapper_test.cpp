// [[plugins.ingest-mqtt.subscribe]] tables and what they make of messages: series names from
// captured topic levels, exact values, timestamps and the reasons for refusals.
#include "message_mapper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

namespace nanotdb::mqtt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr Timestamp kNow = 1'780'000'000'000'000'000;

std::vector<Subscription> Subs(const std::string& toml) {
  auto s = ParseSubscriptions(toml, "mqtt");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : std::vector<Subscription>{};
}

std::string ConfigError(const std::string& toml) {
  auto s = ParseSubscriptions(toml, "mqtt");
  return s.ok() ? "<ok>" : s.status().message();
}

// "db key value(type) ts" of every point.
std::vector<std::string> Points(const MapResult& r) {
  std::vector<std::string> out;
  for (const MappedPoint& p : r.points) {
    std::string v = FormatValue(p.value) + (p.value.type == ValueType::kInt64 ? "i" : "");
    out.push_back(p.db + " " + p.key + " " + v + (p.ts == kNow ? "" : " @" + std::to_string(p.ts)));
  }
  return out;
}

uint64_t Bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

TEST(MessageMapperTest, ASinglePlusNeedsNoDatabaseCaptureAnyMore) {
  // The reference dropped sensors/room1/temperature with one '+' and no db ("db not
  // derivable"); here each capture goes where the templates say.
  auto subs = Subs(R"(
[[subscribe]]
topic = "sensors/+/temperature"
format = "text"
metric = "temperature"
labels = { room = "{1}" }
)");
  auto r = MapMessage(subs, "sensors/room1/temperature", "21.5", false, kNow);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(Points(r), ElementsAre("mqtt temperature{room=\"room1\"} 21.5"));
}

TEST(MessageMapperTest, EveryPlusLevelIsUsable) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "+/+/+/state"
format = "text"
db = "{1}"
metric = "{3}"
labels = { room = "{2}", topic = "{topic}" }
)");
  auto r = MapMessage(subs, "home/living room/lamp power/state", "1", false, kNow);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(Points(r), ElementsAre("home lamp_power{room=\"living room\",topic=\"home/living "
                                     "room/lamp power/state\"} 1i"));
}

TEST(MessageMapperTest, TextValuesAreExact) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "v/+"
format = "text"
metric = "{1}"
states = { ON = 1, OFF = 0 }
)");
  auto one = [&](std::string_view payload) {
    auto r = MapMessage(subs, "v/x", payload, false, kNow);
    EXPECT_THAT(r.errors, IsEmpty()) << payload;
    return r.points.empty() ? Value() : r.points[0].value;
  };
  EXPECT_EQ(one("9223372036854775807").AsInt64(), INT64_MAX);
  EXPECT_EQ(one("-9223372036854775808").AsInt64(), INT64_MIN);
  EXPECT_EQ(one("9007199254740993").AsInt64(), 9007199254740993);
  EXPECT_EQ(one("0.1").bits, Bits(0.1));
  EXPECT_EQ(one("-0").type, ValueType::kInt64);
  EXPECT_EQ(one("-0.0").bits, Bits(-0.0));
  EXPECT_EQ(one("5e-324").bits, Bits(5e-324));
  EXPECT_EQ(one(" 21.5\r\n").bits, Bits(21.5));
  EXPECT_EQ(one("1e20").bits, Bits(1e20));
  EXPECT_EQ(one("100000000000000000000").bits, Bits(1e20));  // beyond int64: nearest float64
  EXPECT_EQ(one("true").AsInt64(), 1);
  EXPECT_EQ(one("false").AsInt64(), 0);
  EXPECT_EQ(one("ON").AsInt64(), 1);
  EXPECT_EQ(one("OFF").AsInt64(), 0);
  EXPECT_TRUE(std::isnan(one("NaN").AsFloat64()));
}

TEST(MessageMapperTest, TextTimestampIsTheSecondWord) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "t"
format = "text"
metric = "m"
timestamp_unit = "s"
)");
  EXPECT_THAT(Points(MapMessage(subs, "t", "7 1780000001", false, kNow)),
              ElementsAre("mqtt m 7i @1780000001000000000"));
  EXPECT_THAT(Points(MapMessage(subs, "t", "7 1780000001.5", false, kNow)),
              ElementsAre("mqtt m 7i @1780000001500000000"));
  EXPECT_THAT(Points(MapMessage(subs, "t", "7 2026-05-24T12:00:00Z", false, kNow)),
              ElementsAre("mqtt m 7i @1779624000000000000"));
  auto r = MapMessage(subs, "t", "7 yesterday", false, kNow);
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("timestamp: invalid time \"yesterday\"")));
}

TEST(MessageMapperTest, BadTextPayloadsAreRejectedWithTheReason) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "t"
format = "text"
metric = "m"
)");
  auto err = [&](std::string_view payload) {
    auto r = MapMessage(subs, "t", payload, false, kNow);
    EXPECT_THAT(r.points, IsEmpty());
    return r.errors.empty() ? std::string("<none>") : r.errors[0];
  };
  EXPECT_THAT(err(""), HasSubstr("empty payload"));
  EXPECT_THAT(err("abc"), HasSubstr("value \"abc\" is not a number (map such words"));
  EXPECT_THAT(err("4x2"), HasSubstr("value \"4x2\""));
  EXPECT_THAT(err("1e400"), HasSubstr("out of range"));
  EXPECT_THAT(err("{\"value\": 1}"), HasSubstr("is not a number"));
}

TEST(MessageMapperTest, Zigbee2MqttEveryFieldWithDeviceLabel) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "zigbee2mqtt/+"
db = "home"
metric = "zigbee.{field}"
labels = { device = "{1}" }
type = "float"
)");
  auto r = MapMessage(subs, "zigbee2mqtt/bedroom sensor",
                      R"({"battery":97,"humidity":48.31,"linkquality":120,"temperature":21.25,
                          "voltage":3000,"contact":true,"update":{"state":"idle"},"last_seen":null})",
                      false, kNow);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(Points(r), ElementsAre("home zigbee.battery{device=\"bedroom sensor\"} 97",
                                     "home zigbee.humidity{device=\"bedroom sensor\"} 48.31",
                                     "home zigbee.linkquality{device=\"bedroom sensor\"} 120",
                                     "home zigbee.temperature{device=\"bedroom sensor\"} 21.25",
                                     "home zigbee.voltage{device=\"bedroom sensor\"} 3000",
                                     "home zigbee.contact{device=\"bedroom sensor\"} 1"));
  for (const MappedPoint& p : r.points) EXPECT_EQ(p.value.type, ValueType::kFloat64);
}

TEST(MessageMapperTest, TasmotaNestedPathsAndTimestamp) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "tele/+/SENSOR"
db = "tasmota"
metric = "{field}"
fields = ["ENERGY.Power", "ENERGY.Total", "AM2301.Temperature", "list.1"]
timestamp = "Time"
labels = { device = "{1}" }
)");
  auto r = MapMessage(subs, "tele/plug1/SENSOR",
                      R"({"Time":"2026-05-24T12:00:00","ENERGY":{"Total":12.345,"Power":42},
                          "list":[5,6]})",
                      false, kNow);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(Points(r),
              ElementsAre("tasmota ENERGY.Power{device=\"plug1\"} 42i @1779624000000000000",
                          "tasmota ENERGY.Total{device=\"plug1\"} 12.345 @1779624000000000000",
                          "tasmota list.1{device=\"plug1\"} 6i @1779624000000000000"));
}

TEST(MessageMapperTest, JsonRefusalsNameFieldAndReason) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "j"
fields = ["a", "b", "c"]
type = "int"
)");
  auto r = MapMessage(subs, "j", R"({"a": 1.5, "b": "open", "c": {"x": 1}})", false, kNow);
  EXPECT_THAT(r.points, IsEmpty());
  EXPECT_THAT(r.errors, ElementsAre("field \"a\": value \"1.5\" is not an integer (type = \"int\")",
                                    HasSubstr("field \"b\": value \"open\" is not a number"),
                                    "field \"c\" is an object, not a value"));
  r = MapMessage(subs, "j", R"({"z": 1})", false, kNow);
  EXPECT_THAT(r.errors, ElementsAre("none of the fields (a, b, c) is in the JSON payload"));
  r = MapMessage(subs, "j", R"({"a": 2.0, "b": 3})", false, kNow);
  EXPECT_THAT(Points(r), ElementsAre("mqtt a 2i", "mqtt b 3i"));
  r = MapMessage(subs, "j", "[", false, kNow);
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("invalid JSON at byte 1")));
}

TEST(MessageMapperTest, AJsonNumberAloneIsFieldValue) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "n/+"
metric = "{1}.{field}"
)");
  EXPECT_THAT(Points(MapMessage(subs, "n/a", "42", false, kNow)), ElementsAre("mqtt a.value 42i"));
  auto r = MapMessage(subs, "n/a", R"({"s":"x"})", false, kNow);
  EXPECT_THAT(r.errors, ElementsAre("no number or boolean in the JSON payload"));
}

TEST(MessageMapperTest, FirstMatchingSubscriptionWinsAndRetainedMayBeSkipped) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "a/special"
format = "text"
metric = "special"
retained = false

[[subscribe]]
topic = "a/#"
format = "text"
metric = "{#}"
)");
  auto r = MapMessage(subs, "a/special", "1", false, kNow);
  EXPECT_EQ(r.subscription, 0);
  EXPECT_THAT(Points(r), ElementsAre("mqtt special 1i"));
  r = MapMessage(subs, "a/special", "1", true, kNow);
  EXPECT_TRUE(r.skipped_retained);
  EXPECT_THAT(r.points, IsEmpty());
  r = MapMessage(subs, "a/b/c", "2", true, kNow);
  EXPECT_EQ(r.subscription, 1);
  EXPECT_THAT(Points(r), ElementsAre("mqtt b.c 2i"));
  EXPECT_EQ(MapMessage(subs, "other", "1", false, kNow).subscription, -1);
}

TEST(MessageMapperTest, BadNamesFromTopicsAreRejected) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "+/+"
format = "text"
db = "{1}"
metric = "{2}"
)");
  auto r = MapMessage(subs, "bad db!/m", "1", false, kNow);
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("database: ")));
  r = MapMessage(subs, "ok/", "1", false, kNow);
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("metric name")));
}

TEST(SubscriptionConfigTest, ErrorsNameTableAndKey) {
  EXPECT_THAT(ConfigError(""), HasSubstr("no [[plugins.ingest-mqtt.subscribe]] table"));
  EXPECT_THAT(ConfigError("[[subscribe]]\nqos = 0\n"),
              HasSubstr("subscribe[0]: topic is required"));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nqos = 2\n"),
              HasSubstr("subscribe[0] (topic \"a/+\"): qos must be 0 or 1"));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nformat = \"xml\"\n"),
              HasSubstr("format must be \"json\" or \"text\""));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nformat = \"text\"\n"),
              HasSubstr("metric is required with format = \"text\""));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nmetric = \"{2}\"\n"),
              HasSubstr("subscribe[0] (topic \"a/+\"): metric: template \"{2}\": {2} but filter"));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nmetric = \"m\"\n"),
              HasSubstr("has no {field} but several fields map to it"));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a\"\nlabels = { db = \"x\" }\n"),
              HasSubstr("labels"));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a\"\ntimestamp_unit = \"h\"\n"),
              HasSubstr("timestamp_unit must be"));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a\"\nmetrc = \"x\"\n"),
              HasSubstr("unknown key \"metrc\""));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/#/b\"\n"), HasSubstr("last level"));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a\"\nstates = { ON = \"1\" }\n"),
              HasSubstr("states.ON must be an integer"));
}

TEST(BrokerConfigTest, AddressAndRanges) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseBrokerAddress("[::1]:8883", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8883);
  EXPECT_THAT(ParseBrokerAddress("localhost", &host, &port).message(), HasSubstr("host:port"));
  EXPECT_THAT(ParseBrokerAddress("h:0", &host, &port).message(), HasSubstr("1..65535"));
  BrokerConfig c;
  c.client_id = "x";
  EXPECT_TRUE(ValidateBrokerConfig(c).ok());
  c.retry_max_interval_ns = c.retry_interval_ns / 2;
  EXPECT_THAT(ValidateBrokerConfig(c).message(), HasSubstr("retry_max_interval"));
  c = BrokerConfig{};
  c.client_id = "x";
  c.keepalive_ns = 1'500'000'000;
  EXPECT_THAT(ValidateBrokerConfig(c).message(), HasSubstr("whole seconds"));
  c.keepalive_ns = 0;
  c.password = "p";
  EXPECT_THAT(ValidateBrokerConfig(c).message(), HasSubstr("username is not"));
}

// "db name value payload @ts" of every event.
std::vector<std::string> Events(const MapResult& r) {
  std::vector<std::string> out;
  for (const MappedEvent& me : r.events) {
    const Event& e = me.event;
    std::string v =
        e.value ? FormatValue(*e.value) + (e.value->type == ValueType::kInt64 ? "i" : "") : "-";
    out.push_back(me.db + " " + e.name + " " + v + " " + (e.payload.empty() ? "-" : e.payload) +
                  (e.ts == kNow ? "" : " @" + std::to_string(e.ts)));
  }
  return out;
}

TEST(MessageMapperTest, EventTablesNameEventsFromCapturesWithValueAndPayloadFromJson) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "alarm/+/+"
kind = "event"
db = "{1}"
name = "alarm.{2}"
value = "level"
timestamp = "at"
timestamp_unit = "s"
)");
  auto r = MapMessage(subs, "alarm/home/smoke",
                      R"({ "level" : 3, "at": 1779999000, "room": "kitchen", "ok": [true, null] })",
                      false, kNow);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.points, IsEmpty());
  EXPECT_THAT(Events(r),
              ElementsAre("home alarm.smoke 3i "
                          R"({"level":3,"at":1779999000,"room":"kitchen","ok":[true,null]})"
                          " @1779999000000000000"));
  // The value is optional per message: without it the event has none.
  r = MapMessage(subs, "alarm/home/smoke", R"({"room":"hall"})", false, kNow);
  EXPECT_THAT(Events(r), ElementsAre(R"(home alarm.smoke - {"room":"hall"})"));
}

TEST(MessageMapperTest, EventPayloadMayBeOnePathOrNone) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "zigbee2mqtt/+/action"
kind = "event"
name = "button.{1}"
payload = "detail"
states = { single = 1, double = 2 }
value = "action"

[[subscribe]]
topic = "ping/+"
kind = "event"
payload = ""
)");
  auto r = MapMessage(subs, "zigbee2mqtt/desk/action",
                      R"({"action":"double","detail":{"x":"\u00e9"}})", false, kNow);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(Events(r), ElementsAre("mqtt button.desk 2i {\"x\":\"\xc3\xa9\"}"));
  r = MapMessage(subs, "ping/a", R"({"big":"ignored"})", false, kNow);
  EXPECT_THAT(Events(r), ElementsAre("mqtt ping/a - -"));
}

TEST(MessageMapperTest, TextEventsTakeANumberAsValueAndOtherTextAsPayload) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "doorbell/+"
kind = "event"
format = "text"
db = "home"
name = "doorbell.{1}"
)");
  EXPECT_THAT(Events(MapMessage(subs, "doorbell/front", " 2 ", false, kNow)),
              ElementsAre("home doorbell.front 2i -"));
  EXPECT_THAT(Events(MapMessage(subs, "doorbell/front", "pressed \"long\"", false, kNow)),
              ElementsAre(R"(home doorbell.front - "pressed \"long\"")"));
  EXPECT_THAT(Events(MapMessage(subs, "doorbell/front", "", false, kNow)),
              ElementsAre("home doorbell.front - -"));
}

TEST(MessageMapperTest, BadEventMessagesAreRejectedWithTheReason) {
  auto subs = Subs(R"(
[[subscribe]]
topic = "alarm/+"
kind = "event"
name = "alarm.{1}"
value = "level"
)");
  auto r = MapMessage(subs, "alarm/smoke", R"({"level":"high"})", false, kNow);
  EXPECT_THAT(r.events, IsEmpty());
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("event: value \"level\": value \"high\" is not a "
                                              "number (map such words to numbers with a states "
                                              "table)")));
  r = MapMessage(subs, "alarm/smoke", R"({"level": {"a":1}})", false, kNow);
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("value \"level\" is an object, not a number")));
  r = MapMessage(subs, "alarm/smoke", R"({"level": 1)", false, kNow);
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("event: invalid JSON")));
  std::string big = R"({"level":1,"pad":")" + std::string(70000, 'x') + "\"}";
  r = MapMessage(subs, "alarm/smoke", big, false, kNow);
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("more than the limit of 65536")));
}

TEST(MessageMapperTest, EventAndSeriesKeysDoNotMix) {
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nkind = \"event\"\nmetric = \"x\"\n"),
              HasSubstr("subscribe[0] (topic \"a/+\"): metric is for series; a kind = \"event\" "
                        "table takes name, value and payload"));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nname = \"x\"\n"),
              HasSubstr("name is for events; add kind = \"event\""));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nkind = \"events\"\n"),
              HasSubstr("kind must be \"series\" or \"event\", got \"events\""));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nkind = \"event\"\nname = \"{2}\"\n"),
              HasSubstr("name"));
  EXPECT_THAT(ConfigError("[[subscribe]]\ntopic = \"a/+\"\nkind = \"event\"\nformat = "
                          "\"text\"\nvalue = \"v\"\n"),
              HasSubstr("value and payload are JSON paths"));
}

}  // namespace
}  // namespace nanotdb::mqtt
