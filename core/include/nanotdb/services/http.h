// HttpService ("nanotdb.http" v1): lets plugins add routes to the core's one HTTP router.
//
// The core owns the server, keep-alive, size limits, timeouts, gzip (request bodies are
// decompressed before a handler sees them, unless the route decodes that encoding itself;
// responses are compressed when the client asks),
// authentication and roles. A request whose method is not among a route's methods gets 405;
// one lacking the route's role gets 401/403 — handlers never see either.
// Handlers run on the server's worker threads, concurrently; they must not throw (an escaping
// exception becomes a 500 with a JSON error envelope, and is logged).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb {

enum class Role { kRead, kWrite, kAdmin };

struct HttpRequest {
  std::string method;                                       // "GET", "POST", ...
  std::string path;                                         // decoded path without the query string
  std::vector<std::pair<std::string, std::string>> params;  // query string, then form body
  std::map<std::string, std::string> headers;               // lower-case names
  std::string body;                                         // decompressed
  std::string remote_addr;                                  // "127.0.0.1:53122"

  // First value of a parameter; false when absent.
  bool Param(std::string_view name, std::string* value) const {
    for (const auto& [k, v] : params) {
      if (k == name) {
        *value = v;
        return true;
      }
    }
    return false;
  }
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

struct RouteSpec {
  std::string path;  // "/api/v1/query"; with prefix = true matches "/assets/..." too
  bool prefix = false;
  std::vector<std::string> methods = {"GET"};  // HEAD is served for GET routes
  Role role = Role::kRead;
  uint64_t max_body_bytes = 0;  // 0 = the core's default limit
  // Content-Encodings (lower case) this handler decodes itself, e.g. {"snappy"} for Prometheus
  // remote write: such bodies arrive as sent, with their content-encoding header, and the
  // handler must bound what it decompresses. Other encodings than gzip/identity get 415.
  std::vector<std::string> own_encodings;
  HttpHandler handler;
};

class HttpService {
 public:
  static constexpr const char* kServiceName = "nanotdb.http";
  static constexpr uint32_t kServiceVersion = 1;
  virtual ~HttpService() = default;

  // AlreadyExists when the exact path (and prefix flag) is taken by another plugin.
  virtual Status AddRoute(RouteSpec route) noexcept = 0;
};

}  // namespace nanotdb
