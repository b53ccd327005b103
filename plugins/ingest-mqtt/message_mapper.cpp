#include "message_mapper.h"

#include <cmath>

#include "json_reader.h"
#include "nanotdb/series.h"
#include "nanotdb/time_util.h"
#include "nanotdb/vm_json.h"

namespace nanotdb::mqtt {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = "\"";
  for (char c : s.substr(0, kMax)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  if (s.size() > kMax) out += "...";
  return out + "\"";
}

// A value as written (a number literal, "true"/"false", a state string) -> typed value.
struct Scalar {
  enum Kind { kNumber, kBool, kString } kind;
  std::string_view text;
  bool boolean = false;
};

Status ToValue(const Subscription& sub, const Scalar& s, Value* out, ValueOrigin* origin) {
  if (s.kind == Scalar::kString) {
    for (const auto& [name, v] : sub.states) {
      if (name == s.text) {
        *origin = ValueOrigin::kState;
        *out = sub.type == ValueMode::kFloat ? Value::Float64(static_cast<double>(v))
                                             : Value::Int64(v);
        return Status::Ok();
      }
    }
    std::string hint = sub.states.empty() ? " (map such words to numbers with a states table)"
                                          : " (not in the states table)";
    return Status::InvalidArgument("value " + Quote(s.text) + " is not a number" + hint);
  }
  if (s.kind == Scalar::kBool) {
    *origin = ValueOrigin::kBoolean;
    *out = sub.type == ValueMode::kFloat ? Value::Float64(s.boolean ? 1.0 : 0.0)
                                         : Value::Int64(s.boolean ? 1 : 0);
    return Status::Ok();
  }
  std::string error;
  const bool integer = s.text.find_first_of(".eEnNiI") == std::string_view::npos;
  if (integer && sub.type != ValueMode::kFloat) {
    int64_t v = 0;
    if (ParseInt64(s.text, &v, &error)) {
      *origin = ValueOrigin::kIntegerLiteral;
      *out = Value::Int64(v);
      return Status::Ok();
    }
    if (sub.type == ValueMode::kInt) {
      return Status::InvalidArgument("value " + Quote(s.text) + ": " + error);
    }
    // auto: an integer beyond int64 is stored as the nearest float64.
  }
  double d = 0;
  if (!ParseFloat64(s.text, &d, &error)) {
    return Status::InvalidArgument("value " + Quote(s.text) + ": " + error);
  }
  if (sub.type == ValueMode::kInt) {
    if (!std::isfinite(d) || d != std::trunc(d) || d < -9223372036854775808.0 ||
        d >= 9223372036854775808.0) {
      return Status::InvalidArgument("value " + Quote(s.text) +
                                     " is not an integer (type = \"int\")");
    }
    *origin = ValueOrigin::kForced;
    *out = Value::Int64(static_cast<int64_t>(d));
    return Status::Ok();
  }
  *origin = sub.type == ValueMode::kFloat ? ValueOrigin::kForced : ValueOrigin::kFloatLiteral;
  *out = Value::Float64(d);
  return Status::Ok();
}

Result<Timestamp> ToTimestamp(const Subscription& sub, std::string_view text, Timestamp now) {
  Result<Timestamp> ts = ParseTimeArg(text, now, sub.timestamp_unit);
  if (!ts.ok()) return Status::InvalidArgument("timestamp: " + ts.status().message());
  return ts;
}

const JsonValue* FindPath(const JsonValue& root, std::string_view path) {
  const JsonValue* at = &root;
  size_t start = 0;
  while (at != nullptr) {
    size_t dot = path.find('.', start);
    std::string_view seg =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (at->kind == JsonValue::Kind::kObject) {
      at = at->Find(seg);
    } else if (at->kind == JsonValue::Kind::kArray) {
      size_t index = 0;
      bool digits = !seg.empty() && seg.size() < 10;
      for (char c : seg) {
        if (c < '0' || c > '9') digits = false;
      }
      if (!digits) return nullptr;
      for (char c : seg) index = index * 10 + static_cast<size_t>(c - '0');
      at = index < at->items.size() ? &at->items[index] : nullptr;
    } else {
      return nullptr;
    }
    if (dot == std::string_view::npos) return at;
    start = dot + 1;
  }
  return nullptr;
}

// Every number and boolean below `v`, with its dotted path.
void CollectLeaves(const JsonValue& v, const std::string& path,
                   std::vector<std::pair<std::string, const JsonValue*>>* out) {
  switch (v.kind) {
    case JsonValue::Kind::kNumber:
    case JsonValue::Kind::kBool:
      out->emplace_back(path, &v);
      break;
    case JsonValue::Kind::kObject:
      for (const JsonMember& m : v.members) {
        CollectLeaves(m.value, path.empty() ? m.name : path + "." + m.name, out);
      }
      break;
    case JsonValue::Kind::kArray:
      for (size_t i = 0; i < v.items.size(); ++i) {
        CollectLeaves(v.items[i], path.empty() ? std::to_string(i) : path + "." + std::to_string(i),
                      out);
      }
      break;
    default:
      break;
  }
}

class Builder {
 public:
  Builder(const Subscription& sub, std::string_view topic,
          const std::vector<std::string_view>& captures, MapResult* out)
      : sub_(sub), topic_(topic), captures_(captures), out_(out) {}

