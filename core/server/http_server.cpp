#include "server/http_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <istream>
#include <map>
#include <mutex>
#include <thread>

namespace nanotdb::server {
namespace {

constexpr size_t kDrainBytes = 64 * 1024;

// When each connection waiting for a request header must have received it: from the start of
// the connection, and again from each answer sent on it. The acceptor sweeps it a few times a
// second and shuts down connections past their deadline, so a client trickling one header
// byte per header_timeout cannot hold a worker for long. Thread-safe.
class HeaderDeadlines {
 public:
  using Clock = std::chrono::steady_clock;
  explicit HeaderDeadlines(int64_t deadline_ns)
      : deadline_(std::chrono::nanoseconds(deadline_ns)) {}

  // The connection on `fd` starts waiting for a header now.
  void Await(int fd) {
    std::lock_guard lock(mu_);
    waiting_[fd] = Clock::now() + deadline_;
  }
  // The header on `fd` arrived (the request is being served) or the connection ends.
  void Done(int fd) {
    std::lock_guard lock(mu_);
    waiting_.erase(fd);
  }
  // Shuts down every connection past its deadline; returns how many. The descriptor is still
  // open here: a connection calls Done before its socket is closed.
  int Sweep() {
    const auto now = Clock::now();
    int cut = 0;
    std::lock_guard lock(mu_);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (it->second <= now) {
        ::shutdown(it->first, SHUT_RDWR);
        it = waiting_.erase(it);
        ++cut;
      } else {
        ++it;
      }
    }
    return cut;
  }

