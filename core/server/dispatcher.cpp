#include "server/dispatcher.h"

#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "server/gzip.h"

namespace nanotdb::server {
namespace {

constexpr size_t kCompressMinBytes = 1024;

// Length of the well-formed UTF-8 sequence starting at text[i] (1 for ASCII), 0 when the
// bytes there are not UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t len = c >= 0xc2 && c <= 0xdf   ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
  if (len == 0 || i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  }
  unsigned char c1 = byte(i + 1);
  if (c == 0xe0 && c1 < 0xa0) return 0;  // overlong
  if (c == 0xed && c1 > 0x9f) return 0;  // surrogate
  if (c == 0xf0 && c1 < 0x90) return 0;  // overlong
  if (c == 0xf4 && c1 > 0x8f) return 0;  // past U+10FFFF
  return len;
}

// A JSON string; bytes that are not UTF-8 become U+FFFD so the envelope stays valid JSON
// whatever a client sent.
void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      *out += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    if (len > 1) {
      out->append(s.substr(i, len));
      i += len;
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
          *out += buf;
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void SetError(HttpResponse* response, int status, std::string_view type, std::string_view msg) {
  response->status = status;
  response->content_type = "application/json";
  response->body = ErrorEnvelope(type, msg);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// True when Accept-Encoding lists gzip (or *) without q=0.
bool AcceptsGzip(std::string_view header) {
  std::string lower = Lower(header);
  size_t pos = 0;
  while (pos <= lower.size()) {
    size_t comma = lower.find(',', pos);
    std::string_view item = std::string_view(lower).substr(
        pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding == "gzip" || coding == "*") {
      if (semi == std::string_view::npos) return true;
      std::string_view params = item.substr(semi + 1);
      size_t q = params.find("q=");
      if (q == std::string_view::npos) return true;
      double value = std::atof(std::string(params.substr(q + 2)).c_str());
      return value > 0;
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

std::string ErrorEnvelope(std::string_view error_type, std::string_view message) {
  std::string out = R"({"status":"error","errorType":)";
  AppendJsonString(error_type, &out);
  out += R"(,"error":)";
  AppendJsonString(message, &out);
  out += "}\n";
  return out;
}

bool ParseUrlEncoded(std::string_view text, std::vector<std::pair<std::string, std::string>>* out,
                     size_t max_total) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t amp = text.find('&', pos);
    std::string_view item =
        text.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!item.empty()) {
      if (out->size() >= max_total) return false;
      size_t eq = item.find('=');
      // '+' means a space in this encoding; an encoded plus (%2B) survives because decoding
      // comes after.
      std::string raw_key(item.substr(0, eq));
      std::string raw_value = eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1));
      std::replace(raw_key.begin(), raw_key.end(), '+', ' ');
      std::replace(raw_value.begin(), raw_value.end(), '+', ' ');
      std::string key, value;
      try {
        Poco::URI::decode(raw_key, key);
        Poco::URI::decode(raw_value, value);
      } catch (const std::exception&) {
        key = std::move(raw_key);
        value = std::move(raw_value);
      }
      out->emplace_back(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return true;
}

namespace {

// A JSON or text body the dispatcher may rewrite (not one a handler already compressed).
bool IsText(const HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (Lower(name) == "content-encoding") return false;
  }
  const std::string type = Lower(response.content_type);
  return type.rfind("application/json", 0) == 0 || type.rfind("text/", 0) == 0;
}

}  // namespace

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string EscapeForLog(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = Utf8SequenceLength(text, i);
    if (len > 1) {
      out.append(text.substr(i, len));
      i += len;
      continue;
    }
    if (c < 0x20 || c == 0x7f || c == '\\' || c >= 0x80) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  return out;
}

Dispatcher::Dispatcher(const Router& router, const Authenticator& auth, RequestLimits limits,
                       LogFn log, bool trace_enabled)
    : router_(router),
      auth_(auth),
      limits_(limits),
      log_(std::move(log)),
      trace_enabled_(trace_enabled && log_) {}

void Dispatcher::Dispatch(HttpRequest& request, const BodyReader& read_body,
                          HttpResponse* response) {
  auto start = std::chrono::steady_clock::now();
  in_flight_.fetch_add(1, std::memory_order_acq_rel);
  Route(request, read_body, response);
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  // Error answers quote what the client sent (a metric name, a label, a JSON key, a regex):
  // whatever bytes those were, the answer is valid UTF-8, as JSON and browsers require.
  if (response->status >= 400 && !response->body.empty() && IsText(*response)) {
    response->body = ToValidUtf8(response->body);
  }
  Compress(request, response);
  int cls = response->status / 100;
  if (cls >= 1 && cls <= 5) by_class_[cls].fetch_add(1, std::memory_order_relaxed);
  if (trace_enabled_) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    char duration[32];
    std::snprintf(duration, sizeof(duration), "%.3fms", ms);
    log_(LogLevel::kTrace, "http " + EscapeForLog(request.method) + " " +
                               EscapeForLog(request.path) + " " + std::to_string(response->status) +
                               " " + duration + " " + std::to_string(response->body.size()) +
                               "B from " + request.remote_addr);
  }
}

std::string HostOf(std::string_view value, bool is_origin) {
  std::string_view v = value;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (is_origin) {
    size_t scheme = v.find("://");
    if (scheme == std::string_view::npos) return "";
    v.remove_prefix(scheme + 3);
    v = v.substr(0, v.find('/'));
  }
  std::string_view host;
  if (!v.empty() && v.front() == '[') {
    size_t close = v.find(']');
    if (close == std::string_view::npos) return "";
    host = v.substr(1, close - 1);
  } else if (v.find(':') != v.rfind(':')) {
    host = v;  // a bare IPv6 address
  } else {
    host = v.substr(0, v.find(':'));
  }
  std::string out = Lower(host);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string Dispatcher::CrossSiteProblem(const HttpRequest& request) const {
  const std::vector<std::string>& allowed = limits_.allowed_hosts;
  if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) return "";
  auto ok = [&](const std::string& host) {
    return std::find(allowed.begin(), allowed.end(), host) != allowed.end();
  };
  auto host_header = request.headers.find("host");
  if (host_header != request.headers.end()) {
    std::string host = HostOf(host_header->second, false);
    if (!ok(host)) {
      return "Host \"" + host_header->second +
             "\" is not a name of this server for write and admin requests (DNS rebinding "
             "protection); add \"" +
             host + "\" to [http] allowed_hosts in engine.toml";
    }
  }
  auto origin = request.headers.find("origin");
  if (origin != request.headers.end()) {
    std::string host = HostOf(origin->second, true);
    if (!ok(host)) {
      return "Origin \"" + origin->second +
             "\" may not send write and admin requests (cross-site request protection); add "
             "its host to [http] allowed_hosts in engine.toml if that page is trusted";
    }
  }
  return "";
}

bool Dispatcher::Reserve(uint64_t bytes) {
  uint64_t used = body_bytes_.load(std::memory_order_acquire);
  do {
    if (used + bytes > limits_.max_inflight_body_bytes) return false;
  } while (!body_bytes_.compare_exchange_weak(used, used + bytes, std::memory_order_acq_rel));
  return true;
}

bool Dispatcher::ReadBody(HttpRequest& request, const RouteSpec& route, const BodyReader& read_body,
                          uint64_t* reserved, HttpResponse* response) {
  uint64_t limit = route.max_body_bytes != 0 ? route.max_body_bytes : limits_.max_body_bytes;
  std::string encoding = Lower(request.Header("content-encoding"));
  bool gzip = encoding == "gzip" || encoding == "x-gzip";
  bool own = std::find(route.own_encodings.begin(), route.own_encodings.end(), encoding) !=
             route.own_encodings.end();
  if (own) gzip = false;  // the handler decodes it, under its own bound
  if (!gzip && !own && !encoding.empty() && encoding != "identity") {
    SetError(response, 415, "bad_data",
             "unsupported Content-Encoding \"" + encoding + "\" (send gzip or no encoding)");
    return false;
  }
  enum class Stop { kNone, kTooLarge, kBusy, kBadGzip };
  Stop stop = Stop::kNone;
  Status gzip_status;
  std::unique_ptr<GzipInflater> inflater;
  if (gzip) inflater = std::make_unique<GzipInflater>(limit);
  // Every byte of the body held in memory is reserved first, so parallel requests together
  // never hold more than max_inflight_body_bytes; a gzip piece may only expand into what is
  // still free.
  BodyChunkFn on_chunk = [&](std::string_view chunk) {
    if (!inflater) {
      if (!Reserve(chunk.size())) {
        stop = Stop::kBusy;
        return false;
      }
      *reserved += chunk.size();
      request.body.append(chunk);
      return true;
    }
    uint64_t used = body_bytes_.load(std::memory_order_acquire);
    uint64_t free =
        used >= limits_.max_inflight_body_bytes ? 0 : limits_.max_inflight_body_bytes - used;
    bool budget_bound = request.body.size() + free < limit;
    inflater->set_max_bytes(budget_bound ? request.body.size() + free : limit);
    size_t before = request.body.size();
    bool too_large = false;
    gzip_status = inflater->Feed(chunk, &request.body, &too_large);
    uint64_t grown = request.body.size() - before;
    if (!Reserve(grown)) {
      stop = Stop::kBusy;
      return false;
    }
    *reserved += grown;
    if (too_large) {
      stop = budget_bound ? Stop::kBusy : Stop::kTooLarge;
      return false;
    }
    if (!gzip_status.ok()) {
      stop = Stop::kBadGzip;
      return false;
    }
    return true;
  };
  bool too_large = false;
  Status st = read_body(limit, on_chunk, &too_large);
  if (too_large) stop = Stop::kTooLarge;
  if (stop == Stop::kNone && st.ok() && inflater) {
    gzip_status = inflater->Finish();
    if (!gzip_status.ok()) stop = Stop::kBadGzip;
  }
  switch (stop) {
    case Stop::kTooLarge:
      SetError(response, 413, "bad_data",
               "request body exceeds the limit of " + std::to_string(limit) +
                   " bytes (raise [http] max_body_bytes in engine.toml)");
      return false;
    case Stop::kBusy:
      SetError(response, 503, "unavailable",
               "server busy: the request bodies being processed would exceed [http] "
               "max_inflight_body_bytes (" +
                   std::to_string(limits_.max_inflight_body_bytes) + " bytes); retry later");
      response->headers.emplace_back("Retry-After", "1");
      return false;
    case Stop::kBadGzip:
      SetError(response, 400, "bad_data", gzip_status.message());
      return false;
    case Stop::kNone:
      break;
  }
  if (!st.ok()) {
    SetError(response, 400, "bad_data", "cannot read request body: " + st.message());
    return false;
  }
  if (Lower(request.Header("content-type")).rfind("application/x-www-form-urlencoded", 0) == 0) {
    if (!ParseUrlEncoded(request.body, &request.params, limits_.max_params)) {
      request.params.push_back({});  // over the limit: reported below
    }
  }
  if (request.params.size() > limits_.max_params) {
    SetError(response, 400, "bad_data",
             "request has more than " + std::to_string(limits_.max_params) +
                 " query and form parameters (raise [http] max_params in engine.toml)");
    return false;
  }
  return true;
}

void Dispatcher::Route(HttpRequest& request, const BodyReader& read_body, HttpResponse* response) {
  RouteMatch match = router_.Match(request.path, request.method);
  if (!match.path_known) {
    if (request.path == "/api" || request.path.rfind("/api/", 0) == 0) {
      SetError(response, 404, "not_found", "unknown API path " + request.path);
    } else {
      response->status = 404;
      response->content_type = "text/plain; charset=utf-8";
      response->body = "404 page not found\n";
    }
    return;
  }
  if (match.route == nullptr) {
    SetError(response, 405, "bad_data", "method not allowed");
    response->headers.emplace_back("Allow", match.allow);
    return;
  }
  const std::shared_ptr<const RouteSpec>& route = match.route;
  Authenticator::Decision decision =
      auth_.Check(route->role, request.Header("authorization"), request.remote_addr);
  if (decision.outcome != Authenticator::Outcome::kAllow && auth_failure_) {
    auth_failure_(request, decision.outcome == Authenticator::Outcome::kUnauthorized ? 401 : 403,
                  decision.reason);
  }
  if (decision.outcome == Authenticator::Outcome::kUnauthorized) {
    SetError(response, 401, "unauthorized", decision.reason);
    response->headers.emplace_back("WWW-Authenticate", "Bearer realm=\"nanotdb\"");
    response->headers.emplace_back("WWW-Authenticate", "Basic realm=\"nanotdb\"");
    return;
  }
  if (decision.outcome == Authenticator::Outcome::kForbidden) {
    SetError(response, 403, "forbidden", decision.reason);
    return;
  }

  if (route->role != Role::kRead) {
    if (std::string problem = CrossSiteProblem(request); !problem.empty()) {
      if (auth_failure_) auth_failure_(request, 403, problem);
      SetError(response, 403, "forbidden", problem);
      return;
    }
  }

  if (route->role == Role::kWrite && write_gate_) {
    if (std::string problem = write_gate_(); !problem.empty()) {
      SetError(response, 507, "unavailable", problem);
      return;
    }
  }

  uint64_t reserved = 0;
  bool body_ok = ReadBody(request, *route, read_body, &reserved, response);
  if (body_ok) {
    try {
      route->handler(request, *response);
    } catch (const std::exception& e) {
      *response = HttpResponse{};
      SetError(response, 500, "execution", std::string("internal error: ") + e.what());
      if (log_) log_(LogLevel::kError, "handler for " + route->path + " threw: " + e.what());
    } catch (...) {
      *response = HttpResponse{};
      SetError(response, 500, "execution", "internal error");
      if (log_) log_(LogLevel::kError, "handler for " + route->path + " threw");
    }
  }
  Release(reserved);
}

void Dispatcher::Compress(const HttpRequest& request, HttpResponse* response) const {
  if (response->body.size() <= kCompressMinBytes) return;
  if (!AcceptsGzip(request.Header("accept-encoding"))) return;
  for (const auto& [name, value] : response->headers) {
    if (Lower(name) == "content-encoding") return;
  }
  response->body = GzipCompress(response->body);
  response->headers.emplace_back("Content-Encoding", "gzip");
  response->headers.emplace_back("Vary", "Accept-Encoding");
}

}  // namespace nanotdb::server
