// HttpServer: the Poco::Net::HTTPServer that feeds every request to the Dispatcher.
//
// Keep-alive on (closed after [http] idle_timeout), socket reads time out after
// [http] read_timeout, at most [http] max_threads requests run at once. Start and Stop are
// called from the daemon's main thread; the dispatcher must outlive the server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "nanotdb/status.h"
#include "server/config.h"
#include "server/dispatcher.h"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace nanotdb::server {

class HttpServer {
 public:
  HttpServer(Dispatcher& dispatcher, const EngineConfig& config);
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
  Dispatcher& dispatcher_;
  const EngineConfig& config_;
  std::unique_ptr<Poco::ThreadPool> pool_;  // sized by max_threads; outlives server_
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  uint16_t port_ = 0;
};

}  // namespace nanotdb::server