  void Add(std::string_view field, const Scalar& scalar, Timestamp ts) {
    const std::string where = field.empty() ? std::string() : "field " + Quote(field) + ": ";
    MappedPoint p;
    Status st = ToValue(sub_, scalar, &p.value, &p.origin);
    if (!st.ok()) {
      out_->errors.push_back(where + st.message());
      return;
    }
    TemplateInput in{topic_, &captures_, sub_.filter.plus_count(), field};
    p.db = sub_.db.Render(in);
    if (Status db = ValidateDatabaseName(p.db); !db.ok()) {
      out_->errors.push_back(where + "database: " + db.message());
      return;
    }
    const std::string metric = SanitizeMetricName(sub_.metric.Render(in));
    Labels labels;
    for (const auto& [name, tmpl] : sub_.labels) labels.push_back({name, tmpl.Render(in)});
    Result<std::string> key = MakeSeriesKey(metric, std::move(labels));
    if (!key.ok()) {
      out_->errors.push_back(where + key.status().message());
      return;
    }
    p.key = std::move(key).value();
    p.field = std::string(field);
    p.ts = ts;
    out_->points.push_back(std::move(p));
  }

 private:
  const Subscription& sub_;
  std::string_view topic_;
  const std::vector<std::string_view>& captures_;
  MapResult* out_;
};

Scalar JsonScalar(const JsonValue& v) {
  if (v.kind == JsonValue::Kind::kBool) return {Scalar::kBool, {}, v.boolean};
  if (v.kind == JsonValue::Kind::kNumber) return {Scalar::kNumber, v.text, false};
  return {Scalar::kString, v.text, false};
}

// A text payload's value word: a number, true/false, or a word for the states table.
Scalar TextScalar(const Subscription& sub, std::string_view value) {
  if (value == "true" || value == "false") return {Scalar::kBool, {}, value == "true"};
  for (const auto& [name, v] : sub.states) {
    if (name == value) return {Scalar::kString, value, false};
  }
  const char c = value[0];
  if (!(c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') || c == 'N' || c == 'n' ||
        c == 'I' || c == 'i')) {
    return {Scalar::kString, value, false};  // "ON", "open": names the states table in the error
  }
  return {Scalar::kNumber, value, false};
}

void MapText(const Subscription& sub, std::string_view payload, Timestamp now, Builder* b,
             MapResult* out) {
  std::string_view text = Trim(payload);
  if (text.empty()) {
    out->errors.push_back("empty payload (expected a number)");
    return;
  }
  std::string_view value = text, ts_text;
  size_t blank = text.find_first_of(" \t");
  if (blank != std::string_view::npos) {
    value = text.substr(0, blank);
    ts_text = Trim(text.substr(blank));
  }
  Scalar s = TextScalar(sub, value);
  Value checked;
  ValueOrigin origin;
  if (Status st = ToValue(sub, s, &checked, &origin); !st.ok()) {
    out->errors.push_back(st.message());
    return;
  }
  Timestamp ts = now;
  if (!ts_text.empty()) {
    Result<Timestamp> parsed = ToTimestamp(sub, ts_text, now);
    if (!parsed.ok()) {
      out->errors.push_back(parsed.status().message() +
                            " (a text payload is \"<number> [timestamp]\")");
      return;
    }
    ts = *parsed;
  }
  b->Add("", s, ts);
}

void MapJson(const Subscription& sub, std::string_view payload, Timestamp now, Builder* b,
             MapResult* out) {
  Result<JsonValue> doc = ParseJson(payload);
  if (!doc.ok()) {
    out->errors.push_back(doc.status().message());
    return;
  }
  Timestamp ts = now;
  if (!sub.timestamp.empty()) {
    if (const JsonValue* t = FindPath(*doc, sub.timestamp)) {
      if (t->kind != JsonValue::Kind::kNumber && t->kind != JsonValue::Kind::kString) {
        out->errors.push_back("timestamp " + Quote(sub.timestamp) +
                              " is not a number or a date string");
        return;
      }
      Result<Timestamp> parsed = ToTimestamp(sub, t->text, now);
      if (!parsed.ok()) {
        out->errors.push_back(parsed.status().message());
        return;
      }
      ts = *parsed;
    }
  }
  if (sub.all_fields) {
    std::vector<std::pair<std::string, const JsonValue*>> leaves;
    CollectLeaves(*doc, "", &leaves);
    for (const auto& [path, v] : leaves) {
      if (!sub.timestamp.empty() && path == sub.timestamp) continue;
      b->Add(path.empty() ? std::string_view("value") : std::string_view(path), JsonScalar(*v), ts);
    }
    if (leaves.empty() && out->errors.empty()) {
      out->errors.push_back("no number or boolean in the JSON payload");
    }
    return;
  }
  size_t found = 0;
  for (const std::string& path : sub.fields) {
    const JsonValue* v = FindPath(*doc, path);
    if (v == nullptr || v->kind == JsonValue::Kind::kNull) continue;
    ++found;
    if (v->kind == JsonValue::Kind::kObject || v->kind == JsonValue::Kind::kArray) {
      out->errors.push_back("field " + Quote(path) + " is an " +
                            (v->kind == JsonValue::Kind::kObject ? "object" : "array") +
                            ", not a value");
      continue;
    }
    b->Add(path, JsonScalar(*v), ts);
  }
  if (found == 0) {
    std::string list;
    for (const std::string& f : sub.fields) list += (list.empty() ? "" : ", ") + f;
    out->errors.push_back("none of the fields (" + list + ") is in the JSON payload");
  }
}

// `v` as compact JSON (strings re-escaped, numbers as written).
void AppendJson(const JsonValue& v, std::string* out) {
  switch (v.kind) {
    case JsonValue::Kind::kNull:
      *out += "null";
      break;
    case JsonValue::Kind::kBool:
      *out += v.boolean ? "true" : "false";
      break;
    case JsonValue::Kind::kNumber:
      *out += v.text;
      break;
    case JsonValue::Kind::kString:
      vm::AppendJsonString(out, v.text);
      break;
    case JsonValue::Kind::kArray:
      *out += '[';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) *out += ',';
        AppendJson(v.items[i], out);
      }
      *out += ']';
      break;
    case JsonValue::Kind::kObject:
      *out += '{';
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i > 0) *out += ',';
        vm::AppendJsonString(out, v.members[i].name);
        *out += ':';
        AppendJson(v.members[i].value, out);
      }
      *out += '}';
      break;
  }
}

