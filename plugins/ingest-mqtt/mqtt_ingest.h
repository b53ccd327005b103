// MqttIngest: stores what MQTT messages say through the WriterService and counts it.
//
// Each message is mapped (message_mapper.h) and its points are written as one batch; the event
// of a kind = "event" subscription goes through the EventService. With
// type = "auto" a value whose series already exists with the other 64-bit type is written
// again in that type when nothing is lost (an integer 22 into a float64 series as 22.0, a
// float 3.0 into an int64 series as 3); otherwise the storage's refusal stands, with a hint
// to set `type`. Every rejected message or value is counted and logged with its topic and
// reason, at most kLogsPerMinute lines a minute (then one line saying how many were not
// logged), so a sensor publishing garbage cannot flood the log.
//
// Handle() is called by the client's one thread; the counters may be read from any thread.
// The WriterService and EventService are borrowed and must outlive this object.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt_config.h"
#include "nanotdb/engine_types.h"
#include "nanotdb/services/events.h"
#include "nanotdb/services/writer.h"

namespace nanotdb::mqtt {

struct IngestCounters {
  std::atomic<uint64_t> messages{0};   // PUBLISH packets received (oversized ones included)
  std::atomic<uint64_t> samples{0};    // points stored
  std::atomic<uint64_t> events{0};     // events stored
  std::atomic<uint64_t> rejected{0};   // values or whole messages refused, with a reason
  std::atomic<uint64_t> unmatched{0};  // messages no subscription's filter matches
  std::atomic<uint64_t> skipped_retained{0};
};

class MqttIngest {
 public:
  static constexpr int kLogsPerMinute = 10;

  // `events` may be null (a core without it): kind = "event" messages are then rejected.
  MqttIngest(WriterService& writer, EventService* events, std::vector<Subscription> subs,
             LogFn log);
  MqttIngest(const MqttIngest&) = delete;
  MqttIngest& operator=(const MqttIngest&) = delete;

  // Stores one message received at `now`. OK when the message is done with (stored, or
  // rejected for reasons of its own): a QoS 1 message may then be acknowledged. Non-OK when
  // the storage failed as a whole (I/O, shutdown): not acknowledged, the broker may resend.
  Status Handle(std::string_view topic, std::string_view payload, bool retained, Timestamp now);
  // Counts and logs a message whose payload was skipped unread (larger than the packet limit).
  void RejectOversized(std::string_view topic, uint64_t bytes, uint64_t limit);

  const std::vector<Subscription>& subscriptions() const { return subs_; }
  const IngestCounters& counters() const { return counters_; }

 private:
  void Reject(std::string_view topic, const std::string& reason);

  WriterService& writer_;
  EventService* const events_;
  const std::vector<Subscription> subs_;
  const LogFn log_;
  IngestCounters counters_;

  std::mutex log_mu_;
  std::chrono::steady_clock::time_point window_start_;  // guarded by log_mu_
  int logged_in_window_ = 0;                            // guarded by log_mu_
  uint64_t suppressed_ = 0;                             // guarded by log_mu_
};

}  // namespace nanotdb::mqtt
