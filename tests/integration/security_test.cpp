// Hardening of the daemon's HTTP front (issue 9, docs/security.md), driven over real sockets:
// what one request may cost, slow and idle clients, HTTP framing.
#include <Poco/DeflatingStream.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon.h"

namespace nanotdb::itest {
namespace {

using Clock = std::chrono::steady_clock;

std::string Gzip(const std::string& text) {
  std::ostringstream out;
  Poco::DeflatingOutputStream gz(out, Poco::DeflatingStreamBuf::STREAM_GZIP);
  gz << text;
  gz.close();
  return out.str();
}

// The daemon's peak resident set (VmHWM) in bytes.
uint64_t PeakRss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// One raw TCP connection to the daemon from a chosen loopback address (all of 127/8 is
// loopback on Linux, so 127.0.0.2 is "another client").
class Conn {
 public:
  Conn(int port, const char* source = "127.0.0.1") {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, source, &local.sin_addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Conn() {
    if (fd_ >= 0) close(fd_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }
  // Reads until the peer closes or `timeout` passes; *closed says which.
  std::string ReadAll(std::chrono::milliseconds timeout, bool* closed = nullptr) {
    std::string out;
    auto deadline = Clock::now() + timeout;
    if (closed != nullptr) *closed = false;
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (poll(&p, 1, std::max(left, 1)) <= 0) break;
      char buf[65536];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed != nullptr) *closed = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // Reads until `count` responses' status lines arrived (or the timeout).
  std::string ReadUntil(const std::string& needle, int count, std::chrono::milliseconds timeout) {
    std::string out;
    auto deadline = Clock::now() + timeout;
    auto occurrences = [&] {
      int n = 0;
      for (size_t p = out.find(needle); p != std::string::npos; p = out.find(needle, p + 1)) ++n;
      return n;
    };
    while (Clock::now() < deadline && occurrences() < count) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buf[65536];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class SecurityTest : public ::testing::Test {
 protected:
  Daemon d_;
};

TEST_F(SecurityTest, GzipFormBombToHealthStaysSmall) {
  // 60 MB of "a&" compress to ~60 KB; as form parameters they once took 2.4 GB.
  std::string form;
  form.reserve(60u << 20);
  while (form.size() < (60u << 20)) form += "a&";
  std::string body = Gzip(form);
  form.clear();
  form.shrink_to_fit();
  ASSERT_LT(body.size(), 200u << 10);
  ASSERT_TRUE(d_.Start());
  HttpResult r =
      d_.Post("/health", body, "application/x-www-form-urlencoded", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("more than 1000 query and form parameters (raise [http] max_params"),
            std::string::npos)
      << r.body;
  EXPECT_LT(PeakRss(d_.pid()), 300u << 20);
  EXPECT_EQ(d_.Get("/health").status, 200);
}

TEST_F(SecurityTest, IdleConnectionsFromOneAddressDoNotBlockOthers) {
  d_.Configure("http", "max_threads", "8");
  d_.Configure("http", "max_connections_per_address", "4");
  d_.Configure("http", "header_timeout", "\"1s\"");
  ASSERT_TRUE(d_.Start());
  // 16 idle connections from 127.0.0.2: four hold a worker for at most header_timeout, the
  // rest are refused at once with 503 naming the key.
  std::vector<std::unique_ptr<Conn>> idle;
  for (int i = 0; i < 16; ++i) {
    idle.push_back(std::make_unique<Conn>(d_.port(), "127.0.0.2"));
    ASSERT_TRUE(idle.back()->connected());
  }
  std::string refused = idle.back()->ReadAll(std::chrono::milliseconds(2000));
  EXPECT_NE(refused.find("HTTP/1.1 503 Service Unavailable"), std::string::npos) << refused;
  EXPECT_NE(refused.find("max_connections_per_address = 4"), std::string::npos) << refused;
  auto start = Clock::now();
  HttpResult r = d_.Get("/health");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
  // An idle first connection is closed after header_timeout, not read_timeout (2 minutes).
  bool closed = false;
  idle.front()->ReadAll(std::chrono::milliseconds(3000), &closed);
  EXPECT_TRUE(closed);
}

// A client trickling its header one line at a time, each within header_timeout, is cut off at
// header_deadline; a keep-alive client asking often is not (the deadline restarts per request).
TEST_F(SecurityTest, TrickledHeadersAreCutOffAtTheHeaderDeadline) {
  d_.Configure("http", "header_timeout", "\"1s\"");
  d_.Configure("http", "header_deadline", "\"2s\"");
  d_.Configure("http", "idle_timeout", "\"1s\"");
  ASSERT_TRUE(d_.Start());
  Conn slow(d_.port());
  ASSERT_TRUE(slow.connected());
  auto start = Clock::now();
  slow.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  bool closed = false;
  for (int i = 0; i < 16 && !closed; ++i) {
    slow.Send("X-Slow-" + std::to_string(i) + ": 1\r\n");
    slow.ReadAll(std::chrono::milliseconds(400), &closed);
  }
  const auto took = Clock::now() - start;
  EXPECT_TRUE(closed) << "a trickled header held its connection for 6 s";
  EXPECT_GE(took, std::chrono::milliseconds(1800));
  EXPECT_LT(took, std::chrono::milliseconds(3500));

  Conn steady(d_.port());
  ASSERT_TRUE(steady.connected());
  for (int i = 0; i < 10; ++i) {
    steady.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string answer = steady.ReadUntil("HTTP/1.1 200", 1, std::chrono::milliseconds(2000));
    ASSERT_NE(answer.find("HTTP/1.1 200 OK"), std::string::npos)
        << "request " << i << ": " << answer;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

TEST_F(SecurityTest, StatusLinesCarryTheirReasonPhrase) {
  ASSERT_TRUE(d_.Start());
  Conn c(d_.port());
  c.Send("GET /api/v1/nothing HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::string answer = c.ReadUntil("\r\n\r\n", 1, std::chrono::seconds(5));
  EXPECT_EQ(answer.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << answer;
  Conn m(d_.port());
  m.Send("DELETE /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
  answer = m.ReadUntil("\r\n\r\n", 1, std::chrono::seconds(5));
  EXPECT_EQ(answer.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << answer;
}

TEST_F(SecurityTest, AmbiguousFramingIsRefusedAndTheConnectionClosed) {
  ASSERT_TRUE(d_.Start());
  const std::string smuggled = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
  struct Case {
    std::string headers;
    std::string status_line;
    std::string message;
  };
  std::vector<Case> cases = {
      {"Content-Length: 5\r\nContent-Length: 44\r\n", "HTTP/1.1 400 Bad Request",
       "more than one Content-Length"},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "HTTP/1.1 400 Bad Request",
       "both Content-Length and Transfer-Encoding"},
      {"Transfer-Encoding: gzip, chunked\r\n", "HTTP/1.1 501 Not Implemented",
       "unsupported Transfer-Encoding"},
  };
  for (const Case& k : cases) {
    Conn c(d_.port());
    c.Send("POST /health HTTP/1.1\r\nHost: localhost\r\n" + k.headers + "\r\nhello" + smuggled);
    bool closed = false;
    std::string answer = c.ReadAll(std::chrono::seconds(5), &closed);
    EXPECT_EQ(answer.rfind(k.status_line, 0), 0u) << k.headers << answer;
    EXPECT_NE(answer.find(k.message), std::string::npos) << answer;
    EXPECT_TRUE(closed) << k.headers;
    // Exactly one answer: the smuggled request was never served.
    EXPECT_EQ(answer.find("HTTP/1.1", 1), std::string::npos) << answer;
  }
}

TEST_F(SecurityTest, MalformedRequestsGet400) {
  ASSERT_TRUE(d_.Start());
  std::string many_headers = "GET /health HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; i < 200; ++i) many_headers += "X-H" + std::to_string(i) + ": v\r\n";
  Conn version(d_.port());
  version.Send("GET /health HTTP/9.x\r\n\r\n");
  std::string unsupported = version.ReadAll(std::chrono::seconds(5));
  EXPECT_EQ(unsupported.rfind("HTTP/1.1 505 HTTP Version Not Supported\r\n", 0), 0u) << unsupported;
  for (const std::string& request :
       {std::string("GET health HTTP/1.1\r\n\r\n"), std::string("\x01\x02\x03 / HTTP/1.1\r\n\r\n"),
        many_headers + "\r\n",
        "GET /health HTTP/1.1\r\nX-Long: " + std::string(20000, 'v') + "\r\n\r\n"}) {
    Conn c(d_.port());
    c.Send(request);
    bool closed = false;
    std::string answer = c.ReadAll(std::chrono::seconds(5), &closed);
    EXPECT_EQ(answer.rfind("HTTP/1.", 0), 0u) << request.substr(0, 40) << ": " << answer;
    EXPECT_NE(answer.find(" 400 "), std::string::npos) << request.substr(0, 40) << ": " << answer;
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(d_.Get("/health").status, 200);
}

TEST_F(SecurityTest, EarlyAnswerToAPostWithABodyKeepsTheConnectionUsable) {
  ASSERT_TRUE(d_.Start());
  Conn c(d_.port());
  std::string body(3000, 'x');
  c.Send("POST /no/such/page HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body +
         "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::string answer = c.ReadUntil("HTTP/1.1 ", 2, std::chrono::seconds(5));
  EXPECT_EQ(answer.rfind("HTTP/1.1 404 Not Found", 0), 0u) << answer;
  EXPECT_NE(answer.find("HTTP/1.1 200 OK"), std::string::npos) << answer;
  EXPECT_NE(answer.find("{\"status\":\"ok\"}"), std::string::npos) << answer;
}

TEST_F(SecurityTest, ControlCharactersInPathsDoNotForgeLogLines) {
  {
    std::ifstream in(d_.config_path());
    std::stringstream text;
    text << in.rdbuf();
    std::string toml = text.str();
    size_t at = toml.find("level = \"info\"");
    ASSERT_NE(at, std::string::npos);
    toml.replace(at, 14, "level = \"trace\"");
    std::ofstream(d_.config_path(), std::ios::trunc) << toml;
  }
  ASSERT_TRUE(d_.Start());
  EXPECT_EQ(d_.Get("/x%0aERROR%20forged%20line%1b[31m").status, 404);
  EXPECT_TRUE(d_.Stop());
  std::string log = d_.Log();
  EXPECT_EQ(log.find("\nERROR forged line"), std::string::npos) << log;
  EXPECT_NE(log.find("http GET /x\\x0aERROR forged line\\x1b[31m 404"), std::string::npos) << log;
}

// Whether `text` is well-formed UTF-8 (RFC 3629); *at is the first bad byte otherwise.
bool IsUtf8(const std::string& text, size_t* at) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80                 ? 1
                 : c >= 0xc2 && c <= 0xdf ? 2
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    }
    if (ok && len > 1) {
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 > 0x9f) && !(c == 0xf0 && c1 < 0x90) &&
           !(c == 0xf4 && c1 > 0x8f);
    }
    if (!ok) {
      *at = i;
      return false;
    }
    i += len;
  }
  return true;
}

// Refusals quote what was sent (a metric name, a label, a JSON key, a regex); whatever bytes
// those were, every answer is valid UTF-8 and says what was wrong.
TEST_F(SecurityTest, ErrorAnswersAreValidUtf8WhateverTheRequestCarried) {
  ASSERT_TRUE(d_.Start());
  struct Case {
    HttpResult answer;
    std::string what;
    bool quoted = true;  // the answer quotes the bad bytes (as U+FFFD)
  };
  std::vector<Case> cases = {
      {d_.Post("/api/v1/import", "demo/x\xff\xfe 1\n"), "valid UTF-8"},
      {d_.Post("/write?db=demo", "cpu,host=\xff v=1\n"), "valid UTF-8"},
      {d_.Post("/api/v2/write?bucket=demo", "cpu,host=\xc0\xaf v=1\n"), "valid UTF-8"},
      {d_.Post("/api/v1/import/prometheus", "metric\xff{a=\"b\"} 1\n"), "unexpected character"},
      {d_.Get("/api/v1/query", {{"query", "up{x=~\"\xff(\"}"}}), "invalid regular expression"},
      // JSON must be UTF-8 (RFC 8259): refused before any name is taken from it.
      {d_.Post("/api/v1/events?db=demo", "{\"name\":\"n\xfe\"}", "application/json"),
       "offset 10: bad UTF-8 in a string", false},
  };
  for (const Case& c : cases) {
    size_t at = 0;
    EXPECT_GE(c.answer.status, 400) << c.answer.body;
    EXPECT_TRUE(IsUtf8(c.answer.body, &at)) << "byte " << at << " of " << c.answer.body;
    EXPECT_NE(c.answer.body.find(c.what), std::string::npos) << c.answer.body;
    if (c.quoted) {
      EXPECT_NE(c.answer.body.find("\xef\xbf\xbd"), std::string::npos) << c.answer.body;
    }
  }
}

TEST_F(SecurityTest, WritesFromForeignPagesAndRebindingNamesAreRefused) {
  ASSERT_TRUE(d_.Start());
  HttpResult csrf =
      d_.Post("/api/v1/import", "demo/x 1", "text/plain", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(csrf.status, 403) << csrf.body;
  EXPECT_NE(csrf.body.find("[http] allowed_hosts"), std::string::npos) << csrf.body;
  HttpResult rebinding =
      d_.Post("/api/v1/import", "demo/x 1", "text/plain", {{"Host", "rebind.example:8428"}});
  EXPECT_EQ(rebinding.status, 403) << rebinding.body;
  HttpResult same_origin = d_.Post("/api/v1/import", "demo/x 1", "text/plain",
                                   {{"Origin", "http://127.0.0.1:" + std::to_string(d_.port())}});
  EXPECT_EQ(same_origin.status, 200) << same_origin.body;
  EXPECT_TRUE(d_.Stop());
  d_.Configure("http", "allowed_hosts", "[\"rebind.example\"]");
  ASSERT_TRUE(d_.Start());
  EXPECT_EQ(
      d_.Post("/api/v1/import", "demo/x 2", "text/plain", {{"Host", "rebind.example"}}).status,
      200);
}

TEST_F(SecurityTest, InternalDatabaseIsReservedAndDatabaseCountIsCapped) {
  d_.Configure("storage", "max_databases", "3");
  ASSERT_TRUE(d_.Start());
  HttpResult internal = d_.Post("/api/v1/import", "internal/forged 1\ndemo/ok 1");
  EXPECT_EQ(internal.status, 400) << internal.body;
  EXPECT_NE(internal.body.find("database \\\"internal\\\" is reserved"), std::string::npos)
      << internal.body;
  EXPECT_NE(internal.body.find("\"imported\":1"), std::string::npos) << internal.body;
  HttpResult many = d_.Post("/api/v1/import", "d1/x 1\nd2/x 1\nd3/x 1\nd1/y 2\nd4/x 1");
  EXPECT_EQ(many.status, 400) << many.body;
  // demo exists, d1 and d2 make three; d3 and d4 are refused, d1/y is stored.
  EXPECT_NE(many.body.find("\"imported\":3"), std::string::npos) << many.body;
  EXPECT_NE(many.body.find("the limit of 3 databases is reached (raise [storage] max_databases"),
            std::string::npos)
      << many.body;
  EXPECT_FALSE(std::filesystem::exists(d_.root() + "/d3"));
  EXPECT_TRUE(d_.Stop());
  ASSERT_TRUE(d_.Start());
  EXPECT_EQ(d_.Post("/api/v1/import", "d2/x 2").status, 200);
}

TEST_F(SecurityTest, IngestBelowTheFreeSpaceFloorGets507AndResumesWhenSpaceReturns) {
  struct statvfs fs {};
  ASSERT_EQ(statvfs(d_.root().c_str(), &fs), 0);
  uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free < (8ull << 30)) GTEST_SKIP() << "needs 8 GiB free, has " << free;
  // The floor sits 1 GiB under today's free space, so other processes writing meanwhile (a
  // parallel build) do not cross it; a 3 GiB preallocated file crosses it even when they free
  // some space. The daemon samples free space on a timer,
  // so each side is polled (up to 20 s) instead of slept for.
  uint64_t floor = free - (1ull << 30);
  d_.Configure("storage", "min_free_bytes", std::to_string(floor));
  ASSERT_TRUE(d_.Start());
  ASSERT_EQ(d_.Post("/api/v1/import", "demo/x 1").status, 200);
  std::string filler = d_.root() + "/filler";
  int fd = open(filler.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(posix_fallocate(fd, 0, static_cast<off_t>(3ull << 30)), 0);
  close(fd);
  auto post_until = [&](int want, int value) {
    HttpResult r;
    for (int i = 0; i < 200; ++i, ++value) {
      r = d_.Post("/api/v1/import", "demo/x " + std::to_string(value));
      if (r.status == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return r;
  };
  HttpResult full = post_until(507, 1000);
  EXPECT_EQ(full.status, 507) << full.body;
  EXPECT_NE(full.body.find("below [storage] min_free_bytes"), std::string::npos) << full.body;
  EXPECT_EQ(d_.Get("/api/v1/query", {{"query", "demo/x"}}).status, 200);  // reads go on
  std::filesystem::remove(filler);
  EXPECT_EQ(post_until(200, 2000).status, 200);
}

TEST_F(SecurityTest, TlsWithASelfSignedCertificateServesHttpsOnly) {
  auto [rc, out] = RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                               "-days", "1", "-subj", "/CN=localhost", "-keyout",
                               d_.root() + "/key.pem", "-out", d_.root() + "/cert.pem"});
  ASSERT_EQ(rc, 0) << out;
  d_.Configure("http", "tls_cert", "\"cert.pem\"");  // relative to the data root
  d_.Configure("http", "tls_key", "\"key.pem\"");
  d_.UseTls();
  ASSERT_TRUE(d_.Start());
  HttpResult health = d_.Get("/health");
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(d_.Post("/api/v1/import", "demo/tls 1").status, 200);
  // Plain HTTP to the TLS port gets no HTTP answer.
  Conn plain(d_.port());
  plain.Send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::string answer = plain.ReadAll(std::chrono::seconds(3));
  EXPECT_EQ(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
}

// utime + stime of a process, in clock ticks.
uint64_t CpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string f;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return utime + stime;
}

TEST_F(SecurityTest, OutOfDescriptorsTheDaemonWarnsDoesNotSpinAndRecovers) {
  if (!std::filesystem::exists("/usr/bin/prlimit")) GTEST_SKIP() << "no /usr/bin/prlimit";
  d_.LimitOpenFiles(96);
  d_.Configure("http", "max_threads", "200");
  d_.Configure("http", "max_connections_per_address", "1000");
  d_.Configure("http", "header_timeout", "\"20s\"");
  ASSERT_TRUE(d_.Start());
  std::vector<std::unique_ptr<Conn>> idle;
  for (int i = 0; i < 150; ++i) idle.push_back(std::make_unique<Conn>(d_.port(), "127.0.0.2"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  uint64_t before = CpuTicks(d_.pid());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  // Spinning on a pending connection would burn ~100 ticks per second.
  EXPECT_LT(CpuTicks(d_.pid()) - before, 30u);
  idle.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(d_.Get("/health").status, 200);
  EXPECT_NE(d_.Log().find("out of file descriptors"), std::string::npos) << d_.Log();
}

}  // namespace
}  // namespace nanotdb::itest
