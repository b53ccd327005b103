#include "server/http_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <istream>
#include <thread>

namespace nanotdb::server {
namespace {

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(Dispatcher& dispatcher, const RequestLimits& limits)
      : dispatcher_(dispatcher), limits_(limits) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    try {
      Serve(in, out);
    } catch (const Poco::Exception&) {
      // The client went away mid-request or mid-response; nothing left to tell it.
    } catch (const std::exception&) {
    }
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

    bool close_after = false;
    BodyReader read_body = [&](uint64_t limit, const BodyChunkFn& on_chunk,
                               bool* too_large) -> Status {
      *too_large = false;
      // Without Content-Length or chunking a request has no body (RFC 9112 §6.3); reading
      // would wait for the client to close the connection.
      if (!in.hasContentLength() && !in.getChunkedTransferEncoding()) return Status::Ok();
      if (in.hasContentLength() && in.getContentLength64() > static_cast<int64_t>(limit)) {
        *too_large = true;
        close_after = true;  // the unread body would be taken for the next request
        return Status::Ok();
      }
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
      return Status::Ok();
    };

    HttpResponse response;
    dispatcher_.Dispatch(request, read_body, &response);

    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    out.setContentType(response.content_type);
    for (const auto& [name, value] : response.headers) out.add(name, value);
    if (close_after) out.setKeepAlive(false);
    out.sendBuffer(response.body.data(), response.body.size());
  }

  Dispatcher& dispatcher_;
  const RequestLimits& limits_;
};

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HandlerFactory(Dispatcher& dispatcher, const RequestLimits& limits)
      : dispatcher_(dispatcher), limits_(limits) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(dispatcher_, limits_);
  }

 private:
  Dispatcher& dispatcher_;
  const RequestLimits& limits_;
};

}  // namespace

HttpServer::HttpServer(Dispatcher& dispatcher, const EngineConfig& config)
    : dispatcher_(dispatcher), config_(config) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  try {
    std::string host = config_.listen_host.empty() ? "0.0.0.0" : config_.listen_host;
    Poco::Net::SocketAddress address(host, config_.listen_port);
    Poco::Net::ServerSocket socket;
    // SO_REUSEADDR so a restart does not wait for TIME_WAIT; never SO_REUSEPORT, which would
    // let a second nanotdb share the port silently.
    socket.bind(address, true, false);
    socket.listen(64);
    port_ = socket.address().port();

    Poco::AutoPtr<Poco::Net::HTTPServerParams> params(new Poco::Net::HTTPServerParams());
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(config_.idle_timeout / 1000));
    params->setTimeout(Poco::Timespan(config_.read_timeout / 1000));
    params->setMaxThreads(config_.max_threads);
    params->setMaxQueued(256);
    params->setServerName("nanotdb");
    pool_ = std::make_unique<Poco::ThreadPool>(1, config_.max_threads);
    server_ = std::make_unique<Poco::Net::HTTPServer>(
        new HandlerFactory(dispatcher_, config_.limits), *pool_, socket, params);
    server_->start();
  } catch (const Poco::Exception& e) {
    server_.reset();
    pool_.reset();
    return Status::IOError("cannot listen on " + config_.listen + ": " + e.displayText() +
                           " (set [engine] listen in " + config_.path +
                           " to a free address, e.g. \"127.0.0.1:8429\")");
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();  // no new connections
  // Idle keep-alive connections are simply closed; requests being handled get a bounded wait.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::nanoseconds(std::min<int64_t>(config_.read_timeout, 10 * kSecond));
  while (dispatcher_.InFlight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server_->stopAll(true);
  server_.reset();
  pool_->joinAll();
  pool_.reset();
}

}  // namespace nanotdb::server
