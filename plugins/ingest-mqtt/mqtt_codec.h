// MQTT 3.1.1 (OASIS standard, protocol level 4) packets as a client sends and receives them:
// encoders for what the client sends (CONNECT, SUBSCRIBE, PUBACK, PINGREQ, DISCONNECT; PUBLISH
// for tests that play a broker) and strict decoders for what a broker sends (CONNACK, PUBLISH,
// SUBACK, PINGRESP). The socket, timers and reconnects live in mqtt_client.h.
//
// Every packet is a fixed header (type << 4 | flags, then the remaining length as 1..4 bytes of
// 7 bits, least significant first, high bit = "more") followed by `remaining length` bytes.
// Decoders check every length against the bytes they were given, reserved flag bits, QoS 3,
// packet id 0 and topic names (well-formed UTF-8, no U+0000, no wildcard); a violation is an
// InvalidArgument naming the packet and the problem. They never read past their input.
//
// All functions are pure and thread-safe; nothing throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb::mqtt {

enum class PacketType : uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kPubrec = 5,
  kPubrel = 6,
  kPubcomp = 7,
  kSubscribe = 8,
  kSuback = 9,
  kUnsubscribe = 10,
  kUnsuback = 11,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};
const char* PacketTypeName(uint8_t type);  // "CONNACK", ..., "reserved type 0"

// The largest remaining length four length bytes can express (256 MiB - 1).
inline constexpr uint32_t kMaxRemainingLength = 268'435'455;

struct FixedHeader {
  uint8_t type = 0;   // PacketType value, 0..15
  uint8_t flags = 0;  // low nibble of the first byte
  uint32_t remaining = 0;
  uint8_t header_bytes = 0;  // 2..5
};

// Reads a fixed header at the start of `buf`. nullopt: `buf` holds only part of it.
// InvalidArgument when a fifth length byte would be needed (malformed remaining length).
Result<std::optional<FixedHeader>> ParseFixedHeader(std::string_view buf);

// Appends the remaining-length bytes of `n` (n <= kMaxRemainingLength).
void AppendRemainingLength(uint32_t n, std::string* out);

struct ConnectOptions {
  std::string client_id;
  bool clean_session = true;
  uint16_t keepalive_s = 60;  // 0 = no keepalive
  std::optional<std::string> username;
  std::optional<std::string> password;  // sent only with a username (3.1.1 §3.1.2.9)
};
// InvalidArgument when a string exceeds 65535 bytes or a password comes without a username.
Result<std::string> EncodeConnect(const ConnectOptions& options);

struct TopicRequest {
  std::string filter;
  uint8_t qos = 0;  // 0 or 1 (this client never asks for 2)
};
// InvalidArgument for no topics, packet id 0, a filter of 0 or more than 65535 bytes, QoS > 2.
Result<std::string> EncodeSubscribe(uint16_t packet_id, std::span<const TopicRequest> topics);
std::string EncodePuback(uint16_t packet_id);
std::string EncodePingreq();
std::string EncodeDisconnect();

struct Publish {
  std::string_view topic;  // views into the packet body
  std::string_view payload;
  uint8_t qos = 0;
  bool retain = false;
  bool dup = false;
  uint16_t packet_id = 0;  // 0 when qos == 0
};
// For tests that play the broker side (and the fuzz target's round trip).
std::string EncodePublish(const Publish& publish);

struct Connack {
  bool session_present = false;
  uint8_t return_code = 0;  // 0 = accepted
};
// What a CONNACK return code means (3.1.1 §3.2.2.3), for log lines.
std::string ConnackReason(uint8_t code);

struct Suback {
  uint16_t packet_id = 0;
  std::vector<uint8_t> codes;  // one per requested filter: 0, 1, 2 granted QoS, 0x80 failure
};

// Decoders of one whole packet: `body` is exactly the `remaining` bytes after the header.
Result<Connack> ParseConnack(const FixedHeader& h, std::string_view body);
Result<Publish> ParsePublish(const FixedHeader& h, std::string_view body);
Result<Suback> ParseSuback(const FixedHeader& h, std::string_view body);
Status CheckPingresp(const FixedHeader& h, std::string_view body);

// The topic and packet id of a PUBLISH from the first bytes of its body only (an oversized
// packet whose payload is skipped unread). `head` holds at least the topic and packet id.
Result<Publish> ParsePublishHead(const FixedHeader& h, std::string_view head);

// True when `s` is well-formed UTF-8 without U+0000 (MQTT strings, 3.1.1 §1.5.3).
bool IsMqttUtf8(std::string_view s);

}  // namespace nanotdb::mqtt
