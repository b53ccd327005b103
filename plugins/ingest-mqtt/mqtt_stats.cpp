#include "mqtt_stats.h"

namespace nanotdb::mqtt {

std::vector<StatValue> MqttStats(const IngestCounters& counters, const MqttClient& client,
                                 const std::string& broker) {
  const Labels labels = {{"broker", broker}};
  auto stat = [&](const char* name, uint64_t value, bool counter, const char* help) {
    return StatValue{name, labels, static_cast<double>(value), counter, help};
  };
  return {
      stat("nanotdb.mqtt.messages_total", counters.messages.load(), true,
           "MQTT messages received from the broker."),
      stat("nanotdb.mqtt.samples_total", counters.samples.load(), true,
           "Samples stored from MQTT messages."),
      stat("nanotdb.mqtt.events_total", counters.events.load(), true,
           "Events stored from MQTT messages (kind = \"event\" subscriptions)."),
      stat("nanotdb.mqtt.rejected_total", counters.rejected.load(), true,
           "MQTT values or messages refused (bad payload, no matching filter, storage refusal)."),
      stat("nanotdb.mqtt.reconnects_total", client.reconnects(), true,
           "MQTT sessions established after the first one."),
      stat("nanotdb.mqtt.connect_failures_total", client.connect_failures(), true,
           "MQTT connection attempts that failed or were refused."),
      stat("nanotdb.mqtt.connected", client.connected() ? 1 : 0, false,
           "1 while the MQTT session is up, else 0."),
  };
}

}  // namespace nanotdb::mqtt
