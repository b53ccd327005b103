// How a forwarder posts one remote-write request: an interface, so the forwarder's logic is
// tested against a receiver double, and the HTTP(S) implementation over Poco used by the plugin
// (keep-alive session, bearer or basic auth, TLS with the system's or a given CA bundle).
#pragma once

#include <memory>
#include <string>

#include "forward_config.h"

namespace nanotdb::forward {

struct PostOutcome {
  int status = 0;       // the HTTP status; 0 when no answer came (refused, timeout, TLS, ...)
  std::string message;  // the start of the receiver's answer, or what went wrong
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Posts `body` (a snappy-compressed WriteRequest). Called from one thread at a time.
  virtual PostOutcome Post(const std::string& body) = 0;
  // From any thread: a Post in progress ends soon (with status 0).
  virtual void Abort() = 0;
};

// Status InvalidArgument for a URL it cannot use, or TLS settings that do not load.
Result<std::unique_ptr<Transport>> MakeHttpTransport(const EndpointConfig& endpoint,
                                                     const std::string& user_agent);

}  // namespace nanotdb::forward
