// The ingest-mqtt plugin: subscribes to an MQTT broker and stores what the
// [[plugins.ingest-mqtt.subscribe]] tables map messages to. docs/mqtt.md.
#include "nanotdb/plugin.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "mqtt_client.h"
#include "mqtt_config.h"
#include "mqtt_ingest.h"
#include "mqtt_stats.h"
#include "nanotdb/services/events.h"
#include "nanotdb/services/stats.h"
#include "nanotdb/services/writer.h"

namespace nanotdb::mqtt {
namespace {

const ConfigKey kConfigKeys[] = {
    {"broker", ConfigType::kString, "\"127.0.0.1:1883\"",
     "the MQTT broker as host:port (8883 is the usual TLS port)"},
    {"client_id", ConfigType::kString, "\"\"",
     "MQTT client id (\"\" = nanotdb-<hostname>); unique per broker"},
    {"username", ConfigType::kString, "\"\"", "user name (\"\" = none)"},
    {"password", ConfigType::kString, "\"\"", "password (\"\" = none); or password_file"},
    {"password_file", ConfigType::kString, "\"\"",
     "file whose first line is the password (keeps it out of engine.toml)"},
    {"tls", ConfigType::kBool, "false", "connect over TLS"},
    {"tls_ca_file", ConfigType::kString, "\"\"",
     "PEM file of the CA that signed the broker's certificate (\"\" = the system's CAs)"},
    {"tls_verify", ConfigType::kBool, "true",
     "check the broker's certificate and host name (false only for tests)"},
    {"tls_cert_file", ConfigType::kString, "\"\"", "client certificate (PEM), with tls_key_file"},
    {"tls_key_file", ConfigType::kString, "\"\"", "client certificate's private key (PEM)"},
    {"clean_session", ConfigType::kBool, "true",
     "false: the broker keeps QoS 1 messages for nanotdb while it is away"},
    {"keepalive", ConfigType::kDuration, "\"60s\"",
     "MQTT keepalive; PINGREQ after half of it without traffic"},
    {"connect_timeout", ConfigType::kDuration, "\"10s\"",
     "limit for TCP connect, TLS handshake, CONNACK and SUBACK"},
    {"retry_interval", ConfigType::kDuration, "\"1s\"",
     "first reconnect delay; doubled on every failure"},
    {"retry_max_interval", ConfigType::kDuration, "\"1m\"", "longest reconnect delay"},
    {"max_packet_bytes", ConfigType::kInt, "1048576",
     "larger messages are skipped and counted as rejected"},
    {"db", ConfigType::kString, "\"mqtt\"", "database of subscriptions that name none"},
};

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "host";
  return name;
}

Result<BrokerConfig> BrokerFromConfig(const PluginConfig& c) {
  BrokerConfig b;
  NANOTDB_RETURN_IF_ERROR(ParseBrokerAddress(c.GetString("broker"), &b.host, &b.port));
  b.client_id = c.GetString("client_id");
  if (b.client_id.empty()) b.client_id = "nanotdb-" + HostName();
  if (std::string u = c.GetString("username"); !u.empty()) b.username = u;
  std::string password = c.GetString("password");
  const std::string password_file = c.GetString("password_file");
  if (!password_file.empty()) {
    if (!password.empty()) {
      return Status::InvalidArgument("set password or password_file, not both");
    }
    std::ifstream in(password_file);
    if (!in || !std::getline(in, password)) {
      return Status::InvalidArgument("password_file \"" + password_file +
                                     "\" cannot be read (or is empty)");
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
  }
  if (!password.empty()) b.password = password;
  b.tls = c.GetBool("tls");
  b.tls_ca_file = c.GetString("tls_ca_file");
  b.tls_verify = c.GetBool("tls_verify");
  b.tls_cert_file = c.GetString("tls_cert_file");
  b.tls_key_file = c.GetString("tls_key_file");
  b.clean_session = c.GetBool("clean_session");
  b.keepalive_ns = c.GetDuration("keepalive");
  b.connect_timeout_ns = c.GetDuration("connect_timeout");
  b.retry_interval_ns = c.GetDuration("retry_interval");
  b.retry_max_interval_ns = c.GetDuration("retry_max_interval");
  const int64_t max_packet = c.GetInt("max_packet_bytes");
  b.max_packet_bytes =
      max_packet < 0 || max_packet > (int64_t{1} << 31) ? 0 : static_cast<uint32_t>(max_packet);
  NANOTDB_RETURN_IF_ERROR(ValidateBrokerConfig(b));
  return b;
}

Timestamp WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class IngestMqttPlugin {
 public:
  Status Start(PluginContext& ctx) {
    auto* writer = ctx.Find<WriterService>();
    auto* stats = ctx.Find<StatsService>();
    if (writer == nullptr || stats == nullptr) {
      return Status::NotFound(
          "ingest-mqtt needs the core services nanotdb.writer v1 and nanotdb.stats v1; this "
          "nanotdb does not provide them (rebuild the plugin against the running SDK)");
    }
    Result<BrokerConfig> broker = BrokerFromConfig(ctx.config());
    if (!broker.ok()) return broker.status().WithContext("[plugins.ingest-mqtt]");
    const std::string db = ctx.config().GetString("db");
    if (Status st = ValidateDatabaseName(db); !st.ok()) {
      return st.WithContext("[plugins.ingest-mqtt] db");
    }
    Result<std::vector<Subscription>> subs =
        ParseSubscriptions(ctx.config().GetTableToml("subscribe"), db);
    if (!subs.ok()) return subs.status().WithContext("[plugins.ingest-mqtt]");
    std::vector<TopicRequest> topics;
    for (const Subscription& s : *subs) topics.push_back({s.filter.text(), s.qos});

    LogFn log = [&ctx](LogLevel level, std::string_view message) { ctx.Log(level, message); };
    ingest_ = std::make_unique<MqttIngest>(*writer, ctx.Find<EventService>(),
                                           std::move(subs).value(), log);
    const uint32_t limit = broker->max_packet_bytes;
    const std::string endpoint = ctx.config().GetString("broker");
    client_ = std::make_unique<MqttClient>(
        std::move(broker).value(), std::move(topics),
        [this](const Message& m) {
          Status st = ingest_->Handle(m.topic, m.payload, m.retained, WallNs());
          if (!st.ok()) {
            log_(LogLevel::kError,
                 "topic \"" + std::string(m.topic) +
                     "\": storage failed, message not acknowledged: " + st.message());
          }
          return st.ok();
        },
        [this, limit](std::string_view topic, uint64_t bytes) {
          ingest_->RejectOversized(topic, bytes, limit);
        },
        log);
    log_ = log;
    NANOTDB_RETURN_IF_ERROR(stats->Publish(
        [this, endpoint] { return MqttStats(ingest_->counters(), *client_, endpoint); }));
    return client_->Start();
  }

  // Sends DISCONNECT and joins the client's thread; nothing is written after this returns.
  void Stop() {
    if (client_) client_->Stop();
  }

 private:
  LogFn log_;
  std::unique_ptr<MqttIngest> ingest_;
  std::unique_ptr<MqttClient> client_;
};

}  // namespace
}  // namespace nanotdb::mqtt

NANOTDB_PLUGIN(nanotdb::mqtt::IngestMqttPlugin, "ingest-mqtt", "0.1.0",
               "MQTT 3.1.1 subscriber: topics mapped to series (text and JSON payloads)",
               nanotdb::mqtt::kConfigKeys)
