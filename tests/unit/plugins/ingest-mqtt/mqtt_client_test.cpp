// The client against a scripted broker on loopback that sends what a real broker never would:
// malformed packets, oversized messages, no PINGRESP. (tests/integration/mqtt_client_test.py
// runs it against Debian's mosquitto.)
#include "mqtt_client.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace nanotdb::mqtt {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

struct Packet {
  uint8_t type = 0;
  uint8_t flags = 0;
  std::string body;
};

// Reads one packet; type 0 when the peer closed or 2 s passed.
Packet ReadPacket(Poco::Net::StreamSocket& s) {
  s.setReceiveTimeout(Poco::Timespan(2, 0));
  std::string buf;
  auto more = [&](size_t want) {
    while (buf.size() < want) {
      char c[4096];
      int n = 0;
      try {
        n = s.receiveBytes(c, static_cast<int>(std::min<size_t>(sizeof c, want - buf.size())));
      } catch (...) {
        return false;
      }
      if (n <= 0) return false;
      buf.append(c, n);
    }
    return true;
  };
  Packet p;
  if (!more(2)) return p;
  while (true) {
    auto h = ParseFixedHeader(buf);
    if (!h.ok()) return p;
    if (h->has_value()) {
      if (!more((*h)->header_bytes + (*h)->remaining)) return p;
      p.type = (*h)->type;
      p.flags = (*h)->flags;
      p.body = buf.substr((*h)->header_bytes);
      return p;
    }
    if (!more(buf.size() + 1)) return p;
  }
}

void Send(Poco::Net::StreamSocket& s, const std::string& bytes) {
  s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
}

const std::string kConnackOk("\x20\x02\x00\x00", 4);
const std::string kSubackOk("\x90\x03\x00\x01\x01", 5);

