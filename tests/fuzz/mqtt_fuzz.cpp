// What an MQTT broker sends (plugins/ingest-mqtt): any bytes are read as a packet stream the
// way the client splits it (fixed header, then the packet's decoder); every PUBLISH that
// decodes must re-encode to a packet that decodes to the same fields, and its topic and
// payload go through the topic filters, the JSON reader and the mapping of a JSON and a text
// subscription. Nothing may crash, read out of bounds or loop.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "message_mapper.h"
#include "mqtt_codec.h"

namespace {

const std::vector<nanotdb::mqtt::Subscription>& Subscriptions() {
  static const auto* subs = [] {
    auto parsed = nanotdb::mqtt::ParseSubscriptions(R"(
[[subscribe]]
topic = "+/+/#"
db = "d{1}"
metric = "{2}.{field}"
labels = { a = "{#}", t = "{topic}" }
timestamp = "ts"
timestamp_unit = "ms"

[[subscribe]]
topic = "#"
format = "text"
metric = "{#}"
states = { ON = 1 }
)",
                                                    "mqtt");
    if (!parsed.ok()) __builtin_trap();
    return new std::vector<nanotdb::mqtt::Subscription>(std::move(parsed).value());
  }();
  return *subs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nanotdb::mqtt;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    auto h = ParseFixedHeader(rest);
    if (!h.ok() || !h->has_value()) break;
    const FixedHeader hdr = **h;
    if (rest.size() - hdr.header_bytes < hdr.remaining) break;
    std::string_view body = rest.substr(hdr.header_bytes, hdr.remaining);
    rest.remove_prefix(hdr.header_bytes + hdr.remaining);
    switch (static_cast<PacketType>(hdr.type)) {
      case PacketType::kConnack:
        (void)ParseConnack(hdr, body);
        break;
      case PacketType::kSuback:
        (void)ParseSuback(hdr, body);
        break;
      case PacketType::kPingresp:
        (void)CheckPingresp(hdr, body);
        break;
      case PacketType::kPublish: {
        (void)ParsePublishHead(hdr, body.substr(0, 64));
        auto p = ParsePublish(hdr, body);
        if (!p.ok()) break;
        std::string again = EncodePublish(*p);
        auto h2 = ParseFixedHeader(again);
        if (!h2.ok() || !h2->has_value()) __builtin_trap();
        auto p2 = ParsePublish(**h2, std::string_view(again).substr((*h2)->header_bytes));
        if (!p2.ok() || p2->topic != p->topic || p2->payload != p->payload || p2->qos != p->qos ||
            p2->retain != p->retain || p2->dup != p->dup || p2->packet_id != p->packet_id) {
          __builtin_trap();
        }
        MapResult r =
            MapMessage(Subscriptions(), p->topic, p->payload, p->retain, 1'780'000'000'000'000'000);
        if (r.subscription < 0 && !p->topic.empty() && p->topic[0] != '$') __builtin_trap();
        break;
      }
      default:
        break;
    }
  }
  return 0;
}
