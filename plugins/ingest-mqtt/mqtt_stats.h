// The plugin's figures for StatsService (GET /metrics, the `internal` database, the engine
// page), one series per name labelled with the broker:
//   nanotdb.mqtt.messages_total       PUBLISH packets received
//   nanotdb.mqtt.samples_total        samples stored
//   nanotdb.mqtt.rejected_total       values or messages refused (each logged with a reason)
//   nanotdb.mqtt.reconnects_total     sessions established after the first
//   nanotdb.mqtt.connect_failures_total  connection attempts that failed
//   nanotdb.mqtt.connected            1 while a session is up
// Reads atomics only: thread-safe and quick, as a StatsService collector must be.
#pragma once

#include <string>
#include <vector>

#include "mqtt_client.h"
#include "mqtt_ingest.h"
#include "nanotdb/services/stats.h"

namespace nanotdb::mqtt {

std::vector<StatValue> MqttStats(const IngestCounters& counters, const MqttClient& client,
                                 const std::string& broker);

}  // namespace nanotdb::mqtt
