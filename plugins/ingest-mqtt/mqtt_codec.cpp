#include "mqtt_codec.h"

namespace nanotdb::mqtt {
namespace {

constexpr uint8_t kFlagUsername = 0x80;
constexpr uint8_t kFlagPassword = 0x40;
constexpr uint8_t kFlagCleanSession = 0x02;

void AppendU16(uint16_t v, std::string* out) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}

void AppendString(std::string_view s, std::string* out) {
  AppendU16(static_cast<uint16_t>(s.size()), out);
  out->append(s);
}

uint16_t ReadU16(std::string_view s, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[at]) << 8) |
                               static_cast<uint8_t>(s[at + 1]));
}

std::string Packet(uint8_t first, const std::string& body) {
  std::string out;
  out.reserve(body.size() + 5);
  out.push_back(static_cast<char>(first));
  AppendRemainingLength(static_cast<uint32_t>(body.size()), &out);
  out.append(body);
  return out;
}

Status Bad(uint8_t type, const std::string& what) {
  return Status::InvalidArgument(std::string("malformed ") + PacketTypeName(type) +
                                 " packet: " + what);
}

Status CheckFlags(const FixedHeader& h, uint8_t expected) {
  if (h.flags != expected) {
    return Bad(h.type, "reserved flag bits are " + std::to_string(h.flags) + ", must be " +
                           std::to_string(expected));
  }
  return Status::Ok();
}

// Topic + packet id of a PUBLISH; *used is where the payload starts.
Result<Publish> ParseHead(const FixedHeader& h, std::string_view body, size_t* used) {
  Publish p;
  p.dup = (h.flags & 0x08) != 0;
  p.qos = (h.flags >> 1) & 0x03;
  p.retain = (h.flags & 0x01) != 0;
  if (p.qos == 3) return Bad(h.type, "QoS 3 is not a QoS level");
  if (p.qos == 0 && p.dup) return Bad(h.type, "DUP set on a QoS 0 message");
  if (body.size() < 2) return Bad(h.type, "no room for the topic length");
  const uint16_t topic_len = ReadU16(body, 0);
  if (body.size() < 2u + topic_len) {
    return Bad(h.type, "topic length " + std::to_string(topic_len) + " exceeds the " +
                           std::to_string(body.size() - 2) + " bytes left");
  }
  p.topic = body.substr(2, topic_len);
  if (p.topic.empty()) return Bad(h.type, "empty topic name");
  if (!IsMqttUtf8(p.topic)) return Bad(h.type, "topic name is not well-formed UTF-8");
  if (p.topic.find_first_of("+#") != std::string_view::npos) {
    return Bad(h.type, "topic name \"" + std::string(p.topic) + "\" holds a wildcard");
  }
  size_t at = 2u + topic_len;
  if (p.qos > 0) {
    if (body.size() < at + 2) return Bad(h.type, "no room for the packet identifier");
    p.packet_id = ReadU16(body, at);
    if (p.packet_id == 0) return Bad(h.type, "packet identifier 0");
    at += 2;
  }
  *used = at;
  return p;
}

}  // namespace

const char* PacketTypeName(uint8_t type) {
  static const char* const kNames[16] = {
      "reserved type 0", "CONNECT",  "CONNACK",    "PUBLISH",         "PUBACK",      "PUBREC",
      "PUBREL",          "PUBCOMP",  "SUBSCRIBE",  "SUBACK",          "UNSUBSCRIBE", "UNSUBACK",
      "PINGREQ",         "PINGRESP", "DISCONNECT", "reserved type 15"};
  return kNames[type & 0x0f];
}

Result<std::optional<FixedHeader>> ParseFixedHeader(std::string_view buf) {
  if (buf.size() < 2) return std::optional<FixedHeader>();
  FixedHeader h;
  h.type = static_cast<uint8_t>(buf[0]) >> 4;
  h.flags = static_cast<uint8_t>(buf[0]) & 0x0f;
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (1 + i >= buf.size()) return std::optional<FixedHeader>();
    const auto byte = static_cast<uint8_t>(buf[1 + i]);
    value |= static_cast<uint32_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      h.remaining = value;
      h.header_bytes = static_cast<uint8_t>(2 + i);
      return std::optional<FixedHeader>(h);
    }
  }
  return Status::InvalidArgument(std::string("malformed ") + PacketTypeName(h.type) +
                                 " packet: remaining length runs past 4 bytes");
}

void AppendRemainingLength(uint32_t n, std::string* out) {
  do {
    uint8_t byte = n & 0x7f;
    n >>= 7;
    if (n > 0) byte |= 0x80;
    out->push_back(static_cast<char>(byte));
  } while (n > 0);
}

