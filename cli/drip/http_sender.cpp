#include "http_sender.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace nanotdb::drip {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool ParseHttpUrl(std::string_view url, HttpUrl* out, std::string* why) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    *why = "only plain http:// is spoken; put a TLS proxy in front for https";
    return false;
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    *why = "user:password@ is not supported; use drip.token";
    return false;
  }
  std::string_view host = authority;
  out->port = 80;
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      *why = "port \"" + std::string(port) + "\" is not a number in 1..65535";
      return false;
    }
    out->port = static_cast<uint16_t>(value);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) {
    *why = "no host";
    return false;
  }
  out->host = std::string(host);
  out->path = std::string(path);
  while (!out->path.empty() && out->path.back() == '/') out->path.pop_back();
  return true;
}

HttpSender::HttpSender(const std::string& server_url, std::string token, int64_t timeout_ns)
    : token_(std::move(token)), timeout_ns_(timeout_ns) {
  std::string why;
  ParseHttpUrl(server_url, &url_, &why);
  target_ = url_.path + "/api/v1/import";
}

HttpSender::~HttpSender() { Disconnect(); }

void HttpSender::Disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  reused_ = false;
}

bool HttpSender::Connect(std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(url_.port);
  int rc = ::getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    *error = "cannot resolve " + url_.host + ": " + ::gai_strerror(rc);
    return false;
  }
  const int timeout_ms = static_cast<int>(timeout_ns_ / 1'000'000);
  std::string last = "no address";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      ::close(fd);
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&p, 1, timeout_ms) != 1 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
        err != 0) {
      last = err != 0 ? std::strerror(err) : "connect timed out";
      ::close(fd);
      continue;
    }
    fd_ = fd;
    break;
  }
  ::freeaddrinfo(res);
  if (fd_ < 0) {
    *error = "cannot connect to " + url_.host + ":" + port + ": " + last;
    return false;
  }
  return true;
}

bool HttpSender::WriteAll(std::string_view data, std::string* error) {
  const int timeout_ms = static_cast<int>(timeout_ns_ / 1'000'000);
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, timeout_ms) == 1) continue;
      *error = "send timed out";
      return false;
    }
    *error = std::string("send failed: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool HttpSender::ReadMore(std::string* buf, std::string* error) {
  const int timeout_ms = static_cast<int>(timeout_ns_ / 1'000'000);
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buf->append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) {
      *error = "connection closed by the server";
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) == 1) continue;
      *error = "no answer within the timeout";
      return false;
    }
    *error = std::string("receive failed: ") + std::strerror(errno);
    return false;
  }
}

bool HttpSender::Post(const std::string& target, std::string_view content_type,
                      std::string_view body, int* status, std::string* answer, std::string* error) {
  if (fd_ < 0 && !Connect(error)) return false;
  std::string head = "POST " + target + " HTTP/1.1\r\nHost: " + url_.host + ":" +
                     std::to_string(url_.port) + "\r\nContent-Type: " + std::string(content_type) +
                     "\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nConnection: keep-alive\r\n";
  if (!token_.empty()) head += "Authorization: Bearer " + token_ + "\r\n";
  head += "\r\n";
  if (!WriteAll(head, error) || !WriteAll(body, error)) return false;
  reused_ = true;

  std::string buf;
  size_t header_end;
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (buf.size() > 64 * 1024) {
      *error = "answer headers larger than 64 KiB";
      return false;
    }
    if (!ReadMore(&buf, error)) return false;
  }
  std::string_view headers(buf.data(), header_end);
  // Status line: HTTP/1.1 200 OK
  size_t sp = headers.find(' ');
  if (headers.substr(0, 5) != "HTTP/" || sp == std::string_view::npos ||
      std::from_chars(headers.data() + sp + 1, headers.data() + headers.size(), *status).ec !=
          std::errc()) {
    *error = "not an HTTP answer: \"" + std::string(headers.substr(0, 40)) + "\"";
    return false;
  }
  bool close_after = headers.substr(0, 8) == "HTTP/1.0";
  bool chunked = false;
  long long length = -1;
  size_t pos = headers.find("\r\n");
  while (pos != std::string_view::npos && pos < headers.size()) {
    size_t next = headers.find("\r\n", pos + 2);
    std::string_view line = headers.substr(
        pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    pos = next;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = Lower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (name == "content-length") {
      std::from_chars(value.data(), value.data() + value.size(), length);
    } else if (name == "transfer-encoding") {
      chunked = Lower(value).find("chunked") != std::string::npos;
    } else if (name == "connection") {
      close_after = Lower(value).find("close") != std::string::npos;
    }
  }
  std::string rest = buf.substr(header_end + 4);
  if (chunked) {
    // Read the whole chunked body (small JSON); keep the start of it for messages.
    for (;;) {
      size_t eol;
      while ((eol = rest.find("\r\n")) == std::string::npos) {
        if (!ReadMore(&rest, error)) return false;
      }
      unsigned long long size = 0;
      std::from_chars(rest.data(), rest.data() + eol, size, 16);
      while (rest.size() < eol + 2 + size + 2) {
        if (!ReadMore(&rest, error)) return false;
      }
      if (answer->size() < 2048) answer->append(rest, eol + 2, size);
      rest.erase(0, eol + 2 + size + 2);
      if (size == 0) break;
    }
  } else if (length >= 0) {
    while (rest.size() < static_cast<size_t>(length)) {
      if (!ReadMore(&rest, error)) return false;
    }
    *answer = rest.substr(0, std::min<size_t>(rest.size(), 2048));
  } else {
    std::string ignored;
    while (ReadMore(&rest, &ignored)) {
    }
    *answer = rest.substr(0, 2048);
    close_after = true;
  }
  if (close_after) Disconnect();
  return true;
}

SendResult HttpSender::Send(std::string_view body, std::string* error) {
  return SendTo(target_, "text/plain; charset=utf-8", body, error);
}

SendResult HttpSender::SendEvents(std::string_view db, std::string_view json, std::string* error) {
  std::string target = url_.path + "/api/v1/events?db=";
  for (unsigned char c : db) {
    const bool plain = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      target += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      target += hex;
    }
  }
  return SendTo(target, "application/json", json, error);
}

SendResult HttpSender::SendTo(const std::string& target, std::string_view content_type,
                              std::string_view body, std::string* error) {
  // A kept-alive connection may have been closed by a server restart since the last cycle:
  // such a failure says nothing about the server now, so try once more on a new connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool was_reused = reused_;
    int status = 0;
    std::string answer;
    if (!Post(target, content_type, body, &status, &answer, error)) {
      Disconnect();
      if (!was_reused) break;
      continue;
    }
    if (status >= 200 && status < 300) return SendResult::kSent;
    *error = "HTTP " + std::to_string(status) + " from " + url_.host + ":" +
             std::to_string(url_.port) + target + ": " + answer.substr(0, 300);
    if (status == 401 || status == 403) {
      *error += " (check drip.token against the server's write token)";
      return SendResult::kRetry;
    }
    // The server read the body and refused lines in it: sending it again cannot help. Any
    // other answer (404 while a plugin is off, 5xx, 429) keeps the data for a later try.
    if (status == 400 || status == 413 || status == 422) return SendResult::kRejected;
    return SendResult::kRetry;
  }
  return SendResult::kRetry;
}

}  // namespace nanotdb::drip