// Accepts connections one after the other and runs `script(socket, connection number)` on each.
class ScriptedBroker {
 public:
  using Script = std::function<void(Poco::Net::StreamSocket&, int)>;
  explicit ScriptedBroker(Script script)
      : server_(Poco::Net::SocketAddress("127.0.0.1", 0)), script_(std::move(script)) {
    thread_ = std::thread([this] {
      server_.setReceiveTimeout(Poco::Timespan(0, 100'000));
      int n = 0;
      while (!stop_) {
        if (!server_.poll(Poco::Timespan(0, 100'000), Poco::Net::Socket::SELECT_READ)) continue;
        Poco::Net::StreamSocket s = server_.acceptConnection();
        ++connections;
        try {
          script_(s, n++);
        } catch (const std::exception&) {
          // the client went away mid-script
        }
      }
    });
  }
  ~ScriptedBroker() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return server_.address().port(); }
  std::atomic<int> connections{0};

 private:
  Poco::Net::ServerSocket server_;
  Script script_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct Seen {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> messages;  // "topic=payload"
  std::vector<std::string> oversized;
  std::vector<std::string> logs;

  bool WaitFor(const std::function<bool()>& pred, int ms = 5000) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::milliseconds(ms), pred);
  }
};

BrokerConfig Config(uint16_t port) {
  BrokerConfig c;
  c.host = "127.0.0.1";
  c.port = port;
  c.client_id = "unit";
  c.keepalive_ns = 0;
  c.connect_timeout_ns = 2 * kNanosPerSecond;
  c.retry_interval_ns = 50'000'000;
  c.retry_max_interval_ns = 100'000'000;
  c.max_packet_bytes = 64;
  return c;
}

std::unique_ptr<MqttClient> MakeClient(const BrokerConfig& c, Seen& seen) {
  return std::make_unique<MqttClient>(
      c, std::vector<TopicRequest>{{"t/#", 1}},
      [&seen](const Message& m) {
        std::lock_guard<std::mutex> lock(seen.mu);
        seen.messages.push_back(std::string(m.topic) + "=" + std::string(m.payload));
        seen.cv.notify_all();
        return true;
      },
      [&seen](std::string_view topic, uint64_t bytes) {
        std::lock_guard<std::mutex> lock(seen.mu);
        seen.oversized.push_back(std::string(topic) + ":" + std::to_string(bytes));
        seen.cv.notify_all();
      },
      [&seen](LogLevel, std::string_view line) {
        std::lock_guard<std::mutex> lock(seen.mu);
        seen.logs.emplace_back(line);
        seen.cv.notify_all();
      });
}

std::unique_ptr<MqttClient> MakeClient(uint16_t port, Seen& seen) {
  return MakeClient(Config(port), seen);
}

bool AnyLog(Seen& seen, std::string_view part) {
  for (const std::string& l : seen.logs) {
    if (l.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(MqttClientTest, ConnectSubscribeAckAndDisconnect) {
  std::mutex mu;
  std::vector<Packet> got;
  ScriptedBroker broker([&](Poco::Net::StreamSocket& s, int) {
    Packet connect = ReadPacket(s);
    Send(s, kConnackOk);
    Packet subscribe = ReadPacket(s);
    Send(s, kSubackOk);
    Send(s, EncodePublish({"t/a", "1", 1, false, false, 9}));
    Packet puback = ReadPacket(s);
    Packet disconnect = ReadPacket(s);
    std::lock_guard<std::mutex> lock(mu);
    got = {connect, subscribe, puback, disconnect};
  });
  Seen seen;
  auto client = MakeClient(broker.port(), seen);
  ASSERT_TRUE(client->Start().ok());
  ASSERT_TRUE(seen.WaitFor([&] { return !seen.messages.empty(); }));
  EXPECT_TRUE(client->connected());
  client->Stop();
  for (int i = 0; i < 50; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!got.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].type, 1);  // CONNECT
  EXPECT_THAT(got[0].body, HasSubstr("unit"));
  EXPECT_EQ(got[1].type, 8);  // SUBSCRIBE
  EXPECT_EQ(got[1].flags, 2);
  EXPECT_EQ(got[1].body, std::string("\x00\x01\x00\x03t/#\x01", 8));
  EXPECT_EQ(got[2].type, 4);  // PUBACK of packet 9
  EXPECT_EQ(got[2].body, std::string("\x00\x09", 2));
  EXPECT_EQ(got[3].type, 14);  // DISCONNECT
  EXPECT_EQ(seen.messages, std::vector<std::string>{"t/a=1"});
}

TEST(MqttClientTest, MalformedPacketClosesTheConnectionAndTheClientReconnects) {
  ScriptedBroker broker([&](Poco::Net::StreamSocket& s, int n) {
    ReadPacket(s);
    Send(s, kConnackOk);
    ReadPacket(s);
    Send(s, kSubackOk);
    if (n == 0) {
      Send(s, std::string("\x30\xff\xff\xff\xff\x01", 6));  // a fifth length byte
      ReadPacket(s);                                        // until the client closes
    } else {
      Send(s, EncodePublish({"t/after", "2", 0, false, false, 0}));
      ReadPacket(s);
    }
  });
  Seen seen;
  auto client = MakeClient(broker.port(), seen);
  ASSERT_TRUE(client->Start().ok());
  ASSERT_TRUE(seen.WaitFor([&] { return !seen.messages.empty(); }));
  EXPECT_EQ(seen.messages, std::vector<std::string>{"t/after=2"});
  EXPECT_TRUE(AnyLog(seen,
                     "protocol error, closing the connection: malformed PUBLISH packet: "
                     "remaining length runs past 4 bytes"));
  EXPECT_EQ(client->reconnects(), 1u);
  client->Stop();
}

TEST(MqttClientTest, UnexpectedPacketsAndQos2AreProtocolErrors) {
  const std::vector<std::string> bad = {
      std::string("\x40\x02\x00\x01", 4),                          // PUBACK: we never publish
      std::string("\x34\x05\x00\x01t\x00\x01", 7),                 // QoS 2
      std::string("\x20\x02\x00\x00", 4),                          // a second CONNACK
      std::string("\x30\x04\x00\x09t/", 5) + std::string(1, 'x'),  // topic length beyond
  };
  for (const std::string& packet : bad) {
    ScriptedBroker broker([&](Poco::Net::StreamSocket& s, int n) {
      ReadPacket(s);
      Send(s, kConnackOk);
      ReadPacket(s);
      Send(s, kSubackOk);
      if (n == 0) Send(s, packet);
      ReadPacket(s);
    });
    Seen seen;
    auto client = MakeClient(broker.port(), seen);
    ASSERT_TRUE(client->Start().ok());
    EXPECT_TRUE(seen.WaitFor([&] { return AnyLog(seen, "protocol error"); }))
        << "packet " << PacketTypeName(static_cast<uint8_t>(packet[0]) >> 4);
    EXPECT_TRUE(seen.WaitFor([&] { return client->reconnects() >= 1; }));
    client->Stop();
  }
}

TEST(MqttClientTest, OversizedPublishIsSkippedAcknowledgedAndTheSessionGoesOn) {
  std::atomic<bool> acked{false};
  ScriptedBroker broker([&](Poco::Net::StreamSocket& s, int) {
    ReadPacket(s);
    Send(s, kConnackOk);
    ReadPacket(s);
    Send(s, kSubackOk);
    // Sent in pieces so that the skip spans several reads.
    std::string big = EncodePublish({"t/big", std::string(5000, 'x'), 1, false, false, 3});
    for (size_t at = 0; at < big.size(); at += 700) {
      Send(s, big.substr(at, 700));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    Packet ack = ReadPacket(s);
    acked = ack.type == 4 && ack.body == std::string("\x00\x03", 2);
    Send(s, EncodePublish({"t/small", "ok", 0, false, false, 0}));
    ReadPacket(s);
  });
  Seen seen;
  auto client = MakeClient(broker.port(), seen);
  ASSERT_TRUE(client->Start().ok());
  ASSERT_TRUE(seen.WaitFor([&] { return !seen.messages.empty(); }));
  EXPECT_EQ(seen.oversized, std::vector<std::string>{"t/big:5009"});
  EXPECT_EQ(seen.messages, std::vector<std::string>{"t/small=ok"});
  EXPECT_TRUE(acked);
  EXPECT_EQ(client->reconnects(), 0u);
  client->Stop();
}

TEST(MqttClientTest, KeepaliveSendsPingreqAndAMissingPingrespReconnects) {
  std::atomic<int> pings{0};
  ScriptedBroker broker([&](Poco::Net::StreamSocket& s, int n) {
    ReadPacket(s);
    Send(s, kConnackOk);
    ReadPacket(s);
    Send(s, kSubackOk);
    Packet p = ReadPacket(s);
    if (p.type == 12) ++pings;
    if (n > 0) {
      Send(s, std::string("\xd0\x00", 2));  // PINGRESP
      ReadPacket(s);
    } else {
      ReadPacket(s);  // no answer: the client gives up after keepalive
    }
  });
  Seen seen;
  BrokerConfig c = Config(broker.port());
  c.keepalive_ns = kNanosPerSecond;
  auto client = MakeClient(c, seen);
  ASSERT_TRUE(client->Start().ok());
  EXPECT_TRUE(seen.WaitFor([&] { return AnyLog(seen, "no PINGRESP within keepalive 1s"); }));
  EXPECT_TRUE(seen.WaitFor([&] { return client->reconnects() >= 1; }));
  EXPECT_GE(pings.load(), 1);
  client->Stop();
}

TEST(MqttClientTest, RefusedConnectionIsRetriedWithBackoffAndNamed) {
  ScriptedBroker broker([&](Poco::Net::StreamSocket& s, int) {
    ReadPacket(s);
    Send(s, std::string("\x20\x02\x00\x04", 4));  // bad user name or password
    ReadPacket(s);
  });
  Seen seen;
  auto client = MakeClient(broker.port(), seen);
  ASSERT_TRUE(client->Start().ok());
  EXPECT_TRUE(seen.WaitFor([&] { return broker.connections >= 3; }));
  client->Stop();
  EXPECT_TRUE(AnyLog(seen,
                     "the broker refused the connection: bad user name or password "
                     "(CONNACK code 4); retrying in 50ms"));
  EXPECT_TRUE(AnyLog(seen, "retrying in 100ms"));
  EXPECT_FALSE(client->connected());
  EXPECT_GE(client->connect_failures(), 2u);
}

TEST(MqttClientTest, StopInterruptsTheBackoffAndAConnectAttempt) {
  Seen seen;
  BrokerConfig c = Config(1);  // nothing listens on port 1
  c.retry_interval_ns = 3600 * kNanosPerSecond;
  c.retry_max_interval_ns = c.retry_interval_ns;
  auto client = MakeClient(c, seen);
  ASSERT_TRUE(client->Start().ok());
  ASSERT_TRUE(seen.WaitFor([&] { return AnyLog(seen, "cannot connect"); }));
  auto start = std::chrono::steady_clock::now();
  client->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace nanotdb::mqtt
