// MqttClient: an MQTT 3.1.1 subscriber over Poco::Net sockets (TLS through Poco NetSSL).
//
// One thread owns the connection: TCP connect (then the TLS handshake), CONNECT with the
// client id, clean-session flag, keepalive and optional credentials, CONNACK, one SUBSCRIBE
// with every filter, then a read loop. PUBLISH packets go to the handler in arrival order; a
// QoS 1 message is acknowledged (PUBACK) after the handler returned true (stored), so the
// broker resends what was not stored. PINGREQ goes out when keepalive/2 passed without a
// packet sent; no PINGRESP within keepalive counts as a lost connection. A lost or refused
// connection is retried after retry_interval, doubled on every failure up to
// retry_max_interval, back to retry_interval once a session was established; every
// (re)connection subscribes again.
//
// Broker input is untrusted: a malformed packet (bad remaining length, lengths beyond the
// packet, reserved bits, an unexpected type, QoS 2) closes the connection with a log line
// naming it and the client reconnects; a PUBLISH larger than max_packet_bytes has its payload
// skipped unread (the handler's oversize callback is told) and the session goes on.
//
// Stop() sends DISCONNECT on an open connection, wakes the thread out of any wait (socket,
// backoff or connect) and joins it. Start/Stop from one thread; the getters from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mqtt_codec.h"
#include "mqtt_config.h"
#include "nanotdb/engine_types.h"

namespace nanotdb::mqtt {

struct Message {
  std::string_view topic;
  std::string_view payload;
  uint8_t qos = 0;
  bool retained = false;
  bool dup = false;
};

class MqttClient {
 public:
  // Returns true when the message is done with (acknowledged if QoS 1).
  using MessageHandler = std::function<bool(const Message&)>;
  using OversizeHandler = std::function<void(std::string_view topic, uint64_t bytes)>;

  MqttClient(BrokerConfig config, std::vector<TopicRequest> topics, MessageHandler on_message,
             OversizeHandler on_oversize, LogFn log);
  ~MqttClient();  // Stop()
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Status of the TLS setup (a missing CA file); the connection itself is made in the
  // background.
  Status Start();
  void Stop() noexcept;

  bool connected() const { return connected_.load(); }
  uint64_t sessions() const { return sessions_.load(); }          // CONNACK + SUBACK reached
  uint64_t reconnects() const { return reconnects_.load(); }      // sessions after the first
  uint64_t connect_failures() const { return failures_.load(); }  // attempts that failed

 private:
  struct Tls;  // the NetSSL context, when tls = true
  void Run();
  Status Session(bool* established);
  bool WaitBackoff(int64_t ns);  // false when stopping
  void Log(LogLevel level, const std::string& message);

  const BrokerConfig config_;
  const std::vector<TopicRequest> topics_;
  const MessageHandler on_message_;
  const OversizeHandler on_oversize_;
  const LogFn log_;
  std::string endpoint_;  // "host:port" for log lines
  std::unique_ptr<Tls> tls_;

  int wake_fd_ = -1;  // eventfd: Stop() makes it readable
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;  // backoff waits; with mu_
  std::thread thread_;

  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> sessions_{0};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace nanotdb::mqtt