 private:
  const Clock::duration deadline_;
  std::mutex mu_;
  std::map<int, Clock::time_point> waiting_;  // guarded by mu_
};

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(Dispatcher& dispatcher, const EngineConfig& config, HeaderDeadlines& deadlines)
      : dispatcher_(dispatcher),
        deadlines_(deadlines),
        limits_(config.limits),
        header_timeout_us_(config.header_timeout / 1000),
        read_timeout_us_(config.read_timeout / 1000) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&in);
    const int fd = impl != nullptr ? impl->socket().impl()->sockfd() : -1;
    if (fd >= 0) deadlines_.Done(fd);  // the header is in
    try {
      Serve(in, out);
    } catch (const Poco::Exception&) {
      // The client went away mid-request or mid-response; nothing left to tell it.
    } catch (const std::exception&) {
    }
    if (fd >= 0) deadlines_.Await(fd);  // the next request's header, on keep-alive
  }

 private:
  void Serve(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
    HttpRequest request;
    request.method = in.getMethod();
    std::string uri = in.getURI();
    size_t question = uri.find('?');
    std::string raw_path = uri.substr(0, question);
    try {
      Poco::URI::decode(raw_path, request.path);
    } catch (const Poco::Exception&) {
      request.path = raw_path;
    }
    if (question != std::string::npos) {
      // One past the limit so the dispatcher sees the excess and answers 400.
      ParseUrlEncoded(std::string_view(uri).substr(question + 1), &request.params,
                      limits_.max_params + 1);
    }
    for (const auto& [name, value] : in) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      auto [it, inserted] = request.headers.try_emplace(lower, value);
      if (!inserted) it->second += ", " + value;
    }
    request.remote_addr = in.clientAddress().toString();

    // Ambiguous framing is how requests are smuggled past proxies (RFC 9112 §6.3): refused,
    // and the connection closed because where this request ends is unknown.
    std::string problem = RequestLineProblem(in);
    if (problem.empty()) problem = FramingProblem(in);
    if (!problem.empty()) {
      int status = problem.rfind("unsupported Transfer", 0) == 0 ? 501
                   : problem.rfind("unsupported HTTP", 0) == 0   ? 505
                                                                 : 400;
      out.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
      HttpResponse refusal;
      refusal.status = status;
      refusal.body = ErrorEnvelope("bad_data", problem);
      out.setKeepAlive(false);
      Send(refusal, out);
      return;
    }

    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&in);
    Poco::Net::StreamSocket* socket = impl != nullptr ? &impl->socket() : nullptr;
    bool close_after = false;
    bool body_read = false;  // the body was read to its end (or there is none)
    BodyReader read_body = [&](uint64_t limit, const BodyChunkFn& on_chunk,
                               bool* too_large) -> Status {
      *too_large = false;
      // Without Content-Length or chunking a request has no body (RFC 9112 §6.3); reading
      // would wait for the client to close the connection.
      body_read = true;
      if (!in.hasContentLength() && !in.getChunkedTransferEncoding()) return Status::Ok();
      body_read = false;
      if (in.hasContentLength() && in.getContentLength64() > static_cast<int64_t>(limit)) {
        *too_large = true;
        close_after = true;  // the unread body would be taken for the next request
        return Status::Ok();
      }
      // The header arrived under the short header timeout; the body may take read_timeout.
      if (socket != nullptr) socket->setReceiveTimeout(Poco::Timespan(read_timeout_us_));
      std::istream& stream = in.stream();
      char buffer[64 * 1024];
      uint64_t total = 0;
      while (stream) {
        stream.read(buffer, sizeof(buffer));
        std::streamsize n = stream.gcount();
        if (n <= 0) break;
        total += static_cast<uint64_t>(n);
        if (total > limit) {
          *too_large = true;
          close_after = true;
          return Status::Ok();
        }
        if (!on_chunk(std::string_view(buffer, static_cast<size_t>(n)))) {
          close_after = true;
          return Status::Ok();
        }
      }
      if (stream.bad()) return Status::IOError("connection failed while reading the body");
      body_read = true;
      return Status::Ok();
    };

    HttpResponse response;
    dispatcher_.Dispatch(request, read_body, &response);
    // The next request on this connection gets the header timeout again.
    if (socket != nullptr) socket->setReceiveTimeout(Poco::Timespan(header_timeout_us_));
    // Answered without reading the body (404, 405, 401, ...): a small body is drained so the
    // connection stays usable; the rest of a large one would be taken for the next request.
    if (!body_read && !close_after && !Drain(in)) close_after = true;
    if (close_after) out.setKeepAlive(false);
    Send(response, out);
  }

  static void Send(const HttpResponse& response, Poco::Net::HTTPServerResponse& out) {
    // setStatusAndReason: setStatus alone leaves the reason phrase at "OK".
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    out.setContentType(response.content_type);
    for (const auto& [name, value] : response.headers) out.add(name, value);
    out.sendBuffer(response.body.data(), response.body.size());
  }

  // Reads and drops at most kDrainBytes of an unread body; true when it ended.
  static bool Drain(Poco::Net::HTTPServerRequest& in) {
    if (!in.hasContentLength() && !in.getChunkedTransferEncoding()) return true;
    if (in.hasContentLength() && in.getContentLength64() > static_cast<int64_t>(kDrainBytes)) {
      return false;
    }
    std::istream& stream = in.stream();
    char buffer[4096];
    size_t total = 0;
    while (stream && total <= kDrainBytes) {
      stream.read(buffer, sizeof(buffer));
      std::streamsize n = stream.gcount();
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
    return total <= kDrainBytes && stream.eof() && !stream.bad();
  }

  // What Poco's parser lets through but RFC 9112 does not: a method that is not a token, a
  // target that is neither a path nor absolute, a version other than 1.0 and 1.1.
  static std::string RequestLineProblem(const Poco::Net::HTTPServerRequest& in) {
    const std::string& method = in.getMethod();
    static constexpr std::string_view kTokenPunct = "!#$%&'*+-.^_`|~";
    bool token = !method.empty();
    for (unsigned char c : method) {
      if (!std::isalnum(c) && kTokenPunct.find(static_cast<char>(c)) == std::string_view::npos) {
        token = false;
      }
    }
    if (!token) return "malformed request line: the method is not a token";
    const std::string& target = in.getURI();
    bool ok_target =
        !target.empty() && (target.front() == '/' || target == "*" ||
                            target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0);
    for (unsigned char c : target) {
      if (c <= 0x20 || c == 0x7f) ok_target = false;
    }
    if (!ok_target) return "malformed request line: bad request target";
    const std::string& version = in.getVersion();
    if (version != Poco::Net::HTTPMessage::HTTP_1_0 &&
        version != Poco::Net::HTTPMessage::HTTP_1_1) {
      return "unsupported HTTP version (HTTP/1.0 and HTTP/1.1 are served)";
    }
    return "";
  }

  // Why the request's framing cannot be trusted; "" when it can.
  static std::string FramingProblem(const Poco::Net::HTTPServerRequest& in) {
    int lengths = 0;
    int codings = 0;
    std::string coding;
    for (const auto& [name, value] : in) {
      if (Poco::icompare(name, "Content-Length") == 0) ++lengths;
      if (Poco::icompare(name, "Transfer-Encoding") == 0) {
        ++codings;
        coding = value;
      }
    }
    if (lengths > 1) return "request has more than one Content-Length header";
    if (codings > 1) return "request has more than one Transfer-Encoding header";
    if (codings == 1 && lengths == 1) {
      return "request has both Content-Length and Transfer-Encoding; send one of them";
    }
    if (codings == 1 && Poco::icompare(coding, "chunked") != 0) {
      return "unsupported Transfer-Encoding \"" + coding + "\" (send chunked or Content-Length)";
    }
    if (lengths == 1 && !in.hasContentLength()) return "invalid Content-Length header";
    if (lengths == 1) {
      const std::string& text = in.get("Content-Length");
      if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
        return "invalid Content-Length \"" + text + "\"";
      }
    }
    return "";
  }

  Dispatcher& dispatcher_;
  HeaderDeadlines& deadlines_;
  const RequestLimits& limits_;
  int64_t header_timeout_us_;
  int64_t read_timeout_us_;
};

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HandlerFactory(Dispatcher& dispatcher, const EngineConfig& config, HeaderDeadlines& deadlines)
      : dispatcher_(dispatcher), config_(config), deadlines_(deadlines) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(dispatcher_, config_, deadlines_);
  }
  // Shuts every open connection down (the event HTTPServerConnection listens to).
  void AbortConnections() { serverStopped(this, true); }

 private:
  Dispatcher& dispatcher_;
  const EngineConfig& config_;
  HeaderDeadlines& deadlines_;
};

