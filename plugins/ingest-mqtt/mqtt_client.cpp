#include "mqtt_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "nanotdb/time_util.h"

namespace nanotdb::mqtt {

struct MqttClient::Tls {
  Poco::Net::Context::Ptr context;
};

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

enum class Wait { kReady, kTimeout, kWoken };

// Waits for `events` on fd, or the wake eventfd, for at most timeout_ns (< 0: no limit).
Wait WaitFd(int fd, short events, int wake_fd, int64_t timeout_ns) {
  pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
  int timeout_ms = -1;
  if (timeout_ns >= 0) {
    timeout_ms = static_cast<int>(std::min<int64_t>((timeout_ns + 999'999) / 1'000'000, 1 << 30));
  }
  while (true) {
    int r = ::poll(fds, 2, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return Wait::kTimeout;
    if (fds[1].revents != 0) return Wait::kWoken;
    return Wait::kReady;
  }
}

Poco::Timespan Span(int64_t ns) { return Poco::Timespan(ns / 1000); }

// What one connection reads: packets split out of the byte stream, oversized payloads skipped.
class Link {
 public:
  Link(const BrokerConfig& config, const std::vector<TopicRequest>& topics,
       Poco::Net::StreamSocket& sock, const MqttClient::MessageHandler& on_message,
       const MqttClient::OversizeHandler& on_oversize)
      : config_(config),
        topics_(topics),
        sock_(sock),
        on_message_(on_message),
        on_oversize_(on_oversize) {}

  enum class Phase { kConnack, kSuback, kRunning };
  Phase phase() const { return phase_; }
  int64_t last_send() const { return last_send_; }
  std::vector<std::string>& notes() { return notes_; }

  Status Send(const std::string& bytes) {
    const int n = sock_.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    if (n != static_cast<int>(bytes.size())) {
      return Status::IOError("short write to the broker (" + std::to_string(n) + " of " +
                             std::to_string(bytes.size()) + " bytes)");
    }
    last_send_ = NowNs();
    return Status::Ok();
  }

  Status Feed(const char* data, size_t n) {
    if (skip_left_ > 0) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(skip_left_, n));
      skip_left_ -= take;
      data += take;
      n -= take;
    }
    in_.append(data, n);
    size_t pos = 0;
    Status st;
    while (st.ok()) {
      std::string_view rest(in_.data() + pos, in_.size() - pos);
      Result<std::optional<FixedHeader>> h = ParseFixedHeader(rest);
      if (!h.ok()) {
        st = h.status();
        break;
      }
      if (!h->has_value()) break;
      const FixedHeader hdr = **h;
      const uint64_t total = uint64_t{hdr.header_bytes} + hdr.remaining;
      if (hdr.remaining > config_.max_packet_bytes) {
        if (hdr.type != static_cast<uint8_t>(PacketType::kPublish)) {
          st = Status::InvalidArgument(std::string(PacketTypeName(hdr.type)) + " packet of " +
                                       std::to_string(hdr.remaining) +
                                       " bytes exceeds max_packet_bytes");
          break;
        }
        // Only the topic and packet id are read; the payload is skipped.
        if (rest.size() < hdr.header_bytes + 2u) break;
        const size_t topic_len = (static_cast<uint8_t>(rest[hdr.header_bytes]) << 8) |
                                 static_cast<uint8_t>(rest[hdr.header_bytes + 1]);
        const size_t head = std::min<size_t>(hdr.remaining, 2 + topic_len + 2);
        if (rest.size() < hdr.header_bytes + head) break;
        Result<Publish> p = ParsePublishHead(hdr, rest.substr(hdr.header_bytes, head));
        if (!p.ok()) {
          st = p.status();
          break;
        }
        if (p->qos == 2) {
          st = Status::InvalidArgument(
              "QoS 2 PUBLISH although every subscription asked for "
              "QoS 0 or 1");
          break;
        }
        on_oversize_(p->topic, hdr.remaining);
        if (p->qos == 1) st = Send(EncodePuback(p->packet_id));
        const size_t have = std::min<uint64_t>(rest.size(), total);
        skip_left_ = total - have;
        pos += have;
        continue;
      }
      if (rest.size() < total) break;
      st = Dispatch(hdr, rest.substr(hdr.header_bytes, hdr.remaining));
      pos += total;
    }
    in_.erase(0, pos);
    return st;
  }

  bool ping_outstanding = false;
  int64_t ping_sent = 0;

 private:
  Status Dispatch(const FixedHeader& h, std::string_view body) {
    const auto type = static_cast<PacketType>(h.type);
    if (type == PacketType::kConnack) {
      if (phase_ != Phase::kConnack) {
        return Status::InvalidArgument("a second CONNACK from the broker");
      }
      Result<Connack> c = ParseConnack(h, body);
      if (!c.ok()) return c.status();
      if (c->return_code != 0) {
        return Status::Unsupported(
            "the broker refused the connection: " + ConnackReason(c->return_code) +
            " (CONNACK code " + std::to_string(c->return_code) + ")");
      }
      phase_ = Phase::kSuback;
      Result<std::string> sub = EncodeSubscribe(kSubscribeId, topics_);
      if (!sub.ok()) return sub.status();
      return Send(*sub);
    }
    if (phase_ == Phase::kConnack) {
      return Status::InvalidArgument(std::string(PacketTypeName(h.type)) +
                                     " packet before CONNACK");
    }
    switch (type) {
      case PacketType::kPublish: {
        Result<Publish> p = ParsePublish(h, body);
        if (!p.ok()) return p.status();
        if (p->qos == 2) {
          return Status::InvalidArgument(
              "QoS 2 PUBLISH although every subscription asked for QoS 0 or 1");
        }
        Message m{p->topic, p->payload, p->qos, p->retain, p->dup};
        if (on_message_(m) && p->qos == 1) return Send(EncodePuback(p->packet_id));
        return Status::Ok();
      }
      case PacketType::kSuback: {
        if (phase_ != Phase::kSuback) return Status::InvalidArgument("an unexpected SUBACK");
        Result<Suback> s = ParseSuback(h, body);
        if (!s.ok()) return s.status();
        if (s->packet_id != kSubscribeId || s->codes.size() != topics_.size()) {
          return Status::InvalidArgument("SUBACK for packet " + std::to_string(s->packet_id) +
                                         " with " + std::to_string(s->codes.size()) +
                                         " codes; expected packet 1 with " +
                                         std::to_string(topics_.size()));
        }
        for (size_t i = 0; i < topics_.size(); ++i) {
          if (s->codes[i] == 0x80) {
            notes_.push_back("the broker refused the subscription to \"" + topics_[i].filter +
                             "\" (SUBACK 0x80): check the broker's ACL for this user");
          } else if (s->codes[i] < topics_[i].qos) {
            notes_.push_back("the broker granted QoS " + std::to_string(s->codes[i]) + " for \"" +
                             topics_[i].filter + "\" (asked for " + std::to_string(topics_[i].qos) +
                             ")");
          }
        }
        phase_ = Phase::kRunning;
        return Status::Ok();
      }
      case PacketType::kPingresp: {
        NANOTDB_RETURN_IF_ERROR(CheckPingresp(h, body));
        ping_outstanding = false;
        return Status::Ok();
      }
      default:
        return Status::InvalidArgument(std::string("unexpected ") + PacketTypeName(h.type) +
                                       " packet from the broker (a subscriber never gets one)");
    }
  }

  static constexpr uint16_t kSubscribeId = 1;
  const BrokerConfig& config_;
  const std::vector<TopicRequest>& topics_;
  Poco::Net::StreamSocket& sock_;
  const MqttClient::MessageHandler& on_message_;
  const MqttClient::OversizeHandler& on_oversize_;
  std::string in_;
  uint64_t skip_left_ = 0;
  Phase phase_ = Phase::kConnack;
  int64_t last_send_ = 0;
  std::vector<std::string> notes_;
};

}  // namespace

MqttClient::MqttClient(BrokerConfig config, std::vector<TopicRequest> topics,
                       MessageHandler on_message, OversizeHandler on_oversize, LogFn log)
    : config_(std::move(config)),
      topics_(std::move(topics)),
      on_message_(std::move(on_message)),
      on_oversize_(std::move(on_oversize)),
      log_(std::move(log)) {
  endpoint_ = config_.host.find(':') != std::string::npos
                  ? "[" + config_.host + "]:" + std::to_string(config_.port)
                  : config_.host + ":" + std::to_string(config_.port);
}

MqttClient::~MqttClient() {
  Stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void MqttClient::Log(LogLevel level, const std::string& message) {
  if (log_) log_(level, message);
}

Status MqttClient::Start() {
  if (thread_.joinable()) return Status::Ok();
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return Status::IOError(std::string("eventfd: ") + std::strerror(errno));
  if (config_.tls) {
    try {
      Poco::Net::initializeSSL();
      auto tls = std::make_unique<Tls>();
      tls->context = new Poco::Net::Context(
          Poco::Net::Context::CLIENT_USE, config_.tls_key_file, config_.tls_cert_file,
          config_.tls_ca_file,
          config_.tls_verify ? Poco::Net::Context::VERIFY_RELAXED : Poco::Net::Context::VERIFY_NONE,
          9, config_.tls_ca_file.empty());
      tls->context->disableProtocols(
          Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
          Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
      tls_ = std::move(tls);
    } catch (const Poco::Exception& e) {
      Poco::Net::uninitializeSSL();
      return Status::InvalidArgument("TLS setup for broker " + endpoint_ + ": " + e.displayText());
    }
  }
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void MqttClient::Stop() noexcept {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t w = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  if (tls_) {
    tls_.reset();
    Poco::Net::uninitializeSSL();
  }
}

bool MqttClient::WaitBackoff(int64_t ns) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, std::chrono::nanoseconds(ns), [&] { return stopping_.load(); });
}

void MqttClient::Run() {
  int64_t delay = config_.retry_interval_ns;
  while (!stopping_) {
    bool established = false;
    Status st;
    try {
      st = Session(&established);
    } catch (const Poco::Exception& e) {
      st = Status::IOError(e.displayText());
    } catch (const std::exception& e) {
      st = Status::IOError(e.what());
    }
    const bool was_connected = connected_.exchange(false);
    if (stopping_) break;
    if (established) delay = config_.retry_interval_ns;
    if (!established) ++failures_;
    Log(LogLevel::kWarning, std::string(was_connected ? "lost the connection to MQTT broker "
                                                      : "cannot connect to MQTT broker ") +
                                endpoint_ + ": " + st.message() + "; retrying in " +
                                FormatDuration(delay));
    if (!WaitBackoff(delay)) break;
    delay = std::min(delay * 2, config_.retry_max_interval_ns);
  }
}

Status MqttClient::Session(bool* established) {
  Poco::Net::SocketAddress addr(config_.host, config_.port);
  Poco::Net::StreamSocket tcp(addr.family());
  tcp.connectNB(addr);
  Wait w = WaitFd(tcp.impl()->sockfd(), POLLOUT, wake_fd_, config_.connect_timeout_ns);
  if (w == Wait::kWoken) return Status::Ok();
  if (w == Wait::kTimeout) {
    return Status::IOError("no TCP connection within connect_timeout " +
                           FormatDuration(config_.connect_timeout_ns));
  }
  if (int err = tcp.impl()->socketError(); err != 0) {
    return Status::IOError(std::string("connect: ") + std::strerror(err));
  }
  tcp.setBlocking(true);
  tcp.setNoDelay(true);
  tcp.setReceiveTimeout(Span(config_.connect_timeout_ns));
  tcp.setSendTimeout(Span(config_.connect_timeout_ns));
  Poco::Net::StreamSocket sock = tcp;
  if (tls_) {
    Poco::Net::SecureStreamSocket secure =
        Poco::Net::SecureStreamSocket::attach(tcp, config_.host, tls_->context);
    secure.completeHandshake();
    sock = secure;
  }
  const int fd = sock.impl()->sockfd();

  Link s(config_, topics_, sock, on_message_, on_oversize_);
  ConnectOptions co;
  co.client_id = config_.client_id;
  co.clean_session = config_.clean_session;
  co.keepalive_s = static_cast<uint16_t>(config_.keepalive_ns / kNanosPerSecond);
  co.username = config_.username;
  co.password = config_.password;
  Result<std::string> connect = EncodeConnect(co);
  if (!connect.ok()) return connect.status();
  const int64_t handshake_deadline = NowNs() + config_.connect_timeout_ns;
  NANOTDB_RETURN_IF_ERROR(s.Send(*connect));

  std::string buf(16384, '\0');
  while (true) {
    if (stopping_) {
      if (s.phase() != Link::Phase::kConnack) {
        Status st = s.Send(EncodeDisconnect());
        if (st.ok()) Log(LogLevel::kInfo, "disconnected from MQTT broker " + endpoint_);
      }
      sock.shutdown();
      sock.close();
      return Status::Ok();
    }
    const int64_t now = NowNs();
    int64_t timeout = -1;
    if (s.phase() != Link::Phase::kRunning) {
      timeout = std::max<int64_t>(0, handshake_deadline - now);
    } else if (config_.keepalive_ns > 0) {
      const int64_t due = s.ping_outstanding ? s.ping_sent + config_.keepalive_ns
                                             : s.last_send() + config_.keepalive_ns / 2;
      timeout = std::max<int64_t>(0, due - now);
    }
    Wait ready = Wait::kReady;
    if (!tls_ || sock.available() <= 0) ready = WaitFd(fd, POLLIN, wake_fd_, timeout);
    if (ready == Wait::kWoken) continue;
    if (ready == Wait::kTimeout) {
      if (s.phase() != Link::Phase::kRunning) {
        return Status::IOError(
            std::string("no ") + (s.phase() == Link::Phase::kConnack ? "CONNACK" : "SUBACK") +
            " within connect_timeout " + FormatDuration(config_.connect_timeout_ns));
      }
      if (s.ping_outstanding) {
        return Status::IOError("no PINGRESP within keepalive " +
                               FormatDuration(config_.keepalive_ns));
      }
      NANOTDB_RETURN_IF_ERROR(s.Send(EncodePingreq()));
      s.ping_outstanding = true;
      s.ping_sent = NowNs();
      continue;
    }
    const int n = sock.receiveBytes(buf.data(), static_cast<int>(buf.size()));
    if (n <= 0) return Status::IOError("the broker closed the connection");
    const Link::Phase before = s.phase();
    Status st = s.Feed(buf.data(), static_cast<size_t>(n));
    for (const std::string& note : s.notes()) Log(LogLevel::kError, note);
    s.notes().clear();
    if (before != Link::Phase::kRunning && s.phase() == Link::Phase::kRunning) {
      *established = true;
      connected_ = true;
      if (++sessions_ > 1) ++reconnects_;
      Log(LogLevel::kInfo, "connected to MQTT broker " + endpoint_ + " as \"" + config_.client_id +
                               "\"" + (tls_ ? " over TLS" : "") + "; subscribed to " +
                               std::to_string(topics_.size()) + " filter" +
                               (topics_.size() == 1 ? "" : "s"));
    }
    if (!st.ok()) {
      return st.code() == Status::Code::kInvalidArgument
                 ? st.WithContext("protocol error, closing the connection")
                 : st;
    }
  }
}

}  // namespace nanotdb::mqtt
