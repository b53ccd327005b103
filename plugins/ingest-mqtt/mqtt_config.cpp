#include "mqtt_config.h"

#include <toml++/toml.h>

#include <array>
#include <set>

#include "nanotdb/config_table.h"
#include "nanotdb/series.h"
#include "nanotdb/types.h"

namespace nanotdb::mqtt {
namespace {

Result<std::string> StringKey(const toml::table& t, std::string_view key, std::string fallback,
                              const std::string& where) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return fallback;
  const auto* s = node->as_string();
  if (s == nullptr) {
    return Status::InvalidArgument(where + ": " + std::string(key) + " must be a string");
  }
  return s->get();
}

Result<Template> TemplateKey(const toml::table& t, std::string_view key, std::string fallback,
                             const TopicFilter& filter, bool allow_field,
                             const std::string& where) {
  NANOTDB_ASSIGN_OR_RETURN(std::string text, StringKey(t, key, std::move(fallback), where));
  Result<Template> tmpl = Template::Parse(text, filter, allow_field);
  if (!tmpl.ok()) return tmpl.status().WithContext(where + ": " + std::string(key));
  return tmpl;
}

}  // namespace

Status ParseBrokerAddress(std::string_view text, std::string* host, uint16_t* port) {
  Result<HostPort> hp = ParseHostPort(text, "127.0.0.1:1883");
  if (!hp.ok()) return hp.status().WithContext("broker");
  *host = std::move(hp->host);
  *port = hp->port;
  return Status::Ok();
}

Status ValidateBrokerConfig(const BrokerConfig& c) {
  if (c.keepalive_ns < 0 || c.keepalive_ns > 65535 * kNanosPerSecond ||
      c.keepalive_ns % kNanosPerSecond != 0) {
    return Status::InvalidArgument("keepalive must be whole seconds between 0s and 65535s, got " +
                                   FormatDuration(c.keepalive_ns));
  }
  if (c.connect_timeout_ns <= 0) return Status::InvalidArgument("connect_timeout must be > 0");
  if (c.retry_interval_ns <= 0) return Status::InvalidArgument("retry_interval must be > 0");
  if (c.retry_max_interval_ns < c.retry_interval_ns) {
    return Status::InvalidArgument(
        "retry_max_interval (" + FormatDuration(c.retry_max_interval_ns) +
        ") must not be below retry_interval (" + FormatDuration(c.retry_interval_ns) + ")");
  }
  if (c.max_packet_bytes < 64 || c.max_packet_bytes > (256u << 20)) {
    return Status::InvalidArgument("max_packet_bytes must be between 64 and 268435456, got " +
                                   std::to_string(c.max_packet_bytes));
  }
  if (c.client_id.empty() || c.client_id.size() > 65535) {
    return Status::InvalidArgument("client_id must be 1..65535 bytes");
  }
  if (c.password && !c.username) {
    return Status::InvalidArgument(
        "password is set but username is not (MQTT 3.1.1 sends a password only with a user name)");
  }
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return Status::InvalidArgument(
        "tls_cert_file and tls_key_file go together (a client "
        "certificate needs its key)");
  }
  if (!c.tls && (!c.tls_ca_file.empty() || !c.tls_cert_file.empty())) {
    return Status::InvalidArgument("tls_ca_file / tls_cert_file are set but tls = false");
  }
  return Status::Ok();
}