// Counts open connections per client address; the acceptor refuses one past the cap.
// Thread-safe.
class AddressCounter {
 public:
  explicit AddressCounter(int cap) : cap_(cap) {}
  bool TryAdd(const std::string& host) {
    std::lock_guard lock(mu_);
    int& n = open_[host];
    if (n >= cap_) return false;
    ++n;
    return true;
  }
  void Remove(const std::string& host) {
    std::lock_guard lock(mu_);
    auto it = open_.find(host);
    if (it != open_.end() && --it->second <= 0) open_.erase(it);
  }

 private:
  const int cap_;
  std::mutex mu_;
  std::map<std::string, int> open_;  // guarded by mu_
};

// One accepted connection: Poco's HTTP session loop, with the address slot the acceptor took
// given back when it ends.
class CountedConnection final : public Poco::Net::TCPServerConnection {
 public:
  CountedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr factory, AddressCounter& counter,
                    HeaderDeadlines& deadlines)
      : TCPServerConnection(socket),
        params_(std::move(params)),
        factory_(std::move(factory)),
        counter_(counter),
        deadlines_(deadlines) {
    try {
      host_ = socket.peerAddress().host().toString();
    } catch (const Poco::Exception&) {
    }
  }
  ~CountedConnection() override { counter_.Remove(host_); }

  void run() override {
    const int fd = socket().impl()->sockfd();
    deadlines_.Await(fd);
    try {
      Poco::Net::HTTPServerConnection http(socket(), params_, factory_);
      http.run();
    } catch (...) {
      deadlines_.Done(fd);
      throw;
    }
    deadlines_.Done(fd);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  AddressCounter& counter_;
  HeaderDeadlines& deadlines_;
  std::string host_;
};

class ConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr factory, AddressCounter& counter,
                    HeaderDeadlines& deadlines)
      : params_(std::move(params)),
        factory_(std::move(factory)),
        counter_(counter),
        deadlines_(deadlines) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new CountedConnection(socket, params_, factory_, counter_, deadlines_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  AddressCounter& counter_;
  HeaderDeadlines& deadlines_;
};

