// MQTT 3.1.1 packets: the bytes this client sends, and how strictly it reads a broker's.
#include "mqtt_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nanotdb::mqtt {
namespace {

using ::testing::HasSubstr;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

FixedHeader Header(std::string_view packet) {
  auto h = ParseFixedHeader(packet);
  EXPECT_TRUE(h.ok() && h->has_value());
  return h.ok() && h->has_value() ? **h : FixedHeader{};
}

TEST(MqttCodecTest, ConnectCarriesClientIdFlagsKeepaliveAndCredentials) {
  ConnectOptions o;
  o.client_id = "nt";
  o.keepalive_s = 60;
  o.username = "u";
  o.password = "pw";
  auto p = EncodeConnect(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, Bytes({0x10, 21, 0,   4,   'M', 'Q', 'T', 'T', 4, 0xc2, 0,  60,
                       0,    2,  'n', 't', 0,   1,   'u', 0,   2, 'p',  'w'}));
  o.username.reset();
  o.password.reset();
  o.clean_session = false;
  p = EncodeConnect(o);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, Bytes({0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x00, 0, 60, 0, 2, 'n', 't'}));
}

TEST(MqttCodecTest, PasswordWithoutUserNameIsRefused) {
  ConnectOptions o;
  o.client_id = "nt";
  o.password = "pw";
  EXPECT_THAT(EncodeConnect(o).status().message(), HasSubstr("only with a username"));
}

TEST(MqttCodecTest, SubscribePubackPingAndDisconnect) {
  std::vector<TopicRequest> topics = {{"a/+", 0}, {"b/#", 1}};
  auto s = EncodeSubscribe(1, topics);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, Bytes({0x82, 14, 0, 1, 0, 3, 'a', '/', '+', 0, 0, 3, 'b', '/', '#', 1}));
  EXPECT_FALSE(EncodeSubscribe(0, topics).ok());
  EXPECT_FALSE(EncodeSubscribe(1, {}).ok());
  EXPECT_EQ(EncodePuback(0x1234), Bytes({0x40, 2, 0x12, 0x34}));
  EXPECT_EQ(EncodePingreq(), Bytes({0xc0, 0}));
  EXPECT_EQ(EncodeDisconnect(), Bytes({0xe0, 0}));
}

TEST(MqttCodecTest, RemainingLengthUsesOneToFourBytes) {
  for (uint32_t n : {0u, 127u, 128u, 16383u, 16384u, 2097151u, 2097152u, kMaxRemainingLength}) {
    std::string packet = "\x30";
    AppendRemainingLength(n, &packet);
    const size_t expected = n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
    EXPECT_EQ(packet.size(), 1 + expected) << n;
    FixedHeader h = Header(packet);
    EXPECT_EQ(h.remaining, n);
    EXPECT_EQ(h.header_bytes, 1 + expected);
  }
}

TEST(MqttCodecTest, PartialHeaderAsksForMoreAndAFifthLengthByteIsMalformed) {
  auto h = ParseFixedHeader(Bytes({0x30}));
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->has_value());
  h = ParseFixedHeader(Bytes({0x30, 0x80, 0x80}));
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->has_value());
  h = ParseFixedHeader(Bytes({0x30, 0xff, 0xff, 0xff, 0xff, 0x01}));
  ASSERT_FALSE(h.ok());
  EXPECT_THAT(h.status().message(), HasSubstr("remaining length runs past 4 bytes"));
}

TEST(MqttCodecTest, PublishRoundTripsWithQosRetainAndDup) {
  Publish in{"home/kitchen", "21.5", 1, true, true, 7};
  std::string packet = EncodePublish(in);
  FixedHeader h = Header(packet);
  auto p = ParsePublish(h, std::string_view(packet).substr(h.header_bytes));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->topic, "home/kitchen");
  EXPECT_EQ(p->payload, "21.5");
  EXPECT_EQ(p->qos, 1);
  EXPECT_TRUE(p->retain);
  EXPECT_TRUE(p->dup);
  EXPECT_EQ(p->packet_id, 7);
}

