// HttpServer: the Poco::Net::HTTPServer that feeds every request to the Dispatcher.
//
// Our own acceptor thread feeds Poco's connection dispatcher and HTTP session loop. Keep-alive
// on (closed after [http] idle_timeout); every wait for a request header, the first included,
// is bounded by [http] header_timeout, the whole header by [http] header_deadline (a client
// trickling bytes is cut off), and a body read by [http] read_timeout; at most
// [http] max_threads connections are served at once and max_queued wait. A client address
// with [http] max_connections_per_address open connections gets 503 on the next one without
// taking a worker. When the process runs out of file descriptors the acceptor spends a
// reserved one to accept and refuse the pending connection (and logs it), so the listener
// stays serviceable. Start and Stop are called from the daemon's main thread; the dispatcher
// must outlive the server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "nanotdb/status.h"
#include "server/config.h"
#include "server/dispatcher.h"

namespace Poco {
class ThreadPool;
}  // namespace Poco

namespace nanotdb::server {

class HttpServer {
 public:
  // `log` (may be empty) receives the out-of-descriptors warning.
  HttpServer(Dispatcher& dispatcher, const EngineConfig& config, LogFn log = {});
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds engine.listen and starts serving. IOError names the address and the fix.
  Status Start();
  // The bound port (the real one when engine.listen asked for port 0).
  uint16_t port() const { return port_; }
  // Stops accepting, lets running requests finish (up to read_timeout), closes connections.
  void Stop();

 private:
  struct Acceptor;
  Dispatcher& dispatcher_;
  const EngineConfig& config_;
  LogFn log_;
  std::unique_ptr<Poco::ThreadPool> pool_;  // sized by max_threads; outlives acceptor_
  std::unique_ptr<Acceptor> acceptor_;
  uint16_t port_ = 0;
};

}  // namespace nanotdb::server
