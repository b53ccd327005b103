// Dispatcher: what the core does with every HTTP request, independent of sockets so that it
// is unit-tested directly. The Poco adapter (http_server.h) only converts to and from it.
//
// Order: route lookup (404: JSON envelope under /api/, plain text elsewhere) → method (405
// JSON envelope with an Allow header; HEAD is served by GET routes) → auth (401 with
// WWW-Authenticate / 403) → body, read piece by piece: at most the route's or the default
// limit (413 naming the limit), Content-Encoding: gzip decompressed while it arrives under the
// same limit (415 for other codings), and every byte held counted against one budget shared
// by all requests in flight (503 with Retry-After past it) → form parameters of
// application/x-www-form-urlencoded bodies appended to the query's, at most max_params in all
// (400) → handler (an escaping exception becomes a 500 envelope and is logged) → gzip of responses
// over 1 KiB when the client accepts it. Counts responses by status class; logs each request
// at trace level. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanotdb/engine.h"
#include "nanotdb/services/http.h"
#include "server/auth.h"
#include "server/router.h"

namespace nanotdb::server {

// Receives the raw request body piece by piece as it arrives; returns false to stop reading.
using BodyChunkFn = std::function<bool(std::string_view chunk)>;
// Reads the request body, at most `limit` bytes, handing it to `on_chunk`; sets *too_large
// (and stops) when the body is longer. A non-OK status means the connection failed.
using BodyReader =
    std::function<Status(uint64_t limit, const BodyChunkFn& on_chunk, bool* too_large)>;

// The vmResponse error envelope: {"status":"error","errorType":"...","error":"..."}\n
std::string ErrorEnvelope(std::string_view error_type, std::string_view message);
// Appends decoded key=value pairs of an urlencoded string ('+' is a space) while out holds
// fewer than `max_total` pairs; false when pairs were left out.
bool ParseUrlEncoded(std::string_view text, std::vector<std::pair<std::string, std::string>>* out,
                     size_t max_total = SIZE_MAX);
// The host of a Host header value or an Origin ("http://h:1", "[::1]:8428", "h"), lower case,
// without port, brackets or trailing dot; "" when there is none.
std::string HostOf(std::string_view value, bool is_origin);

// `text` with every byte that does not belong to a well-formed UTF-8 sequence replaced by U+FFFD.
// Inside JSON only strings hold bytes >= 0x80, so JSON stays JSON.
std::string ToValidUtf8(std::string_view text);

// `text` with control characters, backslashes and bytes that are not UTF-8 written as \xNN,
// so a client cannot forge log lines.
std::string EscapeForLog(std::string_view text);

class Dispatcher {
 public:
  // `router`, `auth` and `log` must outlive the dispatcher; `log` may be empty and
  // `trace_enabled` says whether trace lines are wanted at all.
  Dispatcher(const Router& router, const Authenticator& auth, RequestLimits limits, LogFn log,
             bool trace_enabled);

  // `request` carries method, path, query params, lower-case headers and remote_addr; its body
  // and form params are filled here.
  void Dispatch(HttpRequest& request, const BodyReader& read_body, HttpResponse* response);

  // Consulted before the body of a write-role request is read; a non-empty answer refuses it
  // with 507 (the free-space floor). Set before serving starts.
  void set_write_gate(std::function<std::string()> gate) { write_gate_ = std::move(gate); }
  // Told about every request refused with 401 or 403 by the auth check (its status and the
  // reason answered); must not block. Set before serving starts.
  using AuthFailureFn =
      std::function<void(const HttpRequest& request, int status, std::string_view reason)>;
  void set_auth_failure(AuthFailureFn fn) { auth_failure_ = std::move(fn); }

  // Responses sent with status 100*cls .. 100*cls+99 (cls 1..5).
  uint64_t ResponsesInClass(int cls) const {
    return by_class_[cls].load(std::memory_order_relaxed);
  }
  // Requests being dispatched right now (shutdown waits for them).
  int InFlight() const { return in_flight_.load(std::memory_order_acquire); }
  // Bytes of request bodies held by requests in flight.
  uint64_t InflightBodyBytes() const { return body_bytes_.load(std::memory_order_acquire); }

 private:
  void Route(HttpRequest& request, const BodyReader& read_body, HttpResponse* response);
  void Compress(const HttpRequest& request, HttpResponse* response) const;
  // Reads and decodes the body into request.body; false after setting an error response.
  bool ReadBody(HttpRequest& request, const RouteSpec& route, const BodyReader& read_body,
                uint64_t* reserved, HttpResponse* response);
  bool Reserve(uint64_t bytes);
  // "" when Host and Origin are acceptable for a write or admin route, else why not.
  std::string CrossSiteProblem(const HttpRequest& request) const;
  void Release(uint64_t bytes) { body_bytes_.fetch_sub(bytes, std::memory_order_acq_rel); }

  const Router& router_;
  const Authenticator& auth_;
  RequestLimits limits_;
  LogFn log_;
  bool trace_enabled_;
  std::array<std::atomic<uint64_t>, 6> by_class_{};
  std::function<std::string()> write_gate_;
  AuthFailureFn auth_failure_;
  std::atomic<int> in_flight_{0};
  std::atomic<uint64_t> body_bytes_{0};  // reserved by ReadBody, released after the handler
};

}  // namespace nanotdb::server
