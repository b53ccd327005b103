#include "server/event_json.h"

#include <cmath>

#include "nanotdb/time_util.h"
#include "nanotdb/vm_json.h"

namespace nanotdb::server {

namespace {

using Kind = JsonNode::Kind;

Status ValueFromJson(const JsonNode& v, Event* e) {
  std::string error;
  if (v.kind == Kind::kString) {
    double d;
    if (v.text != "NaN" && v.text != "+Inf" && v.text != "-Inf" && v.text != "Inf") {
      return Status::InvalidArgument("\"value\" must be a number or null, got a string");
    }
    ParseFloat64(v.text, &d, &error);
    e->value = Value::Float64(d);
    return Status::Ok();
  }
  if (v.kind != Kind::kNumber) {
    return Status::InvalidArgument("\"value\" must be a number or null, got a " +
                                   std::string(JsonKindName(v.kind)));
  }
  if (v.raw.find_first_of(".eE") == std::string_view::npos) {
    int64_t i;
    if (!ParseInt64(v.raw, &i, &error)) {
      return Status::InvalidArgument("\"value\" " + std::string(v.raw) + ": " + error +
                                     "; write it with a decimal point to store a float64");
    }
    e->value = Value::Int64(i);
    return Status::Ok();
  }
  double d;
  if (!ParseFloat64(v.raw, &d, &error)) {
    return Status::InvalidArgument("\"value\" " + std::string(v.raw) + ": " + error);
  }
  e->value = Value::Float64(d);
  return Status::Ok();
}

void AppendValue(std::string* out, const Value& v) {
  if (v.type == ValueType::kInt64) {
    out->append(std::to_string(v.AsInt64()));
    return;
  }
  std::string text = FormatValue(v);
  if (!std::isfinite(v.AsFloat64())) {
    vm::AppendJsonString(out, text);  // JSON has no NaN or infinity
    return;
  }
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  out->append(text);
}

void AppendTail(std::string* out, const Event& e) {
  out->append(",\"value\":");
  if (e.value) {
    AppendValue(out, *e.value);
  } else {
    out->append("null");
  }
  out->append(",\"payload\":");
  out->append(e.payload.empty() ? std::string_view("null") : std::string_view(e.payload));
  out->push_back('}');
}

}  // namespace

Status EventFromJson(const JsonNode& item, std::string_view default_db, Timestamp now,
                     std::string* db, Event* e) {
  if (item.kind != Kind::kObject) {
    return Status::InvalidArgument(std::string("expected an event object, got a ") +
                                   JsonKindName(item.kind));
  }
  db->assign(default_db);
  bool named = false;
  e->ts = now;
  for (const auto& [key, v] : item.members) {
    if (key == "db") {
      if (v.kind != Kind::kString) return Status::InvalidArgument("\"db\" must be a string");
      *db = v.text;  // the event's own database wins over the request's
    } else if (key == "name") {
      if (v.kind != Kind::kString) return Status::InvalidArgument("\"name\" must be a string");
      e->name = v.text;
      named = true;
    } else if (key == "ts") {
      if (v.kind == Kind::kNumber) {
        std::string error;
        int64_t ns;
        if (!ParseInt64(v.raw, &ns, &error)) {
          return Status::InvalidArgument("\"ts\" " + std::string(v.raw) +
                                         " is not an integer of Unix nanoseconds: " + error);
        }
        e->ts = ns;
      } else if (v.kind == Kind::kString) {
        Result<Timestamp> ts = ParseTimeArg(v.text, now, TimeUnit::kNanoseconds);
        if (!ts.ok()) return ts.status().WithContext("\"ts\"");
        e->ts = *ts;
      } else {
        return Status::InvalidArgument(
            "\"ts\" must be Unix nanoseconds or an RFC 3339 time string, got a " +
            std::string(JsonKindName(v.kind)));
      }
    } else if (key == "value") {
      if (v.kind != Kind::kNull) NANOTDB_RETURN_IF_ERROR(ValueFromJson(v, e));
    } else if (key == "payload") {
      if (v.kind != Kind::kNull) e->payload = CompactJson(v.raw);
    } else {
      return Status::InvalidArgument("unknown field \"" + key +
                                     "\" (an event has db, name, ts, value, payload)");
    }
  }
  if (!named) return Status::InvalidArgument("missing \"name\"");
  if (db->empty()) {
    return Status::InvalidArgument("no database: give ?db= or \"db\" in the event");
  }
  return Status::Ok();
}

void AppendEventJson(std::string* out, const Event& e) {
  out->append("{\"name\":");
  vm::AppendJsonString(out, e.name);
  out->append(",\"ts\":" + std::to_string(e.ts) + ",\"time\":");
  vm::AppendJsonString(out, FormatRfc3339(e.ts));
  AppendTail(out, e);
}

std::string FormatEventLine(std::string_view db, const Event& e) {
  std::string out(kEventLinePrefix);
  out.append("{\"db\":");
  vm::AppendJsonString(&out, db);
  out.append(",\"name\":");
  vm::AppendJsonString(&out, e.name);
  out.append(",\"ts\":");
  // A date reads at a glance; before 1970 a date would not parse back, so those stay ns.
  if (e.ts >= 0) {
    vm::AppendJsonString(&out, FormatTimestamp(e.ts));
  } else {
    out.append(std::to_string(e.ts));
  }
  AppendTail(&out, e);
  return out;
}

Status ParseEventLine(std::string_view line, std::string_view db_override, Timestamp now,
                      std::string* db, Event* e) {
  if (!IsEventLine(line)) return Status::InvalidArgument("not an event line (no \"@event \")");
  Result<JsonNode> node = ParseJson(line.substr(kEventLinePrefix.size()));
  if (!node.ok()) return node.status().WithContext("event line is not JSON");
  NANOTDB_RETURN_IF_ERROR(EventFromJson(*node, "", now, db, e));
  if (!db_override.empty()) db->assign(db_override);
  return Status::Ok();
}

}  // namespace nanotdb::server