void MapEvent(const Subscription& sub, std::string_view topic,
              const std::vector<std::string_view>& captures, std::string_view payload,
              Timestamp now, MapResult* out) {
  MappedEvent me;
  TemplateInput in{topic, &captures, sub.filter.plus_count(), {}};
  me.db = sub.db.Render(in);
  if (Status db = ValidateDatabaseName(me.db); !db.ok()) {
    out->errors.push_back("event: database: " + db.message());
    return;
  }
  Event& e = me.event;
  e.name = sub.name.Render(in);
  e.ts = now;
  if (sub.format == PayloadFormat::kText) {
    std::string_view text = Trim(payload);
    if (!text.empty()) {
      Value v;
      ValueOrigin origin;
      if (ToValue(sub, TextScalar(sub, text), &v, &origin).ok()) {
        e.value = v;
      } else {
        vm::AppendJsonString(&e.payload, text);
      }
    }
  } else {
    Result<JsonValue> doc = ParseJson(payload);
    if (!doc.ok()) {
      out->errors.push_back("event: " + doc.status().message());
      return;
    }
    if (!sub.timestamp.empty()) {
      if (const JsonValue* t = FindPath(*doc, sub.timestamp)) {
        if (t->kind != JsonValue::Kind::kNumber && t->kind != JsonValue::Kind::kString) {
          out->errors.push_back("event: timestamp " + Quote(sub.timestamp) +
                                " is not a number or a date string");
          return;
        }
        Result<Timestamp> parsed = ToTimestamp(sub, t->text, now);
        if (!parsed.ok()) {
          out->errors.push_back("event: " + parsed.status().message());
          return;
        }
        e.ts = *parsed;
      }
    }
    if (!sub.value_path.empty()) {
      const JsonValue* v = FindPath(*doc, sub.value_path);
      if (v != nullptr && v->kind != JsonValue::Kind::kNull) {
        if (v->kind == JsonValue::Kind::kObject || v->kind == JsonValue::Kind::kArray) {
          out->errors.push_back("event: value " + Quote(sub.value_path) + " is an " +
                                (v->kind == JsonValue::Kind::kObject ? "object" : "array") +
                                ", not a number");
          return;
        }
        Value value;
        ValueOrigin origin;
        if (Status st = ToValue(sub, JsonScalar(*v), &value, &origin); !st.ok()) {
          out->errors.push_back("event: value " + Quote(sub.value_path) + ": " + st.message());
          return;
        }
        e.value = value;
      }
    }
    if (sub.payload_path == "*") {
      AppendJson(*doc, &e.payload);
    } else if (!sub.payload_path.empty()) {
      if (const JsonValue* p = FindPath(*doc, sub.payload_path)) AppendJson(*p, &e.payload);
    }
  }
  if (Status st = ValidateEvent(e); !st.ok()) {
    out->errors.push_back("event: " + st.message());
    return;
  }
  out->events.push_back(std::move(me));
}

}  // namespace

std::string SanitizeMetricName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/') {
      c = '.';
    } else if (u <= 0x20 || u == 0x7f || c == '{' || c == '}') {
      c = '_';
    }
  }
  return out;
}

MapResult MapMessage(std::span<const Subscription> subs, std::string_view topic,
                     std::string_view payload, bool retained, Timestamp now) {
  MapResult out;
  std::vector<std::string_view> captures;
  for (size_t i = 0; i < subs.size(); ++i) {
    if (!subs[i].filter.Match(topic, &captures)) continue;
    out.subscription = static_cast<int>(i);
    const Subscription& sub = subs[i];
    if (retained && !sub.retained) {
      out.skipped_retained = true;
      return out;
    }
    if (sub.event) {
      MapEvent(sub, topic, captures, payload, now, &out);
      return out;
    }
    Builder builder(sub, topic, captures, &out);
    if (sub.format == PayloadFormat::kText) {
      MapText(sub, payload, now, &builder, &out);
    } else {
      MapJson(sub, payload, now, &builder, &out);
    }
    return out;
  }
  return out;
}

}  // namespace nanotdb::mqtt