TEST(MqttCodecTest, MalformedPublishesAreRefusedWithTheReason) {
  auto parse = [](std::string packet) {
    FixedHeader h = Header(packet);
    return ParsePublish(h, std::string_view(packet).substr(h.header_bytes)).status().message();
  };
  EXPECT_THAT(parse(Bytes({0x36, 5, 0, 1, 'a', 0, 1})), HasSubstr("QoS 3"));
  EXPECT_THAT(parse(Bytes({0x38, 3, 0, 1, 'a'})), HasSubstr("DUP set on a QoS 0"));
  EXPECT_THAT(parse(Bytes({0x30, 1, 0})), HasSubstr("no room for the topic length"));
  EXPECT_THAT(parse(Bytes({0x30, 4, 0, 9, 'a', 'b'})), HasSubstr("topic length 9 exceeds"));
  EXPECT_THAT(parse(Bytes({0x30, 2, 0, 0})), HasSubstr("empty topic"));
  EXPECT_THAT(parse(Bytes({0x32, 3, 0, 1, 'a'})), HasSubstr("no room for the packet identifier"));
  EXPECT_THAT(parse(Bytes({0x32, 5, 0, 1, 'a', 0, 0})), HasSubstr("packet identifier 0"));
  EXPECT_THAT(parse(Bytes({0x30, 4, 0, 2, 'a', '+'})), HasSubstr("wildcard"));
  EXPECT_THAT(parse(Bytes({0x30, 4, 0, 2, 0xc3, 0x28})), HasSubstr("UTF-8"));
  EXPECT_THAT(parse(Bytes({0x30, 4, 0, 2, 'a', 0})), HasSubstr("UTF-8"));
}

TEST(MqttCodecTest, ConnackSubackAndPingrespAreChecked) {
  FixedHeader h{2, 0, 2, 2};
  auto c = ParseConnack(h, Bytes({1, 0}));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->session_present);
  c = ParseConnack(h, Bytes({0, 5}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->return_code, 5);
  EXPECT_THAT(ConnackReason(5), HasSubstr("not authorized"));
  EXPECT_THAT(ConnackReason(4), HasSubstr("bad user name or password"));
  EXPECT_FALSE(ParseConnack(h, Bytes({2, 0})).ok());  // reserved bit
  EXPECT_FALSE(ParseConnack(h, Bytes({1, 4})).ok());  // session present with a refusal
  EXPECT_FALSE(ParseConnack(h, Bytes({0})).ok());
  EXPECT_FALSE(ParseConnack(FixedHeader{2, 1, 2, 2}, Bytes({0, 0})).ok());

  auto s = ParseSuback(FixedHeader{9, 0, 4, 2}, Bytes({0, 1, 0, 0x80}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->packet_id, 1);
  EXPECT_EQ(s->codes, (std::vector<uint8_t>{0, 0x80}));
  EXPECT_FALSE(ParseSuback(FixedHeader{9, 0, 3, 2}, Bytes({0, 1, 3})).ok());
  EXPECT_FALSE(ParseSuback(FixedHeader{9, 0, 2, 2}, Bytes({0, 1})).ok());

  EXPECT_TRUE(CheckPingresp(FixedHeader{13, 0, 0, 2}, "").ok());
  EXPECT_FALSE(CheckPingresp(FixedHeader{13, 0, 1, 2}, "x").ok());
}

TEST(MqttCodecTest, Utf8RulesOfMqttStrings) {
  EXPECT_TRUE(IsMqttUtf8("Wohnzimmer °C ✓ 𝄞"));
  EXPECT_FALSE(IsMqttUtf8(std::string("a\0b", 3)));
  EXPECT_FALSE(IsMqttUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsMqttUtf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(IsMqttUtf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(IsMqttUtf8("\xe2\x82"));          // cut short
}

}  // namespace
}  // namespace nanotdb::mqtt