Result<std::vector<Subscription>> ParseSubscriptions(std::string_view toml_text,
                                                     std::string_view default_db) {
  std::vector<Subscription> subs;
  const Status none = Status::InvalidArgument(
      "no [[plugins.ingest-mqtt.subscribe]] table: add one per topic filter (docs/mqtt.md)");
  if (toml_text.empty()) return none;
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string("subscribe: ") + std::string(e.description()));
  }
  const toml::array* list = root["subscribe"].as_array();
  if (list == nullptr) {
    return Status::InvalidArgument(
        "subscribe: expected [[plugins.ingest-mqtt.subscribe]] tables (an array of tables)");
  }
  if (list->empty()) return none;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string where = "subscribe[" + std::to_string(i) + "]";
    const toml::table* t = (*list)[i].as_table();
    if (t == nullptr) return Status::InvalidArgument(where + ": expected a table");
    Subscription sub;
    NANOTDB_ASSIGN_OR_RETURN(std::string topic, StringKey(*t, "topic", "", where));
    if (topic.empty()) {
      return Status::InvalidArgument(where +
                                     ": topic is required (an MQTT topic filter such as "
                                     "\"sensors/+/temperature\")");
    }
    where += " (topic \"" + topic + "\")";
    static const std::set<std::string, std::less<>> kKnown = {
        "topic",          "qos",      "format", "db",     "metric", "fields", "type",  "timestamp",
        "timestamp_unit", "retained", "labels", "states", "kind",   "name",   "value", "payload"};
    for (const auto& [key, node] : *t) {
      if (!kKnown.count(key.str())) {
        return Status::InvalidArgument(
            where + ": unknown key \"" + std::string(key.str()) +
            "\" (known: topic, qos, format, db, kind, metric, fields, labels, name, value, "
            "payload, type, timestamp, timestamp_unit, retained, states)");
      }
    }
    NANOTDB_ASSIGN_OR_RETURN(std::string kind, StringKey(*t, "kind", "series", where));
    if (kind != "series" && kind != "event") {
      return Status::InvalidArgument(where + ": kind must be \"series\" or \"event\", got \"" +
                                     kind + "\"");
    }
    sub.event = kind == "event";
    static constexpr std::array<const char*, 3> kSeriesKeys = {"metric", "fields", "labels"};
    static constexpr std::array<const char*, 3> kEventKeys = {"name", "value", "payload"};
    for (const char* key : sub.event ? kSeriesKeys : kEventKeys) {
      if (t->get(key) != nullptr) {
        return Status::InvalidArgument(
            where + ": " + key +
            (sub.event ? " is for series; a kind = \"event\" table takes name, value and payload"
                       : " is for events; add kind = \"event\" to store this topic as events"));
      }
    }
    Result<TopicFilter> filter = TopicFilter::Parse(topic);
    if (!filter.ok()) return filter.status().WithContext(where);
    sub.filter = std::move(filter).value();

    if (const toml::node* q = t->get("qos")) {
      const auto* v = q->as_integer();
      if (v == nullptr || (v->get() != 0 && v->get() != 1)) {
        return Status::InvalidArgument(where + ": qos must be 0 or 1");
      }
      sub.qos = static_cast<uint8_t>(v->get());
    }
    NANOTDB_ASSIGN_OR_RETURN(std::string format, StringKey(*t, "format", "json", where));
    if (format == "json") {
      sub.format = PayloadFormat::kJson;
    } else if (format == "text") {
      sub.format = PayloadFormat::kText;
    } else {
      return Status::InvalidArgument(where + ": format must be \"json\" or \"text\", got \"" +
                                     format + "\"");
    }
    const bool json = sub.format == PayloadFormat::kJson;
    NANOTDB_ASSIGN_OR_RETURN(
        sub.db, TemplateKey(*t, "db", std::string(default_db), sub.filter, false, where));
    if (sub.event) {
      NANOTDB_ASSIGN_OR_RETURN(sub.name,
                               TemplateKey(*t, "name", "{topic}", sub.filter, false, where));
      NANOTDB_ASSIGN_OR_RETURN(sub.value_path, StringKey(*t, "value", "", where));
      NANOTDB_ASSIGN_OR_RETURN(sub.payload_path, StringKey(*t, "payload", json ? "*" : "", where));
      if (!json && (t->get("value") != nullptr || t->get("payload") != nullptr)) {
        return Status::InvalidArgument(
            where +
            ": value and payload are JSON paths (format = \"json\"); a text payload is the "
            "event's value when it is a number, true/false or a state, else its payload");
      }
    }
    if (!sub.event && !json && t->get("metric") == nullptr) {
      return Status::InvalidArgument(where +
                                     ": metric is required with format = \"text\" (a name "
                                     "template such as \"{1}.temperature\")");
    }
    if (!sub.event) {
      NANOTDB_ASSIGN_OR_RETURN(sub.metric,
                               TemplateKey(*t, "metric", "{field}", sub.filter, json, where));
    }

    if (const toml::node* f = t->get("fields")) {
      if (!json)
        return Status::InvalidArgument(where + ": fields exist only with format = \"json\"");
      const toml::array* arr = f->as_array();
      if (arr == nullptr || arr->empty()) {
        return Status::InvalidArgument(
            where + ": fields must be a non-empty list of JSON paths, or [\"*\"]");
      }
      for (size_t k = 0; k < arr->size(); ++k) {
        const auto* s = (*arr)[k].as_string();
        if (s == nullptr || s->get().empty()) {
          return Status::InvalidArgument(where + ": fields[" + std::to_string(k) +
                                         "] must be a non-empty string");
        }
        if (s->get() == "*") {
          sub.all_fields = true;
        } else {
          sub.fields.push_back(s->get());
        }
      }
      if (sub.all_fields && !sub.fields.empty()) {
        return Status::InvalidArgument(where + ": fields lists \"*\" (every value) and paths too");
      }
    } else {
      sub.all_fields = json && !sub.event;
    }
    if (!sub.event && json && !sub.metric.uses_field() &&
        (sub.all_fields || sub.fields.size() > 1)) {
      return Status::InvalidArgument(where + ": metric \"" + sub.metric.text() +
                                     "\" has no {field} but several fields map to it; put "
                                     "{field} in the name or list one field");
    }

    NANOTDB_ASSIGN_OR_RETURN(std::string type, StringKey(*t, "type", "auto", where));
    if (type == "auto") {
      sub.type = ValueMode::kAuto;
    } else if (type == "float") {
      sub.type = ValueMode::kFloat;
    } else if (type == "int") {
      sub.type = ValueMode::kInt;
    } else {
      return Status::InvalidArgument(
          where + ": type must be \"auto\", \"float\" or \"int\", got \"" + type + "\"");
    }
    NANOTDB_ASSIGN_OR_RETURN(sub.timestamp, StringKey(*t, "timestamp", "", where));
    if (!json && !sub.timestamp.empty()) {
      return Status::InvalidArgument(where +
                                     ": timestamp (a JSON path) exists only with format = "
                                     "\"json\"; a text payload carries it as its second word");
    }
    NANOTDB_ASSIGN_OR_RETURN(std::string unit, StringKey(*t, "timestamp_unit", "ns", where));
    if (!ParseTimeUnit(unit, &sub.timestamp_unit)) {
      return Status::InvalidArgument(where +
                                     ": timestamp_unit must be \"s\", \"ms\", \"us\" or "
                                     "\"ns\", got \"" +
                                     unit + "\"");
    }
    if (const toml::node* r = t->get("retained")) {
      const auto* b = r->as_boolean();
      if (b == nullptr) return Status::InvalidArgument(where + ": retained must be true or false");
      sub.retained = b->get();
    }
    if (const toml::node* l = t->get("labels")) {
      const toml::table* lt = l->as_table();
      if (lt == nullptr) {
        return Status::InvalidArgument(where + ": labels must be a table of name = \"template\"");
      }
      for (const auto& [key, node] : *lt) {
        std::string name(key.str());
        const auto* s = node.as_string();
        if (s == nullptr) {
          return Status::InvalidArgument(where + ": labels." + name + " must be a string");
        }
        NANOTDB_RETURN_IF_ERROR(ValidateLabelName(name).WithContext(where + ": labels"));
        Result<Template> tmpl = Template::Parse(s->get(), sub.filter, json);
        if (!tmpl.ok()) return tmpl.status().WithContext(where + ": labels." + name);
        sub.labels.emplace_back(name, std::move(tmpl).value());
      }
    }
    if (const toml::node* st = t->get("states")) {
      const toml::table* tt = st->as_table();
      if (tt == nullptr) {
        return Status::InvalidArgument(where + ": states must be a table of \"text\" = integer");
      }
      for (const auto& [key, node] : *tt) {
        const auto* v = node.as_integer();
        if (v == nullptr) {
          return Status::InvalidArgument(where + ": states." + std::string(key.str()) +
                                         " must be an integer");
        }
        sub.states.emplace_back(std::string(key.str()), v->get());
      }
    }
    subs.push_back(std::move(sub));
  }
  return subs;
}

}  // namespace nanotdb::mqtt