Result<std::string> EncodeConnect(const ConnectOptions& o) {
  auto too_long = [](std::string_view what) {
    return Status::InvalidArgument(std::string(what) + " is longer than 65535 bytes");
  };
  if (o.client_id.size() > 65535) return too_long("client_id");
  if (o.username && o.username->size() > 65535) return too_long("username");
  if (o.password && o.password->size() > 65535) return too_long("password");
  if (o.password && !o.username) {
    return Status::InvalidArgument("MQTT 3.1.1 sends a password only with a username");
  }
  std::string body;
  AppendString("MQTT", &body);
  body.push_back(4);  // protocol level 4 = 3.1.1
  uint8_t flags = 0;
  if (o.clean_session) flags |= kFlagCleanSession;
  if (o.username) flags |= kFlagUsername;
  if (o.password) flags |= kFlagPassword;
  body.push_back(static_cast<char>(flags));
  AppendU16(o.keepalive_s, &body);
  AppendString(o.client_id, &body);
  if (o.username) AppendString(*o.username, &body);
  if (o.password) AppendString(*o.password, &body);
  return Packet(0x10, body);
}

Result<std::string> EncodeSubscribe(uint16_t packet_id, std::span<const TopicRequest> topics) {
  if (topics.empty()) return Status::InvalidArgument("SUBSCRIBE needs at least one topic filter");
  if (packet_id == 0) return Status::InvalidArgument("SUBSCRIBE packet identifier must not be 0");
  std::string body;
  AppendU16(packet_id, &body);
  for (const TopicRequest& t : topics) {
    if (t.filter.empty() || t.filter.size() > 65535) {
      return Status::InvalidArgument("topic filter must be 1..65535 bytes");
    }
    if (t.qos > 2) return Status::InvalidArgument("QoS must be 0, 1 or 2");
    AppendString(t.filter, &body);
    body.push_back(static_cast<char>(t.qos));
  }
  if (body.size() > kMaxRemainingLength) {
    return Status::InvalidArgument("SUBSCRIBE packet too large");
  }
  return Packet(0x82, body);
}

std::string EncodePuback(uint16_t packet_id) {
  std::string body;
  AppendU16(packet_id, &body);
  return Packet(0x40, body);
}

std::string EncodePingreq() { return std::string("\xc0\x00", 2); }
std::string EncodeDisconnect() { return std::string("\xe0\x00", 2); }

std::string EncodePublish(const Publish& p) {
  std::string body;
  AppendString(p.topic, &body);
  if (p.qos > 0) AppendU16(p.packet_id, &body);
  body.append(p.payload);
  const uint8_t first =
      static_cast<uint8_t>(0x30 | (p.dup ? 0x08 : 0) | ((p.qos & 3) << 1) | (p.retain ? 0x01 : 0));
  return Packet(first, body);
}

std::string ConnackReason(uint8_t code) {
  switch (code) {
    case 0:
      return "connection accepted";
    case 1:
      return "the broker does not speak MQTT 3.1.1 (unacceptable protocol version)";
    case 2:
      return "the broker rejected the client id (identifier rejected)";
    case 3:
      return "the MQTT service is unavailable";
    case 4:
      return "bad user name or password";
    case 5:
      return "not authorized (check the broker's ACL and credentials)";
    default:
      return "unknown CONNACK return code " + std::to_string(code);
  }
}

Result<Connack> ParseConnack(const FixedHeader& h, std::string_view body) {
  NANOTDB_RETURN_IF_ERROR(CheckFlags(h, 0));
  if (body.size() != 2) {
    return Bad(h.type, "remaining length " + std::to_string(body.size()) + ", must be 2");
  }
  const auto ack = static_cast<uint8_t>(body[0]);
  if ((ack & 0xfe) != 0) return Bad(h.type, "reserved acknowledge flag bits set");
  Connack c;
  c.session_present = (ack & 0x01) != 0;
  c.return_code = static_cast<uint8_t>(body[1]);
  if (c.return_code != 0 && c.session_present) {
    return Bad(h.type, "session present with a refusal");
  }
  return c;
}

Result<Publish> ParsePublish(const FixedHeader& h, std::string_view body) {
  size_t used = 0;
  Result<Publish> p = ParseHead(h, body, &used);
  if (!p.ok()) return p.status();
  p->payload = body.substr(used);
  return p;
}

Result<Publish> ParsePublishHead(const FixedHeader& h, std::string_view head) {
  size_t used = 0;
  return ParseHead(h, head, &used);
}

Result<Suback> ParseSuback(const FixedHeader& h, std::string_view body) {
  NANOTDB_RETURN_IF_ERROR(CheckFlags(h, 0));
  if (body.size() < 3) {
    return Bad(h.type, "remaining length " + std::to_string(body.size()) + ", must be >= 3");
  }
  Suback s;
  s.packet_id = ReadU16(body, 0);
  for (size_t i = 2; i < body.size(); ++i) {
    const auto code = static_cast<uint8_t>(body[i]);
    if (code > 2 && code != 0x80) {
      return Bad(h.type, "return code " + std::to_string(code) + " is not 0, 1, 2 or 128");
    }
    s.codes.push_back(code);
  }
  return s;
}

Status CheckPingresp(const FixedHeader& h, std::string_view body) {
  NANOTDB_RETURN_IF_ERROR(CheckFlags(h, 0));
  if (!body.empty()) return Bad(h.type, "remaining length must be 0");
  return Status::Ok();
}

bool IsMqttUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

}  // namespace nanotdb::mqtt
