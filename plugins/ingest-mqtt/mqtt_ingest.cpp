#include "mqtt_ingest.h"

#include <cmath>

#include "message_mapper.h"
#include "nanotdb/types.h"

namespace nanotdb::mqtt {
namespace {

// The same value in the other 64-bit type, when that loses nothing (type = "auto").
bool OtherType(const MappedPoint& p, Value* out) {
  if (p.value.type == ValueType::kInt64) {
    if (p.origin == ValueOrigin::kForced) return false;
    const int64_t v = p.value.AsInt64();
    const double d = static_cast<double>(v);
    // Exact when the double converts back (|v| <= 2^53 and many more); 2^63 itself does not fit.
    if (d >= 9223372036854775808.0 || static_cast<int64_t>(d) != v) return false;
    *out = Value::Float64(d);
    return true;
  }
  if (p.origin != ValueOrigin::kFloatLiteral) return false;
  const double d = p.value.AsFloat64();
  if (!std::isfinite(d) || d != std::trunc(d) || (std::signbit(d) && d == 0) ||
      d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
    return false;
  }
  *out = Value::Int64(static_cast<int64_t>(d));
  return true;
}

}  // namespace

MqttIngest::MqttIngest(WriterService& writer, EventService* events, std::vector<Subscription> subs,
                       LogFn log)
    : writer_(writer),
      events_(events),
      subs_(std::move(subs)),
      log_(std::move(log)),
      window_start_(std::chrono::steady_clock::now()) {}

void MqttIngest::Reject(std::string_view topic, const std::string& reason) {
  ++counters_.rejected;
  if (!log_) return;
  std::string line;
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    const auto now = std::chrono::steady_clock::now();
    if (now - window_start_ >= std::chrono::minutes(1)) {
      if (suppressed_ > 0) {
        line = std::to_string(suppressed_) +
               " more rejected MQTT values were not logged in the last minute; ";
      }
      window_start_ = now;
      logged_in_window_ = 0;
      suppressed_ = 0;
    }
    if (logged_in_window_ >= kLogsPerMinute) {
      ++suppressed_;
      return;
    }
    ++logged_in_window_;
  }
  line += "topic \"" + std::string(topic) + "\": " + reason;
  log_(LogLevel::kWarning, line);
}

void MqttIngest::RejectOversized(std::string_view topic, uint64_t bytes, uint64_t limit) {
  ++counters_.messages;
  Reject(topic, "packet of " + std::to_string(bytes) + " bytes exceeds max_packet_bytes = " +
                    std::to_string(limit) + "; payload skipped");
}

Status MqttIngest::Handle(std::string_view topic, std::string_view payload, bool retained,
                          Timestamp now) {
  ++counters_.messages;
  MapResult mapped = MapMessage(subs_, topic, payload, retained, now);
  if (mapped.subscription < 0) {
    ++counters_.unmatched;
    Reject(topic, "no [[plugins.ingest-mqtt.subscribe]] filter matches this topic");
    return Status::Ok();
  }
  if (mapped.skipped_retained) {
    ++counters_.skipped_retained;
    return Status::Ok();
  }
  for (const std::string& e : mapped.errors) Reject(topic, e);
  for (const MappedEvent& me : mapped.events) {
    if (events_ == nullptr) {
      Reject(topic,
             "kind = \"event\" needs the core's nanotdb.events service (v1), which this "
             "nanotdb does not provide");
      continue;
    }
    Result<EventWriteResult> w = events_->WriteEvents(me.db, std::span(&me.event, 1));
    if (!w.ok()) {
      // A refused database (the reserved `internal`, the database limit) is about this
      // message; anything else (I/O, shutdown) is not: then the broker may resend it.
      if (w.status().code() != Status::Code::kInvalidArgument) return w.status();
      Reject(topic, "event \"" + me.event.name + "\": database \"" + me.db +
                        "\": " + w.status().message());
      continue;
    }
    counters_.events += w->written;
    for (const auto& [index, status] : w->rejected) {
      Reject(topic,
             "event \"" + me.event.name + "\": database \"" + me.db + "\": " + status.message());
    }
  }
  if (mapped.points.empty()) return Status::Ok();

  std::vector<PointRef> refs;
  refs.reserve(mapped.points.size());
  for (const MappedPoint& p : mapped.points) refs.push_back({p.db, p.key, p.ts, p.value});
  Result<BatchResult> res = writer_.WriteBatch(refs);
  if (!res.ok()) return res.status();
  counters_.samples += res->accepted;

  // Values refused for their type get one retry in the other type, when exact.
  std::vector<PointRef> retry;
  std::vector<size_t> retry_index;
  for (const auto& [index, status] : res->rejected) {
    const MappedPoint& p = mapped.points[index];
    Value other;
    if (status.code() == Status::Code::kTypeMismatch && OtherType(p, &other)) {
      retry.push_back({p.db, p.key, p.ts, other});
      retry_index.push_back(index);
      continue;
    }
    std::string why = status.message();
    if (status.code() == Status::Code::kTypeMismatch && p.value.type == ValueType::kFloat64) {
      why +=
          " (its first value was an integer; set type = \"float\" in this subscription and "
          "use a new metric name)";
    }
    Reject(topic, (p.field.empty() ? "" : "field \"" + p.field + "\": ") + "database \"" + p.db +
                      "\": " + why);
  }
  if (retry.empty()) return Status::Ok();
  Result<BatchResult> again = writer_.WriteBatch(retry);
  if (!again.ok()) return again.status();
  counters_.samples += again->accepted;
  for (const auto& [index, status] : again->rejected) {
    const MappedPoint& p = mapped.points[retry_index[index]];
    Reject(topic, (p.field.empty() ? "" : "field \"" + p.field + "\": ") + "database \"" + p.db +
                      "\": " + status.message());
  }
  return Status::Ok();
}

}  // namespace nanotdb::mqtt