// Written straight to a socket the server will not serve; short enough for one send.
std::string RefusalResponse(const std::string& message) {
  std::string body = ErrorEnvelope("unavailable", message);
  std::string out =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "Retry-After: 5\r\nConnection: close\r\nContent-Length: ";
  out.append(std::to_string(body.size())).append("\r\n\r\n").append(body);
  return out;
}

void SendAndClose(int fd, const std::string& bytes) {
  // Best effort and never blocking: the client is told why, or simply sees the close. What
  // the client already sent is read first: closing with unread input sends a reset, which
  // can destroy the answer before the client reads it.
  char sink[8192];
  ::recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
  ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_RDWR);
}

}  // namespace

struct HttpServer::Acceptor {
  std::unique_ptr<Poco::Net::ServerSocket> listener;  // a SecureServerSocket with TLS
  bool tls = false;
  Poco::Net::HTTPServerParams::Ptr params;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory;
  HandlerFactory* handlers = nullptr;  // what `factory` points to
  std::unique_ptr<AddressCounter> counter;
  std::unique_ptr<HeaderDeadlines> deadlines;
  Poco::Net::TCPServerDispatcher* dispatcher = nullptr;  // reference-counted by Poco
  std::thread thread;
  std::atomic<bool> stop{false};
  int per_address_cap = 0;
  int reserve_fd = -1;  // spent to accept-and-refuse when the process is out of descriptors
  LogFn log;
  std::chrono::steady_clock::time_point last_fd_warning{};

  ~Acceptor() {
    if (dispatcher != nullptr) dispatcher->release();
    if (reserve_fd >= 0) ::close(reserve_fd);
  }

