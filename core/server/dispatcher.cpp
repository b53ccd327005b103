#include "server/dispatcher.h"

#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "server/gzip.h"

namespace nanotdb::server {
namespace {

constexpr size_t kCompressMinBytes = 1024;

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
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
        if (static_cast<unsigned char>(c) < 0x20) {
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

void ParseUrlEncoded(std::string_view text, std::vector<std::pair<std::string, std::string>>* out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t amp = text.find('&', pos);
    std::string_view item =
        text.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!item.empty()) {
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
}

Dispatcher::Dispatcher(const Router& router, const Authenticator& auth, uint64_t default_max_body,
                       LogFn log, bool trace_enabled)
    : router_(router),
      auth_(auth),
      default_max_body_(default_max_body),
      log_(std::move(log)),
      trace_enabled_(trace_enabled && log_) {}

void Dispatcher::Dispatch(HttpRequest& request, const BodyReader& read_body,
                          HttpResponse* response) {
  auto start = std::chrono::steady_clock::now();
  in_flight_.fetch_add(1, std::memory_order_acq_rel);
  Route(request, read_body, response);
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  Compress(request, response);
  int cls = response->status / 100;
  if (cls >= 1 && cls <= 5) by_class_[cls].fetch_add(1, std::memory_order_relaxed);
  if (trace_enabled_) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    char duration[32];
    std::snprintf(duration, sizeof(duration), "%.3fms", ms);
    log_(LogLevel::kTrace, "http " + request.method + " " + request.path + " " +
                               std::to_string(response->status) + " " + duration + " " +
                               std::to_string(response->body.size()) + "B from " +
                               request.remote_addr);
  }
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

  uint64_t limit = route->max_body_bytes != 0 ? route->max_body_bytes : default_max_body_;
  std::string too_large_message = "request body exceeds the limit of " + std::to_string(limit) +
                                  " bytes (raise [http] max_body_bytes in engine.toml)";
  bool too_large = false;
  std::string raw;
  Status st = read_body(limit, &raw, &too_large);
  if (too_large) {
    SetError(response, 413, "bad_data", too_large_message);
    return;
  }
  if (!st.ok()) {
    SetError(response, 400, "bad_data", "cannot read request body: " + st.message());
    return;
  }
  std::string encoding = Lower(request.Header("content-encoding"));
  if (encoding == "gzip" || encoding == "x-gzip") {
    st = GzipDecompress(raw, limit, &request.body, &too_large);
    if (too_large) {
      SetError(response, 413, "bad_data", too_large_message);
      return;
    }
    if (!st.ok()) {
      SetError(response, 400, "bad_data", st.message());
      return;
    }
  } else if (encoding.empty() || encoding == "identity" ||
             std::find(route->own_encodings.begin(), route->own_encodings.end(), encoding) !=
                 route->own_encodings.end()) {
    request.body = std::move(raw);
  } else {
    SetError(response, 415, "bad_data",
             "unsupported Content-Encoding \"" + encoding + "\" (send gzip or no encoding)");
    return;
  }
  if (Lower(request.Header("content-type")).rfind("application/x-www-form-urlencoded", 0) == 0) {
    ParseUrlEncoded(request.body, &request.params);
  }

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
