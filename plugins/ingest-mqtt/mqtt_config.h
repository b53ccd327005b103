// The settings of the ingest-mqtt plugin: the broker connection ([plugins.ingest-mqtt] keys,
// declared in plugin.cpp) and the topic-to-series mapping, one
// [[plugins.ingest-mqtt.subscribe]] table per topic filter:
//
//   [[plugins.ingest-mqtt.subscribe]]
//   topic = "zigbee2mqtt/+"        required: MQTT topic filter ('+' and '#'; topic_filter.h)
//   qos = 0                        0 or 1 (1: the broker resends until nanotdb stored it)
//   format = "json"                "json" (default) or "text" (a plain number)
//   db = "home"                    database template (default: the plugin's db)
//   metric = "{field}"             metric name template; json default "{field}", required for
//                                  text
//   fields = ["temperature"]       json: value paths ("a.b", "list.0"); ["*"] (default): every
//                                  number and boolean in the document
//   type = "auto"                  "auto": integer literal -> int64, other numbers float64;
//                                  "float": every value float64; "int": every value int64
//   timestamp = "ts"               json: path of the time (absent: the arrival time); a text
//                                  payload may carry it as a second word, "21.5 1715000000"
//   timestamp_unit = "ns"          unit of numeric timestamps: "s", "ms", "us" or "ns"
//   retained = true                false: skip retained messages (a state replayed on connect)
//   [plugins.ingest-mqtt.subscribe.labels]
//   device = "{1}"                 label templates
//   [plugins.ingest-mqtt.subscribe.states]
//   ON = 1                         string values stored as these integers
//
// A table with kind = "event" stores one event per message instead of series (docs/events.md):
//   kind = "event"                 "series" (default) or "event"
//   name = "door.{1}"              event name template (default "{topic}")
//   value = "contact"              json: path of the event's number (absent: none); text: the
//                                  payload when it is a number, true/false or a state
//   payload = "*"                  json: "*" the whole document (default), a path, or "" none;
//                                  text: a payload that is not a value is stored as a string
// (metric, fields and labels are for series only; db, format, type, timestamp, timestamp_unit,
// retained, states and qos apply to both.)
//
// docs/mqtt.md documents the same for users. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/time_util.h"
#include "topic_filter.h"

namespace nanotdb::mqtt {

struct BrokerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 1883;
  bool tls = false;
  std::string tls_ca_file;    // "" = the system's CA store
  bool tls_verify = true;     // false: accept any certificate (testing only)
  std::string tls_cert_file;  // client certificate (optional, with tls_key_file)
  std::string tls_key_file;
  std::string client_id;
  std::optional<std::string> username;
  std::optional<std::string> password;
  bool clean_session = true;
  int64_t keepalive_ns = 60 * kNanosPerSecond;
  int64_t connect_timeout_ns = 10 * kNanosPerSecond;
  int64_t retry_interval_ns = kNanosPerSecond;
  int64_t retry_max_interval_ns = 60 * kNanosPerSecond;
  uint32_t max_packet_bytes = 1 << 20;
};

// Parses "host:port" or "[v6]:port" into *host / *port. InvalidArgument names the text.
Status ParseBrokerAddress(std::string_view text, std::string* host, uint16_t* port);

// Checks the ranges of a filled BrokerConfig (keepalive 0..65535 s, positive timeouts,
// retry_interval <= retry_max_interval, max_packet_bytes 64 B..256 MiB, client id length,
// certificate and key given together). Errors name the key.
Status ValidateBrokerConfig(const BrokerConfig& c);

enum class PayloadFormat { kJson, kText };
enum class ValueMode { kAuto, kFloat, kInt };

struct Subscription {
  TopicFilter filter;
  uint8_t qos = 0;
  PayloadFormat format = PayloadFormat::kJson;
  Template db;
  Template metric;
  std::vector<std::pair<std::string, Template>> labels;  // label name -> template
  std::vector<std::string> fields;                       // json paths; empty with all_fields
  bool all_fields = false;
  ValueMode type = ValueMode::kAuto;
  std::string timestamp;  // json path ("" = the arrival time)
  TimeUnit timestamp_unit = TimeUnit::kNanoseconds;
  bool retained = true;
  std::vector<std::pair<std::string, int64_t>> states;
  // kind = "event":
  bool event = false;
  Template name;             // event name
  std::string value_path;    // json: "" = no value
  std::string payload_path;  // json: "*" = the whole document, "" = none
};

// Parses the TOML text PluginConfig::GetTableToml("subscribe") returns (a `subscribe` array
// of tables). Errors are InvalidArgument naming the table and key, e.g.
// `subscribe[2] (topic "tele/+/SENSOR"): metric: template "{3}": {3} but filter ... has 1 '+'
// level`. At least one subscription is required.
Result<std::vector<Subscription>> ParseSubscriptions(std::string_view toml_text,
                                                     std::string_view default_db);

}  // namespace nanotdb::mqtt