  void Run(bool tls) {
    while (!stop.load(std::memory_order_acquire)) {
      // poll(2) on the listening descriptor: Poco's poll needs an epoll descriptor of its own,
      // which is exactly what is missing when the process is out of them.
      pollfd ready{listener->impl()->sockfd(), POLLIN, 0};
      const int polled = ::poll(&ready, 1, 200);
      deadlines->Sweep();
      if (polled <= 0) continue;
      Poco::Net::StreamSocket client;
      try {
        client = listener->acceptConnection();
      } catch (const Poco::Exception& e) {
        int saved_errno = errno;
        int code = e.code() != 0 ? e.code() : saved_errno;
        if (code == EMFILE || code == ENFILE) {
          OutOfDescriptors(tls);
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        continue;
      }
      std::string host;
      try {
        host = client.peerAddress().host().toString();
        client.setNoDelay(true);
      } catch (const Poco::Exception&) {
        continue;  // the client is already gone
      }
      if (!counter->TryAdd(host)) {
        if (!tls) {
          SendAndClose(client.impl()->sockfd(),
                       RefusalResponse("too many connections from " + host +
                                       " (at most [http] max_connections_per_address = " +
                                       std::to_string(per_address_cap) + ")"));
        }
        continue;
      }
      int refused_before = dispatcher->refusedConnections();
      dispatcher->enqueue(client);
      // A full queue drops the connection without creating it; its slot is given back here.
      if (dispatcher->refusedConnections() != refused_before) counter->Remove(host);
    }
  }

  // The process hit its descriptor limit: a pending connection would make poll() report
  // readiness forever. The reserve descriptor is spent to accept it, tell it why and close
  // it, so the listener keeps answering and the CPU does not spin.
  void OutOfDescriptors(bool tls) {
    if (reserve_fd >= 0) {
      ::close(reserve_fd);
      reserve_fd = -1;
    }
    int fd = ::accept(listener->impl()->sockfd(), nullptr, nullptr);
    if (fd >= 0) {
      if (!tls) {
        SendAndClose(fd, RefusalResponse("the server is out of file descriptors; retry later"));
      }
      ::close(fd);
    }
    reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    auto now = std::chrono::steady_clock::now();
    if (log && now - last_fd_warning > std::chrono::seconds(10)) {
      last_fd_warning = now;
      log(LogLevel::kWarning,
          "out of file descriptors: refusing new HTTP connections (raise the open-files limit, "
          "ulimit -n, or lower [storage] max_databases / [http] max_threads)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
};

HttpServer::HttpServer(Dispatcher& dispatcher, const EngineConfig& config, LogFn log)
    : dispatcher_(dispatcher), config_(config), log_(std::move(log)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  try {
    auto acceptor = std::make_unique<Acceptor>();
    std::string host = config_.listen_host.empty() ? "0.0.0.0" : config_.listen_host;
    Poco::Net::SocketAddress address(host, config_.listen_port);
    // SO_REUSEADDR so a restart does not wait for TIME_WAIT; never SO_REUSEPORT, which would
    // let a second nanotdb share the port silently.
    if (!config_.tls_cert.empty()) {
      Poco::Net::initializeSSL();
      Poco::Net::Context::Ptr context =
          new Poco::Net::Context(Poco::Net::Context::SERVER_USE, config_.tls_key, config_.tls_cert,
                                 "", Poco::Net::Context::VERIFY_NONE);
      context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                Poco::Net::Context::PROTO_TLSV1 |
                                Poco::Net::Context::PROTO_TLSV1_1);
      acceptor->listener = std::make_unique<Poco::Net::SecureServerSocket>(context);
      acceptor->tls = true;
    } else {
      acceptor->listener = std::make_unique<Poco::Net::ServerSocket>();
    }
    acceptor->listener->bind(address, true, false);
    acceptor->listener->listen(128);
    port_ = acceptor->listener->address().port();

    Poco::Net::HTTPServerParams::Ptr params(new Poco::Net::HTTPServerParams());
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(config_.idle_timeout / 1000));
    // The session timeout bounds every wait for a request header, the first one included; the
    // handler raises it to read_timeout for the body.
    params->setTimeout(Poco::Timespan(config_.header_timeout / 1000));
    params->setMaxThreads(config_.max_threads);
    params->setMaxQueued(config_.max_queued);
    params->setServerName("nanotdb");
    pool_ = std::make_unique<Poco::ThreadPool>(1, config_.max_threads);
    acceptor->params = params;
    acceptor->deadlines = std::make_unique<HeaderDeadlines>(config_.header_deadline);
    acceptor->handlers = new HandlerFactory(dispatcher_, config_, *acceptor->deadlines);
    acceptor->factory = acceptor->handlers;
    acceptor->counter = std::make_unique<AddressCounter>(config_.max_connections_per_address);
    acceptor->dispatcher = new Poco::Net::TCPServerDispatcher(
        new ConnectionFactory(params, acceptor->factory, *acceptor->counter, *acceptor->deadlines),
        *pool_, params);
    acceptor->per_address_cap = config_.max_connections_per_address;
    acceptor->reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    acceptor->log = log_;
    Acceptor* a = acceptor.get();
    acceptor->thread = std::thread([a] { a->Run(a->tls); });
    acceptor_ = std::move(acceptor);
  } catch (const Poco::Exception& e) {
    acceptor_.reset();
    pool_.reset();
    if (!config_.tls_cert.empty()) {
      return Status::IOError("cannot serve TLS on " + config_.listen + " with [http] tls_cert " +
                             config_.tls_cert + " and tls_key " + config_.tls_key + ": " +
                             e.displayText());
    }
    return Status::IOError("cannot listen on " + config_.listen + ": " + e.displayText() +
                           " (set [engine] listen in " + config_.path +
                           " to a free address, e.g. \"127.0.0.1:8429\")");
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (acceptor_ == nullptr) return;
  acceptor_->stop.store(true, std::memory_order_release);
  acceptor_->thread.join();  // no new connections
  // Idle keep-alive connections are simply closed; requests being handled get a bounded wait.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::nanoseconds(std::min<int64_t>(config_.read_timeout, 10 * kSecond));
  while (dispatcher_.InFlight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  acceptor_->handlers->AbortConnections();
  acceptor_->dispatcher->stop();
  pool_->joinAll();
  acceptor_.reset();
  pool_.reset();
}

}  // namespace nanotdb::server
